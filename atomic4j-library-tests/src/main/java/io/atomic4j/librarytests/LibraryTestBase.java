package io.atomic4j.librarytests;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.atomic4j.Database;
import io.atomic4j.testing.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;

/**
 * Base of the library tests: each test opens a {@link Database} on one of the four real
 * databases with a fresh {@code item (id INT PRIMARY KEY, name VARCHAR(50))} table, builds the
 * library over it, and afterwards checks that no block was left open on the thread and no
 * pooled connection is still borrowed.
 */
public abstract class LibraryTestBase {
    /** A body that may throw anything, run by the library's transaction API. */
    @FunctionalInterface
    public interface Body {
        void run() throws Exception;
    }

    /** What the tests throw to make a block fail: an application error, not an SQL one. */
    public static final class Boom extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public Boom() {
            super("boom");
        }
    }

    protected Database db;
    protected TestDatabase testDatabase;

    /** Builds the library's entry object (DSLContext, Jdbi, SqlSessionFactory) over {@code db}. */
    protected abstract void open(Database db, TestDatabase testDatabase) throws Exception;

    /** Inserts row {@code id} into {@code item (id INT PRIMARY KEY, name VARCHAR(50))} through the library. */
    protected abstract void insert(int id) throws Exception;

    /** Releases what {@link #open} built; the Database is closed by the matrix. */
    protected void closeLibrary() throws Exception {
    }

    protected Database use(TestDatabase testDatabase) throws Exception {
        this.testDatabase = testDatabase;
        db = Database.builder(testDatabase.jdbcUrl()).user(testDatabase.user()).password(testDatabase.password())
                .maxPoolSize(4).build();
        try (Connection connection = db.connection(); Statement statement = connection.createStatement()) {
            statement.execute("DROP TABLE IF EXISTS item");
            statement.execute("CREATE TABLE item (id INT PRIMARY KEY, name VARCHAR(50))");
        }
        open(db, testDatabase);
        return db;
    }

    @AfterEach
    void checkNothingLeakedAndClose() throws Exception {
        if (db == null) {
            return;
        }
        try {
            closeLibrary();
            assertThat(db.inAtomicBlock()).as("block left open on the thread").isFalse();
            HikariDataSource pool = db.dataSource().unwrap(HikariDataSource.class);
            assertThat(pool.getHikariPoolMXBean().getActiveConnections()).as("borrowed connections").isZero();
        } finally {
            db.close();
        }
    }

    // ---- helpers

    /** Ids committed in {@code item}, read on a separate plain connection. */
    protected List<Integer> committedIds() throws SQLException {
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

    protected static boolean hasCause(Throwable error, Class<? extends Throwable> type) {
        for (Throwable current = error; current != null; current = current.getCause()) {
            if (type.isInstance(current)) {
                return true;
            }
        }
        return false;
    }
}
