package io.atomic4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.atomic4j.testing.TestDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A SQLite block takes the write lock when it starts (BEGIN IMMEDIATE, DESIGN.md), not on its
 * first write: a deferred transaction that has only read would let another writer in and then
 * fail with SQLITE_BUSY when it upgrades. The shared test URLs wait 10 s for a lock, which hides
 * the difference, so these tests use busy_timeout 0: a writer that finds the lock taken is
 * refused at once. The file is in WAL mode, where a mere reader never blocks a writer, so only
 * a lock taken at the block's start can refuse the second writer.
 */
class SqliteWriteLockTest {
    private String url;
    private Database db;

    @BeforeEach
    void openWithoutBusyTimeout() throws SQLException {
        url = TestDatabase.SQLITE.newDatabaseUrl("write_lock").replaceFirst("busy_timeout=\\d+", "busy_timeout=0");
        assertThat(url).contains("journal_mode=WAL").contains("busy_timeout=0");
        try (Connection connection = DriverManager.getConnection(url); Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE item (id INT PRIMARY KEY, name VARCHAR(50))");
            statement.execute("INSERT INTO item (id, name) VALUES (1, 'before')");
        }
        db = Database.builder(url).maxPoolSize(2).build();
    }

    @AfterEach
    void close() {
        db.close();
    }

    @Test
    void aBlockThatHasOnlyReadRefusesAWriterOnAnotherConnectionAtOnce() throws Exception {
        SQLException[] refused = new SQLException[1];
        db.atomic(() -> {
            assertThat(ids(db.connection())).containsExactly(1);
            try (Connection other = DriverManager.getConnection(url); Statement statement = other.createStatement()) {
                refused[0] = catchThrowableOfType(
                        () -> statement.executeUpdate("INSERT INTO item (id, name) VALUES (2, 'other')"), SQLException.class);
            }
        });

        assertThat((Throwable) refused[0]).as("the other connection's INSERT while the block was open").isNotNull();
        assertThat(refused[0].getMessage()).contains("SQLITE_BUSY");
        assertThat(SqlErrors.classify(refused[0])).isEqualTo(ErrorKind.LOCK_TIMEOUT);
        try (Connection plain = DriverManager.getConnection(url)) {
            assertThat(ids(plain)).containsExactly(1);
        }
    }

    @Test
    void aBlockOfAnotherDatabaseOnTheSameFileCannotStartWhileOneIsOpen() throws Exception {
        try (Database second = Database.builder(url).alias("second").maxPoolSize(1).build()) {
            DatabaseException refused = db.atomic(() -> {
                assertThat(ids(db.connection())).containsExactly(1);
                return catchThrowableOfType(() -> second.atomic(() -> ids(second.connection())), DatabaseException.class);
            });

            assertThat(refused).as("a second block starting while the first holds the write lock").isNotNull();
            assertThat(refused.kind()).isEqualTo(ErrorKind.LOCK_TIMEOUT);
            assertThat(second.atomic(() -> ids(second.connection()))).as("free again once the first block ended")
                    .containsExactly(1);
        }
    }

    @Test
    void theWriteLockIsReleasedWhenTheBlockRollsBack() throws Exception {
        catchThrowableOfType(() -> db.atomic(() -> {
            ids(db.connection());
            throw new IllegalStateException("roll back");
        }), IllegalStateException.class);

        try (Connection other = DriverManager.getConnection(url); Statement statement = other.createStatement()) {
            assertThat(statement.executeUpdate("INSERT INTO item (id, name) VALUES (2, 'other')")).isEqualTo(1);
        }
    }

    private static List<Integer> ids(Connection connection) throws SQLException {
        List<Integer> ids = new ArrayList<>();
        try (connection; Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT id FROM item ORDER BY id")) {
            while (rows.next()) {
                ids.add(rows.getInt(1));
            }
        }
        return ids;
    }
}
