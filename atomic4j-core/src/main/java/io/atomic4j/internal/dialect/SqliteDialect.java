package io.atomic4j.internal.dialect;

import io.atomic4j.Isolation;

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

    @Override
    public int isolationLevel(Isolation isolation) {
        return Dialects.sqliteLevel(isolation);
    }
}
