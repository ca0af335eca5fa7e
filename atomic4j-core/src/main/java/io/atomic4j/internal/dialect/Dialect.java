package io.atomic4j.internal.dialect;

import io.atomic4j.ErrorKind;
import io.atomic4j.Isolation;
import io.atomic4j.SqlErrors;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import javax.sql.DataSource;

/**
 * What differs between databases for the engine: savepoint SQL, which errors mean the
 * connection is gone, which isolation levels exist, and how to learn a lost COMMIT's outcome.
 * Stateless and thread-safe.
 */
public abstract class Dialect {
    /** A short name for messages and logs ("PostgreSQL"). */
    public abstract String name();

    public String savepointSql(String name) {
        return "SAVEPOINT " + name;
    }

    public String releaseSavepointSql(String name) {
        return "RELEASE SAVEPOINT " + name;
    }

    public String rollbackToSavepointSql(String name) {
        return "ROLLBACK TO SAVEPOINT " + name;
    }

    /**
     * SQL that rolls back to a savepoint nobody will use again, sent as one statement (one round
     * trip); null to send ROLLBACK TO and then RELEASE. Where creating a savepoint under a name
     * still in use replaces the old one, the release can simply be left out: the savepoint dies
     * with the transaction. Unknown databases may refuse a duplicate name, so they release.
     */
    public String rollbackToAndReleaseSavepointSql(String name) {
        return null;
    }

    /** True when the error means the connection can no longer be used (it is discarded, not returned to the pool). */
    public boolean isConnectionLost(SQLException e) {
        return SqlErrors.classify(e) == ErrorKind.CONNECTION;
    }

    /** The JDBC level to ask the driver for; databases without a level get the next stronger one. */
    public int isolationLevel(Isolation isolation) {
        return isolation.jdbcLevel();
    }

    /**
     * SQL that sets the isolation of the transaction just begun (autocommit off, read-only set,
     * nothing run yet), or null to set the level on the connection beforehand with JDBC's
     * setTransactionIsolation (restored when the connection goes back to the pool).
     */
    public String transactionIsolationSql(int jdbcLevel) {
        return null;
    }

    /** Makes the transaction about to start read-only (JDBC's setReadOnly; drivers that ignore it need SQL). */
    public void beginReadOnly(Connection connection) throws SQLException {
        connection.setReadOnly(true);
    }

    /** Undoes {@link #beginReadOnly} before the connection goes back to the pool. */
    public void endReadOnly(Connection connection) throws SQLException {
        connection.setReadOnly(false);
    }

    /** True where read-only must be undone before COMMIT/ROLLBACK (sqlite-jdbc begins the next transaction inside them). */
    public boolean endsReadOnlyBeforeCommit() {
        return false;
    }

    /**
     * True where the transaction that ends a session is best committed by switching autocommit
     * back on: where that switch costs a round trip of its own, it then carries the commit too.
     */
    /**
     * True where the driver's {@code Connection.commit()} also begins the next transaction in the
     * same call (sqlite-jdbc runs COMMIT, then BEGIN): a failure of that BEGIN (SQLITE_BUSY under a
     * concurrent writer) would report a commit that succeeded as failed, and a retry would apply
     * the work twice. Such transactions are committed by switching autocommit on (COMMIT alone).
     */
    public boolean commitAlsoBegins() {
        return false;
    }

    /**
     * True where DDL (CREATE, ALTER, DROP, TRUNCATE, RENAME...) commits the open transaction
     * implicitly (MariaDB/MySQL, H2): inside a block it would commit the block's work so far,
     * so the JDBC layer refuses it there. PostgreSQL and SQLite run DDL inside the transaction.
     */
    public boolean ddlCommitsTransaction() {
        return false;
    }

    public boolean commitsBySwitchingAutocommitOn() {
        return false;
    }

    /** Above this many savepoints in one transaction a WARN is logged once; 0 for never. */
    public int savepointWarningThreshold() {
        return 0;
    }

    /**
     * Called inside the transaction just before COMMIT. Returns a token that lets
     * {@link #resolveCommit} find the outcome later, or null when the dialect cannot resolve.
     * {@code mayHaveWritten} is false when the transaction ran only executeQuery statements; a
     * dialect may then skip work and return null (a lost COMMIT is then reported unknown).
     */
    public Object beforeCommit(Connection connection, boolean mayHaveWritten) throws SQLException {
        return null;
    }

    /**
     * A query that reads the same token as {@link #beforeCommit}, for the session to send in the
     * same string as a savepoint statement it sends anyway (after it, separated by "; "), so that
     * the token costs no round trip of its own; null to send none. Only offered where the driver
     * runs such a string in one flight and stops at the first failing statement.
     */
    public String commitTokenQuery(Connection connection) throws SQLException {
        return null;
    }

    /**
     * Reads the result of {@link #commitTokenQuery}. Returns a token that may stand in for the one
     * {@link #beforeCommit} would read, or null when it cannot yet (the transaction has not
     * written so far, so a later write may still change the answer).
     */
    public Object commitToken(ResultSet result) throws SQLException {
        return null;
    }

    /**
     * After the connection was lost during COMMIT: finds out whether the transaction with
     * {@code token} committed, opening a fresh connection from {@code pool} if it needs one.
     * TRUE committed, FALSE did not, null unknown. May wait (bounded) for the server to finish
     * with the lost connection.
     */
    public Boolean resolveCommit(DataSource pool, Object token) throws SQLException {
        return null;
    }

    @Override
    public String toString() {
        return name();
    }
}
