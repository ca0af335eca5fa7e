package io.atomic4j;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.atomic4j.testing.FaultProxy;
import io.atomic4j.testing.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;

/**
 * Base of the failure suites: a {@link Database} reached through a {@link FaultProxy} (servers)
 * or directly (SQLite, H2), on a database of its own per test class with a fresh {@code item}
 * table per test. Rows are checked behind atomic4j's back on a plain, unproxied connection.
 * After each test it checks that the failure left nothing behind: no block open on the thread,
 * autocommit back on, no pooled connection still borrowed.
 */
abstract class FaultTestBase {
    /** One database per test class and kind, created on first use (CREATE DATABASE costs a checkpoint on PostgreSQL). */
    private static final Map<Class<?>, Map<TestDatabase, String>> URLS = new java.util.concurrent.ConcurrentHashMap<>();

    TestDatabase testDatabase;
    /** The database's own URL (no proxy). */
    String directUrl;
    /** The proxy in front of the server; null for SQLite and H2. */
    FaultProxy proxy;
    Database db;

    /**
     * The text on the wire that commits a block's transaction: on MariaDB the commit rides on
     * switching autocommit back on, the round trip the connection's reset would cost anyway.
     */
    static String blockCommitMarker(TestDatabase testDatabase) {
        return testDatabase == TestDatabase.MARIADB ? "set autocommit=1" : "COMMIT";
    }

    /** Opens the database under test through a new proxy (servers), with an empty {@code item} table. */
    Database open(TestDatabase testDatabase, int maxPoolSize) throws SQLException {
        return open(testDatabase, Database.builder(proxiedUrl(testDatabase)).maxPoolSize(maxPoolSize));
    }

    /** The class's database URL, through a new proxy for servers; for builders that need more options. */
    String proxiedUrl(TestDatabase testDatabase) throws SQLException {
        this.testDatabase = testDatabase;
        directUrl = URLS.computeIfAbsent(getClass(), c -> new EnumMap<>(TestDatabase.class))
                .computeIfAbsent(testDatabase, kind -> kind.newDatabaseUrl(getClass().getSimpleName()));
        try (Connection connection = plainConnection(); Statement statement = connection.createStatement()) {
            statement.execute("DROP TABLE IF EXISTS item");
            statement.execute("CREATE TABLE item (id INT PRIMARY KEY, name VARCHAR(50))");
        }
        if (!testDatabase.isServer()) {
            return directUrl;
        }
        proxy = testDatabase.newFaultProxy();
        return testDatabase.jdbcUrlThrough(directUrl, proxy);
    }

    Database open(TestDatabase testDatabase, Database.Builder builder) {
        this.testDatabase = testDatabase;
        db = builder.user(testDatabase.user()).password(testDatabase.password()).build();
        return db;
    }

    @AfterEach
    void checkNothingLeftBehind() throws SQLException {
        try {
            if (db != null) {
                assertThat(db.inAtomicBlock()).as("block left open on the thread").isFalse();
                assertThat(db.getAutoCommit()).as("autocommit restored").isTrue();
                assertThat(activeConnections()).as("borrowed connections").isZero();
            }
        } finally {
            if (db != null) {
                db.close();
            }
            if (proxy != null) {
                proxy.close();
            }
        }
    }

    int activeConnections() throws SQLException {
        return db.dataSource().unwrap(HikariDataSource.class).getHikariPoolMXBean().getActiveConnections();
    }

    Connection plainConnection() throws SQLException {
        return testDatabase.newPlainDataSource(directUrl).getConnection();
    }

    void insert(int id) throws SQLException {
        insert(db, id, "item " + id);
    }

    static void insert(Database db, int id, String name) throws SQLException {
        try (Connection connection = db.connection();
             PreparedStatement statement = connection.prepareStatement("INSERT INTO item (id, name) VALUES (?, ?)")) {
            statement.setInt(1, id);
            statement.setString(2, name);
            statement.executeUpdate();
        }
    }

    /** Ids committed in the table, read on a plain connection that does not go through the proxy. */
    List<Integer> committedIds() throws SQLException {
        List<Integer> ids = new ArrayList<>();
        try (Connection connection = plainConnection(); Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT id FROM item ORDER BY id")) {
            while (rows.next()) {
                ids.add(rows.getInt(1));
            }
        }
        return ids;
    }

    /** The server's id of the connection in use (PostgreSQL backend pid, MariaDB connection id). */
    long serverConnectionId() throws SQLException {
        String sql = testDatabase == TestDatabase.POSTGRES ? "SELECT pg_backend_pid()" : "SELECT CONNECTION_ID()";
        try (Connection connection = db.connection(); Statement statement = connection.createStatement();
             ResultSet row = statement.executeQuery(sql)) {
            row.next();
            return row.getLong(1);
        }
    }

    /** Runs {@code sql} on {@code db}'s connection (the block's inside one). */
    static void execute(Database db, String sql) throws SQLException {
        try (Connection connection = db.connection(); Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    /** Runs {@code body} and returns what it threw; fails the test if it threw nothing. */
    static Throwable thrownBy(ThrowingRunnable body) {
        try {
            body.run();
        } catch (Throwable e) {
            return e;
        }
        throw new AssertionError("expected an exception, none was thrown");
    }

    @FunctionalInterface
    interface ThrowingRunnable {
        void run() throws Throwable;
    }
}
