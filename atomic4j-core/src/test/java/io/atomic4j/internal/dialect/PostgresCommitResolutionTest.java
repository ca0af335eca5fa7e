package io.atomic4j.internal.dialect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.atomic4j.testing.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link PostgresDialect}'s commit resolution against a real server, in the cases a proxy cut
 * cannot stage: the lost backend is still open (the server has not noticed its client is gone,
 * as after a silent network failure), is busy, or its process id was reused by another session.
 */
class PostgresCommitResolutionTest {
    private static String url;
    private static DataSource plain;

    @BeforeAll
    static void createTable() throws SQLException {
        url = TestDatabase.POSTGRES.newDatabaseUrl("resolution");
        plain = TestDatabase.POSTGRES.newPlainDataSource(url);
        try (Connection connection = plain.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE item (id INT PRIMARY KEY)");
        }
    }

    /** A connection in a transaction that inserted {@code id}: the "lost" one, left open on the server. */
    private static Connection openTransaction(int id) throws SQLException {
        Connection connection = plain.getConnection();
        connection.setAutoCommit(false);
        try (Statement statement = connection.createStatement()) {
            statement.execute("INSERT INTO item VALUES (" + id + ")");
        }
        return connection;
    }

    @Test
    void committedTransactionIsReportedCommitted() throws SQLException {
        PostgresDialect dialect = new PostgresDialect();
        Object token;
        try (Connection connection = openTransaction(1)) {
            token = dialect.beforeCommit(connection, true);
            connection.commit();
        }
        assertThat(token).isInstanceOf(PostgresDialect.CommitToken.class);
        assertThat(dialect.resolveCommit(plain, token)).isTrue();
    }

    @Test
    void rolledBackTransactionIsReportedNotCommitted() throws SQLException {
        PostgresDialect dialect = new PostgresDialect();
        Object token;
        try (Connection connection = openTransaction(2)) {
            token = dialect.beforeCommit(connection, true);
            connection.rollback();
        }
        assertThat(dialect.resolveCommit(plain, token)).isFalse();
    }

    @Test
    void transactionStillIdleOnItsBackendIsEndedAndReportedNotCommitted() throws SQLException {
        PostgresDialect dialect = new PostgresDialect();
        Connection lost = openTransaction(3);
        try {
            Object token = dialect.beforeCommit(lost, true);

            assertThat(dialect.resolveCommit(plain, token)).isFalse();

            assertThatThrownBy(() -> lost.createStatement().execute("SELECT 1"))
                    .isInstanceOf(SQLException.class)
                    .satisfies(e -> assertThat(((SQLException) e).getSQLState()).matches("57P01|08\\d{3}"));
        } finally {
            closeQuietly(lost);
        }
        assertThat(count("SELECT count(*) FROM item WHERE id = 3")).isZero();
    }

