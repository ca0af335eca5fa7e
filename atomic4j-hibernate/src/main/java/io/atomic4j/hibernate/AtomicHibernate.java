package io.atomic4j.hibernate;

import io.atomic4j.Database;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import org.hibernate.SessionFactory;
import org.hibernate.cfg.JdbcSettings;
import org.hibernate.cfg.TransactionSettings;
import org.hibernate.jpa.HibernatePersistenceConfiguration;

/**
 * Hibernate ORM (Jakarta Persistence) joined to atomic4j's blocks.
 * <pre>{@code
 * SessionFactory factory = AtomicHibernate.sessionFactory(db, Map.of(), Item.class);
 * db.atomic(() -> {
 *     try (EntityManager em = factory.createEntityManager()) {
 *         em.persist(new Item(1, "first"));                  // flushed before the block commits
 *         try {
 *             db.atomic(() -> em.persist(new Item(1, "again")));   // a savepoint; the duplicate
 *         } catch (ConstraintViolationException e) {                // fails here, inside it
 *             // only the nested block rolled back, as in Django
 *         }
 *     }
 *     db.onCommit(() -> log.info("committed"));
 * });
 * }</pre>
 * A session used inside a block joins it: its SQL runs on the block's connection, its pending
 * changes are flushed before every block exits (a nested block's savepoint release included, so a
 * constraint violation surfaces in the block that caused it), and it never commits or rolls back
 * a JDBC transaction itself. {@code em.getTransaction().begin()/commit()/rollback()} and
 * {@code session.beginTransaction()} open and close an atomic block (nested: a savepoint). After a
 * rollback, entities the rolled-back block persisted, merged, removed or wrote are detached; after
 * a whole rollback the session is cleared. Nothing rolled back reaches the second-level cache.
 * Outside any block a session reads in autocommit and refuses to write (JPA's
 * TransactionRequiredException), as Django's ORM would commit each write on its own.
 *
 * <p>Thread-safe. Django equivalent: the ORM inside {@code transaction.atomic()}.
 */
public final class AtomicHibernate {
    private AtomicHibernate() {
    }

    /**
     * The Hibernate settings that put a persistence unit on {@code database}: its transaction-aware
     * {@code DataSource}, atomic4j's transaction coordinator and release of the connection after
     * every statement. Add them to any bootstrap (the properties map of
     * {@code Persistence.createEntityManagerFactory}, a {@code PersistenceConfiguration}, a
     * native {@code Configuration}); JPA bootstrap is recommended, because there
     * {@code EntityManager.close()} inside a block waits for the block's end instead of dropping
     * unflushed changes. Call once per factory.
     * <pre>{@code
     * EntityManagerFactory emf = Persistence.createEntityManagerFactory("shop", AtomicHibernate.settings(db));
     * }</pre>
     */
    public static Map<String, Object> settings(Database database) {
        Objects.requireNonNull(database, "settings() needs a Database, got null");
        Map<String, Object> settings = new HashMap<>();
        settings.put(JdbcSettings.JAKARTA_NON_JTA_DATASOURCE, database.dataSource());
        settings.put(TransactionSettings.TRANSACTION_COORDINATOR_STRATEGY, new BlockCoordinatorBuilder(database));
        settings.put(JdbcSettings.CONNECTION_HANDLING, "DELAYED_ACQUISITION_AND_RELEASE_AFTER_STATEMENT");
        return settings;
    }

    /**
     * A {@code SessionFactory} (also a JPA {@code EntityManagerFactory}) for {@code entityClasses}
     * on {@code database}, bootstrapped the JPA way. {@code settings} are any further Hibernate
     * settings (dialect, schema generation, cache...); they cannot replace the data source or the
     * transaction coordinator.
     * <pre>{@code
     * SessionFactory factory = AtomicHibernate.sessionFactory(db,
     *         Map.of("hibernate.hbm2ddl.auto", "create"), Item.class);
     * }</pre>
     */
    public static SessionFactory sessionFactory(Database database, Map<String, ?> settings, Class<?>... entityClasses) {
        Objects.requireNonNull(settings, "sessionFactory() needs settings (Map.of() for none), got null");
        return new HibernatePersistenceConfiguration("atomic4j-" + database.alias())
                .managedClasses(entityClasses)
                .properties(settings)
                .properties(settings(database))
                .createEntityManagerFactory();
    }
}
