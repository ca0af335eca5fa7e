package io.atomic4j.internal.jdbc;

import io.atomic4j.internal.dialect.Dialect;
import io.atomic4j.internal.engine.Backend;
import io.atomic4j.internal.engine.TransactionState;
import io.atomic4j.internal.errors.Messages;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One thread's transaction on a borrowed JDBC connection (autocommit off until {@link #close()}). */
final class JdbcSession implements Backend.Session {
    private static final Logger log = LoggerFactory.getLogger(JdbcSession.class);

    final JdbcBackend backend;
    final Dialect dialect;
    final Connection connection;
    /** Isolation level to restore on close, or -1 when it was not changed. */
    private final int previousIsolation;
    /** Whether read-only was switched on for this transaction and must still be switched off. */
    private boolean readOnlySet;
    /** The wrapper handed to user code; one per session, created on first use. */
    private BoundConnection bound;
    private boolean broken;
    private int savepointCount;

    JdbcSession(JdbcBackend backend, Dialect dialect, Connection connection, int previousIsolation, boolean readOnlySet) {
        this.backend = backend;
        this.dialect = dialect;
        this.connection = connection;
        this.previousIsolation = previousIsolation;
        this.readOnlySet = readOnlySet;
    }

    BoundConnection bound(TransactionState state) {
        BoundConnection wrapper = bound;
        if (wrapper == null) {
            wrapper = new BoundConnection(this, state, backend.blocks);
            bound = wrapper;
        }
        return wrapper;
    }

    @Override
    public void savepoint(String name) {
        execute(dialect.savepointSql(name), "create savepoint " + name);
        int threshold = dialect.savepointWarningThreshold();
        if (++savepointCount == threshold + 1 && threshold > 0) {
            log.warn("A transaction on '{}' has created more than {} savepoints; {} slows every session once a "
                    + "transaction passes that many subtransactions. Use savepoint(false) for nested blocks in loops.",
                    backend.alias(), threshold, dialect.name());
        }
    }

    @Override
    public void rollbackToSavepoint(String name) {
        execute(dialect.rollbackToSavepointSql(name), "roll back to savepoint " + name);
    }

    @Override
    public void releaseSavepoint(String name) {
        execute(dialect.releaseSavepointSql(name), "release savepoint " + name);
    }

    private void execute(String sql, String what) {
        try (Statement statement = connection.createStatement()) {
            statement.execute(sql);
        } catch (SQLException e) {
            throw failure(what, e);
        }
    }

    @Override
    public void commit() {
        Object token = null;
        try {
            endReadOnlyIfDue();
            token = dialect.beforeCommit(connection);
            connection.commit();
        } catch (SQLException e) {
            if (!dialect.isConnectionLost(e)) {
                throw Messages.failed(backend.alias(), "commit", e);
            }
            broken = true;
            Boolean committed = resolve(token, e);
            if (committed == null) {
                throw Messages.commitOutcomeUnknown(backend.alias(), e);
            }
            if (!committed) {
                throw Messages.failed(backend.alias(), "commit (the connection was lost and the transaction did not commit)", e);
            }
        }
    }

    private Boolean resolve(Object token, SQLException lost) {
        if (token == null) {
            return null;
        }
        try (Connection fresh = backend.pool().getConnection()) {
            return dialect.resolveCommit(fresh, token);
        } catch (SQLException e) {
            lost.addSuppressed(e);
            return null;
        }
    }

    @Override
    public void rollback() {
        try {
            endReadOnlyIfDue();
            connection.rollback();
        } catch (SQLException e) {
            throw failure("roll back", e);
        }
    }

    private void endReadOnlyIfDue() throws SQLException {
        if (readOnlySet && dialect.endsReadOnlyBeforeCommit()) {
            readOnlySet = false;
            dialect.endReadOnly(connection);
        }
    }

    private RuntimeException failure(String what, SQLException e) {
        if (dialect.isConnectionLost(e)) {
            broken = true;
        }
        return Messages.failed(backend.alias(), what, e);
    }

    @Override
    public boolean isBroken() {
        return broken;
    }

    @Override
    public void markBroken() {
        broken = true;
    }

    @Override
    public void close() {
        if (!broken) {
            try {
                // Restored explicitly for every driver: sqlite-jdbc would otherwise open the next transaction at once.
                connection.setAutoCommit(true);
                if (readOnlySet) {
                    dialect.endReadOnly(connection);
                }
                if (previousIsolation >= 0) {
                    connection.setTransactionIsolation(previousIsolation);
                }
                connection.close();
                return;
            } catch (SQLException | RuntimeException e) {
                log.debug("Resetting a connection of '{}' failed, discarding it: {}", backend.alias(), e.toString());
            }
        }
        backend.discard(connection);
    }
}