    @Test
    void busyBackendIsWaitedForUntilItsCommitEnds() throws Exception {
        PostgresDialect dialect = new PostgresDialect();
        Connection lost = openTransaction(4);
        try {
            Object token = dialect.beforeCommit(lost, true);
            // The backend is busy with its COMMIT (slowed down): one message, so it never shows idle in between.
            CompletableFuture<Void> committing = CompletableFuture.runAsync(() -> {
                try (Statement statement = lost.createStatement()) {
                    statement.execute("SELECT pg_sleep(0.3); COMMIT");
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
            awaitActive(((PostgresDialect.CommitToken) token).backendPid());

            assertThat(dialect.resolveCommit(plain, token)).isTrue();

            committing.get(10, TimeUnit.SECONDS);
        } finally {
            closeQuietly(lost);
        }
        assertThat(count("SELECT count(*) FROM item WHERE id = 4")).isOne();
    }

    @Test
    void anotherSessionWithTheSameProcessIdIsNeverTerminated() throws SQLException {
        PostgresDialect dialect = new PostgresDialect(TimeUnit.MILLISECONDS.toNanos(300));
        Connection lost = openTransaction(5);
        Connection bystander = openTransaction(6);
        try {
            PostgresDialect.CommitToken real = (PostgresDialect.CommitToken) dialect.beforeCommit(lost, true);
            PostgresDialect.CommitToken bystanderToken = (PostgresDialect.CommitToken) dialect.beforeCommit(bystander, true);
            // The lost transaction's id, but the pid of a live session that is not running it (a reused pid).
            PostgresDialect.CommitToken reusedPid = new PostgresDialect.CommitToken(real.xid(), bystanderToken.backendPid(),
                    real.history());

            assertThat(dialect.resolveCommit(plain, reusedPid)).as("still in progress: unknown").isNull();

            bystander.commit();
            lost.commit();
        } finally {
            closeQuietly(lost);
            closeQuietly(bystander);
        }
        assertThat(count("SELECT count(*) FROM item WHERE id IN (5, 6)")).isEqualTo(2);
    }

    @Test
    void transactionThatWroteNothingHasNothingToResolve() throws SQLException {
        PostgresDialect dialect = new PostgresDialect();
        try (Connection connection = plain.getConnection()) {
            connection.setAutoCommit(false);
            try (Statement statement = connection.createStatement()) {
                statement.execute("SELECT count(*) FROM item");
            }
            Object token = dialect.beforeCommit(connection, true);
            connection.commit();
            assertThat(token).isSameAs(PostgresDialect.NOTHING_WRITTEN);
            assertThat(dialect.resolveCommit(plain, token)).isTrue();
        }
    }

    @Test
    void transactionThatOnlyQueriedCostsNoRoundTripAndCannotBeResolved() throws SQLException {
        PostgresDialect dialect = new PostgresDialect();
        try (Connection connection = openTransaction(7)) {
            assertThat(dialect.beforeCommit(connection, false)).isNull();
            connection.rollback();
        }
    }

    @Test
    void idQueryIsOfferedForSavepointStatementsOnlyAfterTheServerRanItAlone() throws SQLException {
        PostgresDialect dialect = new PostgresDialect();
        try (Connection connection = openTransaction(8)) {
            assertThat(dialect.commitTokenQuery(connection)).isNull();
            dialect.beforeCommit(connection, true);
            assertThat(dialect.commitTokenQuery(connection)).isNotNull();
            connection.rollback();
        }
    }

    @Test
    void tokenReadAlongsideReleaseSavepointIsTheOneReadBeforeCommitAndResolves() throws SQLException {
        PostgresDialect dialect = new PostgresDialect();
        warmUp(dialect);
        Object piggybacked;
        Object beforeCommit;
        try (Connection connection = plain.getConnection()) {
            connection.setAutoCommit(false);
            try (Statement statement = connection.createStatement()) {
                statement.execute("SAVEPOINT s");
                statement.execute("INSERT INTO item VALUES (9)");
                piggybacked = afterSavepointStatement(dialect, connection, "RELEASE SAVEPOINT s");
            }
            beforeCommit = dialect.beforeCommit(connection, true);
            connection.commit();
        }
        assertThat(piggybacked).isInstanceOf(PostgresDialect.CommitToken.class).isEqualTo(beforeCommit);
        assertThat(dialect.resolveCommit(plain, piggybacked)).isTrue();
    }

    /** The subtransaction that wrote is gone, but it assigned the transaction's own id first. */
    @Test
    void tokenReadAlongsideRollbackToSavepointResolvesTheTransaction() throws SQLException {
        PostgresDialect dialect = new PostgresDialect();
        warmUp(dialect);
        Object token;
        try (Connection connection = plain.getConnection()) {
            connection.setAutoCommit(false);
            try (Statement statement = connection.createStatement()) {
                statement.execute("SAVEPOINT s");
                statement.execute("INSERT INTO item VALUES (10)");
                token = afterSavepointStatement(dialect, connection, "ROLLBACK TO SAVEPOINT s; RELEASE SAVEPOINT s");
            }
            connection.rollback();
        }
        assertThat(token).isInstanceOf(PostgresDialect.CommitToken.class);
        assertThat(dialect.resolveCommit(plain, token)).isFalse();
    }

    /** Unlike before COMMIT, no id yet does not mean nothing written: a later statement may still write. */
    @Test
    void savepointStatementBeforeAnyWriteReadsNoToken() throws SQLException {
        PostgresDialect dialect = new PostgresDialect();
        warmUp(dialect);
        try (Connection connection = plain.getConnection()) {
            connection.setAutoCommit(false);
            try (Statement statement = connection.createStatement()) {
                statement.execute("SAVEPOINT s");
                assertThat(afterSavepointStatement(dialect, connection, "RELEASE SAVEPOINT s")).isNull();
            }
            connection.rollback();
        }
    }

    @Test
    void readOnlyTransactionIsOfferedNoIdQuery() throws SQLException {
        PostgresDialect dialect = new PostgresDialect();
        warmUp(dialect);
        try (Connection connection = plain.getConnection()) {
            connection.setAutoCommit(false);
            connection.setReadOnly(true);
            assertThat(dialect.commitTokenQuery(connection)).isNull();
            connection.rollback();
            connection.setReadOnly(false);
        }
    }

    /** Lets the server run the id query alone once, as the first writing transaction does. */
    private static void warmUp(PostgresDialect dialect) throws SQLException {
        try (Connection connection = plain.getConnection()) {
            connection.setAutoCommit(false);
            dialect.beforeCommit(connection, true);
            connection.rollback();
        }
    }

    /** Sends {@code savepointSql} and the dialect's id query in one string, as JdbcSession does; returns the token. */
    private static Object afterSavepointStatement(PostgresDialect dialect, Connection connection, String savepointSql)
            throws SQLException {
        try (Statement statement = connection.createStatement()) {
            boolean rows = statement.execute(savepointSql + "; " + dialect.commitTokenQuery(connection));
            while (!rows) {
                assertThat(statement.getUpdateCount()).as("a result set follows").isNotEqualTo(-1);
                rows = statement.getMoreResults();
            }
            try (ResultSet result = statement.getResultSet()) {
                return dialect.commitToken(result);
            }
        }
    }

    private static void awaitActive(int pid) throws SQLException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (count("SELECT count(*) FROM pg_stat_activity WHERE pid = " + pid + " AND state = 'active'") == 0) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("backend " + pid + " never became active");
            }
            Thread.onSpinWait();
        }
    }

    private static int count(String sql) throws SQLException {
        try (Connection connection = plain.getConnection(); Statement statement = connection.createStatement();
             ResultSet row = statement.executeQuery(sql)) {
            row.next();
            return row.getInt(1);
        }
    }

    private static void closeQuietly(Connection connection) {
        try {
            connection.close();
        } catch (SQLException ignored) {
            // A terminated backend's connection may complain on close.
        }
    }
}
