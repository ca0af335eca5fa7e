package io.atomic4j.internal.jdbc;

import io.atomic4j.internal.engine.AtomicBlocks;
import io.atomic4j.internal.engine.TransactionState;
import io.atomic4j.internal.errors.Messages;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.concurrent.Executor;

/**
 * The connection handed out inside a block (or a manual transaction): the thread's bound
 * connection. Its close() leaves it open, and transaction control goes through the engine so
 * that blocks stay consistent. Statements created from it report to the engine.
 */
final class BoundConnection extends ForwardingConnection {
    private final JdbcSession session;
    private final TransactionState state;
    private final AtomicBlocks blocks;

    BoundConnection(JdbcSession session, TransactionState state, AtomicBlocks blocks) {
        super(session.connection);
        this.session = session;
        this.state = state;
        this.blocks = blocks;
    }

    // ------------------------------------------------------------------ called by the statement wrappers

    @Override
    void checkUsable() {
        if (state.session() != session) {
            throw Messages.connectionAfterBlock(blocks.alias());
        }
        if (session.isBroken()) {
            // Say so rather than let the driver or pool answer "connection is closed" (ConnectionLossTest).
            throw Messages.connectionLostInBlock(blocks.alias(), state.lostCause());
        }
    }

    /**
     * Runs before every statement but executeQuery: refuses a connection whose transaction has
     * ended, then the engine's check; notes that the transaction may have written.
     */
    void beforeStatement() {
        checkUsable();
        blocks.beforeStatement(state);
        session.mayHaveWritten = true;
    }

    /** Runs before executeQuery: the same checks; a query is taken to write nothing. */
    void beforeQuery() {
        checkUsable();
        blocks.beforeStatement(state);
    }

    /** The single funnel for statement errors; returns the driver's exception for the caller to rethrow. */
    SQLException failed(SQLException e) {
        if (state.session() == session) {
            blocks.statementFailed(state, e, session.dialect.isConnectionLost(e));
        }
        return e;
    }

    // ------------------------------------------------------------------ overridden java.sql.Connection methods

    /** Leaves the connection open: it belongs to the block, which returns it to the pool when it ends. */
    @Override
    public void close() {
    }

    @Override
    public void commit() {
        if (state.inAtomicBlock()) {
            throw Messages.forbiddenInBlock(blocks.alias(), "Connection.commit()");
        }
        blocks.commit();
    }

    @Override
    public void rollback() {
        if (state.inAtomicBlock()) {
            throw Messages.forbiddenInBlock(blocks.alias(), "Connection.rollback()");
        }
        blocks.rollback();
    }

    @Override
    public boolean getAutoCommit() {
        return false;
    }

    /** Asking for what is already true (autocommit off) is allowed; JDBI and jOOQ do it. */
    @Override
    public void setAutoCommit(boolean autoCommit) {
        if (!autoCommit) {
            return;
        }
        if (state.inAtomicBlock()) {
            throw Messages.forbiddenInBlock(blocks.alias(), "Connection.setAutoCommit(true)");
        }
        blocks.setAutoCommit(true);
    }

    @Override
    public Savepoint setSavepoint() throws SQLException {
        beforeStatement();
        try {
            return delegate.setSavepoint();
        } catch (SQLException e) {
            throw failed(e);
        }
    }

    @Override
    public Savepoint setSavepoint(String name) throws SQLException {
        beforeStatement();
        try {
            return delegate.setSavepoint(name);
        } catch (SQLException e) {
            throw failed(e);
        }
    }

    @Override
    public void releaseSavepoint(Savepoint savepoint) throws SQLException {
        beforeStatement();
        try {
            delegate.releaseSavepoint(savepoint);
        } catch (SQLException e) {
            throw failed(e);
        }
    }

    @Override
    public void rollback(Savepoint savepoint) throws SQLException {
        try {
            delegate.rollback(savepoint);
        } catch (SQLException e) {
            throw failed(e);
        }
    }

    @Override
    public void abort(Executor executor) throws SQLException {
        session.markBroken();
        delegate.abort(executor);
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
        return "BoundConnection[" + blocks.alias() + ", " + delegate + "]";
    }
}
