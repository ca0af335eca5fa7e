package io.atomic4j.internal.jdbc;

import io.atomic4j.internal.engine.AtomicBlocks;
import io.atomic4j.internal.engine.TransactionState;
import io.atomic4j.internal.errors.Messages;
import java.sql.SQLException;

/**
 * A pooled autocommit connection handed out by {@code db.dataSource()} outside any block. It
 * behaves as the driver's, except that it refuses to be used while a block (or a manual
 * transaction) of the same database is open on the using thread: its statements would commit on
 * their own and survive that block's rollback.
 */
final class UnboundConnection extends ForwardingConnection {
    private final AtomicBlocks blocks;

    UnboundConnection(java.sql.Connection pooled, AtomicBlocks blocks) {
        super(pooled);
        this.blocks = blocks;
    }

    @Override
    void checkUsable() {
        TransactionState state = blocks.currentState();
        if (state != null && state.bound()) {
            throw Messages.unboundConnectionInBlock(blocks.alias());
        }
    }

    @Override
    void checkSql(String sql) {
    }

    @Override
    void beforeStatement() {
        checkUsable();
    }

    @Override
    void beforeQuery() {
        checkUsable();
    }

    @Override
    SQLException failed(SQLException e) {
        return e;
    }

    @Override
    RuntimeException failedUnexpectedly(RuntimeException e) {
        return e;
    }

    @Override
    Error failedUnexpectedly(Error e) {
        return e;
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        return iface.isInstance(this) ? iface.cast(this) : delegate.unwrap(iface);
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) throws SQLException {
        return iface.isInstance(this) || delegate.isWrapperFor(iface);
    }

    @Override
    public String toString() {
        return "UnboundConnection[" + blocks.alias() + ", " + delegate + "]";
    }
}
