package io.atomic4j;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.atomic4j.testing.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;

/**
 * Base of the behavioural suites: each test opens a {@link Database} on one of the four real
 * databases with a fresh {@code item} table, and afterwards checks that nothing leaked (no block
 * left open on the thread, no pooled connection still borrowed).
 *
 * <p>Subclasses re-run a whole suite under another precondition by overriding {@link #prepare}
 * (Django's AtomicInsideTransactionTests / AtomicWithoutAutocommitTests).
 */
abstract class DatabaseTestBase {
    Database db;
    TestDatabase testDatabase;

    /** Opens the database under test with an empty {@code item} table. */
    Database use(TestDatabase testDatabase) throws SQLException {
        this.testDatabase = testDatabase;
        db = Database.builder(testDatabase.jdbcUrl()).user(testDatabase.user()).password(testDatabase.password())
                .maxPoolSize(4).build();
        try (Connection connection = db.connection(); Statement statement = connection.createStatement()) {
            statement.execute("DROP TABLE IF EXISTS item");
            statement.execute("CREATE TABLE item (id INT PRIMARY KEY, name VARCHAR(50))");
        }
        prepare(db);
        return db;
    }

    /** Hook for suites re-run in another mode; the default runs each test at top level in autocommit. */
    void prepare(Database db) {
    }

    /** Undoes {@link #prepare}. */
    void unprepare(Database db) {
    }

    @AfterEach
    void checkNothingLeakedAndClose() throws SQLException {
        if (db == null) {
            return;
        }
        try {
            unprepare(db);
            assertThat(db.inAtomicBlock()).as("block left open on the thread").isFalse();
            assertThat(db.getAutoCommit()).as("autocommit restored").isTrue();
            HikariDataSource pool = db.dataSource().unwrap(HikariDataSource.class);
            assertThat(pool.getHikariPoolMXBean().getActiveConnections()).as("borrowed connections").isZero();
        } finally {
            db.close();
        }
    }

    void insert(int id) throws SQLException {
        insert(db, id);
    }

    static void insert(Database db, int id) throws SQLException {
        try (Connection connection = db.connection();
             PreparedStatement statement = connection.prepareStatement("INSERT INTO item (id, name) VALUES (?, ?)")) {
            statement.setInt(1, id);
            statement.setString(2, "item " + id);
            statement.executeUpdate();
        }
    }

    /** Ids in the table as seen by this thread (inside a block: including its uncommitted rows). */
    List<Integer> ids() throws SQLException {
        return ids(db);
    }

    static List<Integer> ids(Database db) throws SQLException {
        List<Integer> ids = new ArrayList<>();
        try (Connection connection = db.connection(); Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT id FROM item ORDER BY id")) {
            while (rows.next()) {
                ids.add(rows.getInt(1));
            }
        }
        return ids;
    }

    /** Ids committed in the table, read on a separate plain connection. */
    List<Integer> committedIds() throws SQLException {
        List<Integer> ids = new ArrayList<>();
        try (Connection connection = testDatabase.newPlainDataSource().getConnection();
             Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT id FROM item ORDER BY id")) {
            while (rows.next()) {
                ids.add(rows.getInt(1));
            }
        }
        return ids;
    }
}
