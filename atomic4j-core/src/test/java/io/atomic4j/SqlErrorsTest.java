package io.atomic4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.atomic4j.testing.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** SqlErrors on errors raised by the real databases, and on the vendor codes that are hard to provoke. */
class SqlErrorsTest extends DatabaseTestBase {

    SQLException errorOf(String sql) throws SQLException {
        try (Connection connection = db.connection(); Statement statement = connection.createStatement()) {
            return catchThrowableOfType(() -> statement.execute(sql), SQLException.class);
        }
    }

    @EveryDatabase
    void duplicateKeyIsIntegrity(TestDatabase database) throws SQLException {
        use(database);
        insert(1);
        SQLException error = errorOf("INSERT INTO item (id, name) VALUES (1, 'again')");
        assertThat(SqlErrors.classify(error)).isEqualTo(ErrorKind.INTEGRITY);
        assertThat(SqlErrors.isTransient(error)).isFalse();
    }

    @EveryDatabase
    void badSqlIsSyntax(TestDatabase database) throws SQLException {
        use(database);
        assertThat(SqlErrors.classify(errorOf("SELEC nothing"))).isEqualTo(ErrorKind.SYNTAX);
        assertThat(SqlErrors.classify(errorOf("SELECT * FROM no_such_table"))).isEqualTo(ErrorKind.SYNTAX);
    }

    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = {"H2", "POSTGRES", "MARIADB"})
    void valueTooLongIsData(TestDatabase database) throws SQLException {
        use(database);
        if (database == TestDatabase.MARIADB) {
            try (Connection connection = db.connection(); Statement statement = connection.createStatement()) {
                statement.execute("SET SESSION sql_mode = 'STRICT_ALL_TABLES'");
                assertThat(SqlErrors.classify(catchThrowableOfType(() -> statement.execute(
                        "INSERT INTO item (id, name) VALUES (1, '" + "x".repeat(60) + "')"), SQLException.class)))
                        .isEqualTo(ErrorKind.DATA);
            }
            return;
        }
        assertThat(SqlErrors.classify(errorOf("INSERT INTO item (id, name) VALUES (1, '" + "x".repeat(60) + "')")))
                .isEqualTo(ErrorKind.DATA);
    }

    @Test
    void vendorCodesAndStatesMapToTheirKinds() {
        assertThat(SqlErrors.classify(new SQLException("deadlock", "40001", 1213))).isEqualTo(ErrorKind.DEADLOCK);
        assertThat(SqlErrors.classify(new SQLException("lock wait", "HY000", 1205))).isEqualTo(ErrorKind.LOCK_TIMEOUT);
        assertThat(SqlErrors.classify(new SQLException("serialize", "40001", 0))).isEqualTo(ErrorKind.SERIALIZATION);
        assertThat(SqlErrors.classify(new SQLException("deadlock", "40P01", 0))).isEqualTo(ErrorKind.DEADLOCK);
        assertThat(SqlErrors.classify(new SQLException("lock", "55P03", 0))).isEqualTo(ErrorKind.LOCK_TIMEOUT);
        assertThat(SqlErrors.classify(new SQLException("terminated", "57P01", 0))).isEqualTo(ErrorKind.CONNECTION);
        assertThat(SqlErrors.classify(new SQLException("cancel", "57014", 0))).isEqualTo(ErrorKind.QUERY_CANCELED);
        assertThat(SqlErrors.classify(new SQLException("gone", "08006", 0))).isEqualTo(ErrorKind.CONNECTION);
        assertThat(SqlErrors.classify(new SQLNonTransientConnectionException("closed"))).isEqualTo(ErrorKind.CONNECTION);
        assertThat(SqlErrors.classify(new SQLException("h2 lock", "HYT00", 50200))).isEqualTo(ErrorKind.LOCK_TIMEOUT);
        assertThat(SqlErrors.classify(new SQLException("h2 deadlock", "40001", 40001))).isEqualTo(ErrorKind.DEADLOCK);
        assertThat(SqlErrors.classify(null)).isEqualTo(ErrorKind.OTHER);
        assertThat(SqlErrors.classify(new SQLException("nothing known"))).isEqualTo(ErrorKind.OTHER);
        assertThat(SqlErrors.isTransient(new SQLException("deadlock", "40P01", 0))).isTrue();
    }

    @Test
    void causeChainIsConsultedWhenTheOuterErrorSaysNothing() {
        SQLException outer = new SQLException("wrapper");
        outer.setNextException(new SQLException("serialize", "40001", 0));
        assertThat(SqlErrors.classify(outer)).isEqualTo(ErrorKind.SERIALIZATION);
    }

    @Test
    void sqliteBusyIsATransientLockTimeout() throws Exception {
        java.nio.file.Path file = java.nio.file.Files.createTempFile("atomic4j-busy", ".db");
        String url = "jdbc:sqlite:" + file;
        try (Connection first = java.sql.DriverManager.getConnection(url);
             Connection second = java.sql.DriverManager.getConnection(url)) {
            try (Statement statement = first.createStatement()) {
                statement.execute("CREATE TABLE t (id INT)");
                statement.execute("PRAGMA busy_timeout = 0");
                statement.execute("BEGIN IMMEDIATE");
            }
            try (Statement statement = second.createStatement()) {
                statement.execute("PRAGMA busy_timeout = 0");
                SQLException busy = catchThrowableOfType(() -> statement.execute("BEGIN IMMEDIATE"), SQLException.class);
                assertThat(SqlErrors.classify(busy)).isEqualTo(ErrorKind.LOCK_TIMEOUT);
                assertThat(SqlErrors.isTransient(busy)).isTrue();
            }
        } finally {
            java.nio.file.Files.deleteIfExists(file);
        }
    }

    @ParameterizedTest(name = "{0} is {1}")
    @org.junit.jupiter.params.provider.CsvSource({
        "SQLITE_BUSY, LOCK_TIMEOUT", "SQLITE_BUSY_SNAPSHOT, LOCK_TIMEOUT", "SQLITE_LOCKED, LOCK_TIMEOUT",
        "SQLITE_INTERRUPT, QUERY_CANCELED", "SQLITE_CONSTRAINT_UNIQUE, INTEGRITY", "SQLITE_TOOBIG, DATA",
        "SQLITE_MISMATCH, DATA", "SQLITE_RANGE, DATA", "SQLITE_ERROR, SYNTAX", "SQLITE_IOERR, OTHER",
    })
    void sqliteResultCodesMapToTheirKinds(org.sqlite.SQLiteErrorCode code, ErrorKind kind) {
        assertThat(SqlErrors.classify(new org.sqlite.SQLiteException("sqlite says " + code, code))).isEqualTo(kind);
    }

    @Test
    void aTimeoutIsACanceledQueryAndTransientConnectionErrorsAreConnectionLoss() {
        assertThat(SqlErrors.classify(new java.sql.SQLTimeoutException("timed out"))).isEqualTo(ErrorKind.QUERY_CANCELED);
        assertThat(SqlErrors.classify(new java.sql.SQLTransientConnectionException("pool"))).isEqualTo(ErrorKind.CONNECTION);
        assertThat(SqlErrors.classify(new java.sql.SQLRecoverableException("recover"))).isEqualTo(ErrorKind.CONNECTION);
        assertThat(SqlErrors.classify(new SQLException("vendor code below MariaDB's range", "40001", 999)))
                .isEqualTo(ErrorKind.SERIALIZATION);
        assertThat(SqlErrors.classify(new SQLException("unknown MariaDB code, known state", "40001", 1000)))
                .isEqualTo(ErrorKind.SERIALIZATION);
        assertThat(SqlErrors.classify(new SQLException("unknown H2 code, known state", "40001", 5000)))
                .isEqualTo(ErrorKind.SERIALIZATION);
        assertThat(SqlErrors.classify(new SQLException("MariaDB's last code", "HY000", 4999))).isEqualTo(ErrorKind.OTHER);
        assertThat(SqlErrors.classify(new SQLException("short state", "400", 0))).isEqualTo(ErrorKind.OTHER);
    }

    @Test
    void theCauseChainIsFollowedTenDeepAndNoFurther() {
        assertThat(SqlErrors.classify(chain(9))).isEqualTo(ErrorKind.SERIALIZATION);
        assertThat(SqlErrors.classify(chain(10))).isEqualTo(ErrorKind.OTHER);
    }

    /** {@code wrappers} SQLExceptions that say nothing, around one that is a serialization failure. */
    private static SQLException chain(int wrappers) {
        SQLException inner = new SQLException("serialize", "40001", 0);
        for (int i = 0; i < wrappers; i++) {
            inner = new SQLException("wrapper " + i, inner);
        }
        return inner;
    }
}
