package io.atomic4j.mybatis;

import io.atomic4j.AtomicOptions;
import io.atomic4j.AtomicScope;
import io.atomic4j.Database;
import java.sql.Connection;
import java.sql.SQLException;
import org.apache.ibatis.transaction.Transaction;

/**
 * The transaction of one MyBatis session: an atomic block opened at the first statement and
 * ended by commit() or rollback(). Used by the session's thread only.
 */
final class AtomicTransaction implements Transaction {
    private final Database db;
    private final AtomicOptions options;
    private final boolean autoCommit;
    /** The open block; null before the first statement and after each commit/rollback. */
    private AtomicScope block;
    /** An autocommit session's pooled connection for statements outside blocks; null until needed. */
    private Connection own;

    AtomicTransaction(Database db, AtomicOptions options, boolean autoCommit) {
        this.db = db;
        this.options = options;
        this.autoCommit = autoCommit;
    }

    /** MyBatis asks before every statement, so the connection can follow the blocks. */
    @Override
    public Connection getConnection() throws SQLException {
        if (!autoCommit && block == null) {
            block = db.begin(options);
        }
        if (db.inAtomicBlock() || !db.getAutoCommit()) {
            return db.connection();        // the block's connection; its close() leaves it open
        }
        if (own == null) {
            own = db.connection();         // autocommit session outside blocks: a pooled connection
        }
        return own;
    }

    @Override
    public void commit() {
        AtomicScope ending = block;
        block = null;
        if (ending != null) {
            ending.complete();
            ending.close();
        }
    }

    @Override
    public void rollback() {
        AtomicScope ending = block;
        block = null;
        if (ending != null) {
            ending.close();
        }
    }

    @Override
    public void close() throws SQLException {
        Connection pooled = own;
        own = null;
        try {
            rollback();
        } finally {
            if (pooled != null) {
                pooled.close();
            }
        }
    }

    @Override
    public Integer getTimeout() {
        return null;
    }
}
