package io.atomic4j.internal.dialect;

import io.atomic4j.Isolation;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * SQLite (xerial sqlite-jdbc). Transactions start as BEGIN IMMEDIATE when atomic4j opens the
 * pool (see {@code Database.Builder}): a deferred transaction that reads and then writes fails
 * at once with SQLITE_BUSY instead of waiting for the lock.
 */
public final class SqliteDialect extends Dialect {
    @Override
    public String name() {
        return "SQLite";
    }

    /**
     * Savepoints of one name stack, and ROLLBACK TO and RELEASE act on the newest: one left behind
     * underneath a newer namesake is never touched again, and dies with the transaction.
     */
    @Override
    public String rollbackToAndReleaseSavepointSql(String name) {
        return rollbackToSavepointSql(name);
    }

    @Override
    public int isolationLevel(Isolation isolation) {
        return Dialects.sqliteLevel(isolation);
    }

    /** sqlite-jdbc cannot change read-only on an open connection; query_only refuses writes the same way. */
    @Override
    public void beginReadOnly(Connection connection) throws SQLException {
        queryOnly(connection, true);
    }

    @Override
    public void endReadOnly(Connection connection) throws SQLException {
        queryOnly(connection, false);
    }

    /** sqlite-jdbc's commit() and rollback() run BEGIN IMMEDIATE for the next transaction, which query_only refuses. */
    @Override
    public boolean endsReadOnlyBeforeCommit() {
        return true;
    }

    private static void queryOnly(Connection connection, boolean on) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute("PRAGMA query_only = " + (on ? "1" : "0"));
        }
    }

    /** sqlite-jdbc's commit() runs COMMIT and then BEGIN IMMEDIATE, which may fail with SQLITE_BUSY after the commit. */
    @Override
    public boolean commitAlsoBegins() {
        return true;
    }

    /** The same reason: SET autocommit on is COMMIT alone; a block's transaction ends its session anyway. */
    @Override
    public boolean commitsBySwitchingAutocommitOn() {
        return true;
    }
}
