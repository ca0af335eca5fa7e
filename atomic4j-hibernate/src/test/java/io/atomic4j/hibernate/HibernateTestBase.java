package io.atomic4j.hibernate;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.atomic4j.Database;
import io.atomic4j.testing.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.hibernate.SessionFactory;
import org.junit.jupiter.api.AfterEach;

/**
 * Opens a {@link Database} on one of the four real databases and a Hibernate factory on it with
 * fresh tables; afterwards checks that nothing leaked (no block left open, no pooled connection
 * still borrowed) and closes both.
 */
abstract class HibernateTestBase {
    Database db;
    TestDatabase testDatabase;
    SessionFactory factory;

    SessionFactory use(TestDatabase testDatabase) {
        return use(testDatabase, Map.of());
    }

    SessionFactory use(TestDatabase testDatabase, Map<String, Object> extraSettings) {
        this.testDatabase = testDatabase;
        db = Database.builder(testDatabase.jdbcUrl()).user(testDatabase.user()).password(testDatabase.password())
                .maxPoolSize(4).build();
        Map<String, Object> settings = new HashMap<>(extraSettings);
        settings.put("hibernate.hbm2ddl.auto", "create");
        if (testDatabase == TestDatabase.SQLITE) {
            settings.put("hibernate.dialect", "org.hibernate.community.dialect.SQLiteDialect");
        }
        factory = AtomicHibernate.sessionFactory(db, settings, Item.class, CachedItem.class);
        return factory;
    }

    @AfterEach
    void checkNothingLeakedAndClose() throws SQLException {
        if (db == null) {
            return;
        }
        try {
            assertThat(db.inAtomicBlock()).as("block left open on the thread").isFalse();
            HikariDataSource pool = db.dataSource().unwrap(HikariDataSource.class);
            assertThat(pool.getHikariPoolMXBean().getActiveConnections()).as("borrowed connections").isZero();
        } finally {
            try {
                factory.close();
            } finally {
                db.close();
            }
        }
    }

    /** Ids committed in hib_item, read on a separate plain connection. */
    List<Integer> committedIds() throws SQLException {
        return committed("SELECT id FROM hib_item ORDER BY id");
    }

    /** Names committed in hib_item, in id order. */
    List<String> committedNames() throws SQLException {
        List<String> names = new ArrayList<>();
        try (Connection connection = testDatabase.newPlainDataSource().getConnection();
             Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT name FROM hib_item ORDER BY id")) {
            while (rows.next()) {
                names.add(rows.getString(1));
            }
        }
        return names;
    }

    List<Integer> committed(String query) throws SQLException {
        List<Integer> ids = new ArrayList<>();
        try (Connection connection = testDatabase.newPlainDataSource().getConnection();
             Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery(query)) {
            while (rows.next()) {
                ids.add(rows.getInt(1));
            }
        }
        return ids;
    }
}
