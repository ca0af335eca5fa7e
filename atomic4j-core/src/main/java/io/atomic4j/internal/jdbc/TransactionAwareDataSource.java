package io.atomic4j.internal.jdbc;

import io.atomic4j.internal.errors.Messages;
import io.atomic4j.internal.engine.AtomicBlocks;
import io.atomic4j.internal.engine.TransactionState;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * {@code db.dataSource()}: inside a block (or a manual transaction) every getConnection() returns
 * the thread's bound connection; outside, an ordinary pooled autocommit connection that refuses
 * to be used once a block is open on its thread (its work would escape the block).
 * So JDBI, jOOQ, MyBatis and plain JDBC code take part in blocks without knowing about them.
 */
public final class TransactionAwareDataSource implements DataSource {
    private final JdbcBackend backend;
    private final AtomicBlocks blocks;
    private final DataSource pool;

    public TransactionAwareDataSource(JdbcBackend backend, AtomicBlocks blocks) {
        this.backend = backend;
        this.blocks = blocks;
        this.pool = backend.pool();
    }

    @Override
    public Connection getConnection() throws SQLException {
        TransactionState state = blocks.state();
        if (!state.bound()) {
            return new UnboundConnection(pool.getConnection(), blocks);
        }
        return ((JdbcSession) blocks.statements().session(state)).bound(state);
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        if (blocks.state().bound()) {
            throw Messages.otherCredentialsInBlock(backend.alias());
        }
        return new UnboundConnection(pool.getConnection(username, password), blocks);
    }

    @Override
    public PrintWriter getLogWriter() throws SQLException {
        return pool.getLogWriter();
    }

    @Override
    public void setLogWriter(PrintWriter out) throws SQLException {
        pool.setLogWriter(out);
    }

    @Override
    public void setLoginTimeout(int seconds) throws SQLException {
        pool.setLoginTimeout(seconds);
    }

    @Override
    public int getLoginTimeout() throws SQLException {
        return pool.getLoginTimeout();
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        return pool.getParentLogger();
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        return iface.isInstance(this) ? iface.cast(this) : pool.unwrap(iface);
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) throws SQLException {
        return iface.isInstance(this) || pool.isWrapperFor(iface);
    }

    @Override
    public String toString() {
        return "TransactionAwareDataSource[" + backend.alias() + "]";
    }
}
