package io.atomic4j.internal.jdbc;

import io.atomic4j.internal.engine.AtomicBlocks;
import io.atomic4j.internal.engine.Statements;
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
    private final Statements statements;

    BoundConnection(JdbcSession session, TransactionState state, AtomicBlocks blocks) {
        super(session.connection);
        this.session = session;
        this.state = state;
        this.blocks = blocks;
        this.statements = blocks.statements();
    }

    // ------------------------------------------------------------------ called by the statement wrappers

    @Override
    void checkUsable() {
        if (state.session() != session) {
            throw Messages.connectionAfterBlock(blocks.alias());
        }
        if (state.suspended()) {
            throw Messages.suspendedConnection(blocks.alias());
        }
        if (session.isBroken()) {
            // Say so rather than let the driver or pool answer "connection is closed" (ConnectionLossTest).
            throw Messages.connectionLostInBlock(blocks.alias(), state.lostCause());
        }
    }

    /** Inside a block, SQL that would end or split the transaction is refused, and the block marked for rollback. */
    @Override
    void checkSql(String sql) {
        if (state.inAtomicBlock()) {
            String keyword = TransactionControlSql.keyword(sql, session.dialect.ddlCommitsTransaction());
            if (keyword != null) {
                throw statements.refuseInBlock(state, "SQL " + keyword);
            }
        }
    }

    /**
     * Runs before every statement but executeQuery: refuses a connection whose transaction has
     * ended, then the engine's check; notes that the transaction may have written.
     */
    @Override
    void beforeStatement() {
        checkUsable();
        if (session.reopenPending) {
            session.reopen(true);
        }
        statements.beforeStatement(state);
        session.mayHaveWritten = true;
        session.pendingWork = true;
    }

    /** Runs before executeQuery: the same checks; a query is taken to write nothing. */
    @Override
    void beforeQuery() {
        checkUsable();
        if (session.reopenPending) {
            session.reopen(true);
        }
        statements.beforeStatement(state);
        session.pendingWork = true;
    }

    /**
     * The driver failed with something other than an SQLException: whether the statement ran is
     * unknown, so the connection is treated as lost (the block rolls back, the connection is discarded).
     */
    @Override
    RuntimeException failedUnexpectedly(RuntimeException e) {
        if (state.session() == session) {
            statements.statementFailed(state, e, true);
        }
        return e;
    }

    @Override
    Error failedUnexpectedly(Error e) {
        if (state.session() == session) {
            statements.statementFailed(state, e, true);
        }
        return e;
    }

    @Override
    SQLException failed(SQLException e) {
        if (state.session() == session) {
            statements.statementFailed(state, e, session.dialect.isConnectionLost(e));
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
            throw statements.refuseInBlock(state, "Connection.commit()");
        }
        blocks.commit();
    }

    @Override
    public void rollback() {
        if (state.inAtomicBlock()) {
            throw statements.refuseInBlock(state, "Connection.rollback()");
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
            throw statements.refuseInBlock(state, "Connection.setAutoCommit(true)");
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
        if (name != null && name.regionMatches(true, 0, Statements.SAVEPOINT_PREFIX, 0, Statements.SAVEPOINT_PREFIX.length())) {
            throw Messages.reservedSavepointName(blocks.alias(), name);
        }
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

    /**
     * The connection is gone as if the network had cut it: the block can only roll back (on SQLite
     * and H2, whose abort() leaves the session usable, its work would otherwise commit), and the
     * connection never goes back to the pool.
     */
    @Override
    public void abort(Executor executor) throws SQLException {
        delegate.abort(executor);
        session.markBroken();
        session.endPhysicalSession();
        if (state.session() == session) {
            statements.statementFailed(state, Messages.aborted(blocks.alias()), true);
        }
    }

    /**
     * Inside a block, the driver's own connection never leaves: its commit() and rollback() would
     * bypass the block. A driver interface that is not a java.sql.Connection (PGConnection for
     * COPY, say) is handed out behind a proxy that implements only that interface.
     */
    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        if (iface.isInstance(this)) {
            return iface.cast(this);
        }
        checkUsable();
        T unwrapped = delegate.unwrap(iface);
        if (!state.inAtomicBlock() || !(unwrapped instanceof java.sql.Connection)) {
            return unwrapped;
        }
        if (!iface.isInterface() || java.sql.Connection.class.isAssignableFrom(iface)) {
            throw statements.refuseInBlock(state, "unwrap(" + iface.getName() + ")");
        }
        return iface.cast(java.lang.reflect.Proxy.newProxyInstance(iface.getClassLoader(), new Class<?>[] {iface},
                (proxy, method, args) -> {
                    checkUsable();
                    try {
                        return method.invoke(unwrapped, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                }));
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
