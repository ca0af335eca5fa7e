package io.atomic4j.spring;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.atomic4j.Database;
import io.atomic4j.testing.TestDatabase;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.annotation.EnableTransactionManagement;
import org.springframework.transaction.annotation.Isolation;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.event.TransactionPhase;
import org.springframework.transaction.event.TransactionalEventListener;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * One Spring application context over one real database, with either Spring's own
 * {@link DataSourceTransactionManager} over a plain Hikari pool or {@link AtomicTransactionManager}
 * over the same kind of pool: the two sides of the differential suite. Scenarios reach the
 * {@link Tx} service (a transactional proxy), the {@link JdbcTemplate}, the event publisher and the log.
 */
final class SpringFixture implements AutoCloseable {
    /** Which transaction manager the context runs on. */
    enum Side { SPRING, ATOMIC }

    static final String TABLE = "spring_item";

    final Side side;
    final TestDatabase testDatabase;
    final HikariDataSource pool;
    /** The atomic4j database (ATOMIC side only). */
    final Database db;
    final PlatformTransactionManager transactionManager;
    final JdbcTemplate jdbc;
    final List<String> log = Collections.synchronizedList(new ArrayList<>());
    private final AnnotationConfigApplicationContext context;
    final Tx tx;
    final ApplicationEventPublisher events;

    SpringFixture(Side side, TestDatabase testDatabase) {
        this(side, testDatabase, testDatabase.jdbcUrl());
    }

    /** A fixture over {@code jdbcUrl} (for example through a FaultProxy) of {@code testDatabase}. */
    SpringFixture(Side side, TestDatabase testDatabase, String jdbcUrl) {
        this.side = side;
        this.testDatabase = testDatabase;
        this.pool = newPool(testDatabase, jdbcUrl);
        if (side == Side.ATOMIC) {
            db = Database.wrap("default", pool);
            transactionManager = new AtomicTransactionManager(db);
            jdbc = new JdbcTemplate(db.dataSource());
        } else {
            db = null;
            transactionManager = new DataSourceTransactionManager(pool);
            jdbc = new JdbcTemplate(pool);
        }
        context = new AnnotationConfigApplicationContext();
        context.registerBean("transactionManager", PlatformTransactionManager.class, () -> transactionManager);
        context.registerBean(SpringFixture.class, () -> this);
        context.register(Config.class, Tx.class, Listener.class);
        context.refresh();
        tx = context.getBean(Tx.class);
        events = context;
        jdbc.execute("DROP TABLE IF EXISTS " + TABLE);
        jdbc.execute("CREATE TABLE " + TABLE + " (id INT PRIMARY KEY, name VARCHAR(50))");
    }

    static HikariDataSource newPool(TestDatabase testDatabase, String jdbcUrl) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl);
        config.setUsername(testDatabase.user());
        config.setPassword(testDatabase.password());
        config.setMaximumPoolSize(4);
        config.setMinimumIdle(1);
        config.setPoolName("spring-fixture-" + testDatabase);
        return new HikariDataSource(config);
    }

    void reset() {
        jdbc.update("DELETE FROM " + TABLE);
        log.clear();
    }

    void insert(int id) {
        jdbc.update("INSERT INTO " + TABLE + " (id, name) VALUES (?, ?)", id, "item " + id);
    }

    List<Integer> committedIds() {
        return new JdbcTemplate(pool).queryForList("SELECT id FROM " + TABLE + " ORDER BY id", Integer.class);
    }

    TransactionTemplate template(int propagation) {
        TransactionTemplate template = new TransactionTemplate(transactionManager);
        template.setPropagationBehavior(propagation);
        return template;
    }

    /** Registers a synchronization that writes each callback into the log under {@code name}. */
    void synchronization(String name) {
        TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
            @Override
            public void beforeCommit(boolean readOnly) {
                log.add(name + ".beforeCommit(" + readOnly + ")");
            }

            @Override
            public void beforeCompletion() {
                log.add(name + ".beforeCompletion");
            }

            @Override
            public void afterCommit() {
                log.add(name + ".afterCommit");
            }

            @Override
            public void afterCompletion(int status) {
                log.add(name + ".afterCompletion(" + (status == STATUS_COMMITTED ? "committed"
                        : status == STATUS_ROLLED_BACK ? "rolled back" : "unknown") + ")");
            }
        });
    }

    @Override
    public void close() {
        context.close();
        if (db != null) {
            db.close();
        }
        pool.close();
    }

    /** Counts rows over a direct connection, not through the fixture's (possibly cut) proxy. */
    static final class Counter {
        private final TestDatabase testDatabase;

        Counter(TestDatabase testDatabase) {
            this.testDatabase = testDatabase;
        }

        int rows(String table) {
            return new JdbcTemplate(testDatabase.newPlainDataSource()).queryForObject("SELECT COUNT(*) FROM " + table, Integer.class);
        }
    }

    @Configuration(proxyBeanMethods = false)
    @EnableTransactionManagement
    static class Config {
    }

    /** A piece of scenario code run inside a transactional method. */
    @FunctionalInterface
    interface Work {
        void run() throws Exception;
    }

    /** A checked exception of the application: commits under Spring's rules unless rollbackFor says otherwise. */
    static final class AppCheckedException extends Exception {
        AppCheckedException(String message) {
            super(message);
        }
    }

    /** The event scenarios publish; the listener logs each phase it sees. */
    record Event(String name) {
    }

    /** The transactional service: one method per propagation and attribute, each just running the work. */
    static class Tx {
        @Transactional
        public void required(Work work) throws Exception {
            work.run();
        }

        @Transactional(propagation = Propagation.NESTED)
        public void nested(Work work) throws Exception {
            work.run();
        }

        @Transactional(propagation = Propagation.REQUIRES_NEW)
        public void requiresNew(Work work) throws Exception {
            work.run();
        }

        @Transactional(propagation = Propagation.SUPPORTS)
        public void supports(Work work) throws Exception {
            work.run();
        }

        @Transactional(propagation = Propagation.MANDATORY)
        public void mandatory(Work work) throws Exception {
            work.run();
        }

        @Transactional(propagation = Propagation.NOT_SUPPORTED)
        public void notSupported(Work work) throws Exception {
            work.run();
        }

        @Transactional(propagation = Propagation.NEVER)
        public void never(Work work) throws Exception {
            work.run();
        }

        @Transactional(rollbackFor = AppCheckedException.class)
        public void rollbackForChecked(Work work) throws Exception {
            work.run();
        }

        @Transactional(noRollbackFor = IllegalArgumentException.class)
        public void noRollbackForIllegalArgument(Work work) throws Exception {
            work.run();
        }

        @Transactional(readOnly = true)
        public void readOnly(Work work) throws Exception {
            work.run();
        }

        @Transactional(isolation = Isolation.SERIALIZABLE)
        public void serializable(Work work) throws Exception {
            work.run();
        }

        @Transactional(timeout = 7)
        public void timeout7(Work work) throws Exception {
            work.run();
        }
    }

    /** Logs every phase of {@link Event}, as Spring applications observe their transactions. */
    static class Listener {
        private final SpringFixture fixture;

        Listener(SpringFixture fixture) {
            this.fixture = fixture;
        }

        @TransactionalEventListener(phase = TransactionPhase.BEFORE_COMMIT)
        public void beforeCommit(Event event) {
            fixture.log.add(event.name() + ".BEFORE_COMMIT");
        }

        @TransactionalEventListener(phase = TransactionPhase.AFTER_COMMIT)
        public void afterCommit(Event event) {
            fixture.log.add(event.name() + ".AFTER_COMMIT");
        }

        @TransactionalEventListener(phase = TransactionPhase.AFTER_ROLLBACK)
        public void afterRollback(Event event) {
            fixture.log.add(event.name() + ".AFTER_ROLLBACK");
        }

        @TransactionalEventListener(phase = TransactionPhase.AFTER_COMPLETION)
        public void afterCompletion(Event event) {
            fixture.log.add(event.name() + ".AFTER_COMPLETION");
        }
    }
}
