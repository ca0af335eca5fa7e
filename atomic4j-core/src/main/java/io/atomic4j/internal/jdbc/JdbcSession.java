package io.atomic4j.internal.jdbc;

import io.atomic4j.internal.dialect.Dialect;
import io.atomic4j.internal.engine.Backend;
import io.atomic4j.internal.engine.Failures;
import io.atomic4j.internal.engine.TransactionEvents;
import io.atomic4j.internal.engine.TransactionState;
import io.atomic4j.internal.errors.Messages;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One thread's transaction on a borrowed JDBC connection (autocommit off until {@link #close()}). */
final class JdbcSession extends Backend.BrokenFlagSession {
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
    /**
     * A statement other than executeQuery ran in this transaction (set by BoundConnection), so it
     * may have written. Lets the dialect skip the commit-outcome bookkeeping for transactions that
     * only queried; a query that writes (INSERT ... RETURNING through executeQuery) then makes a
     * lost COMMIT unknown rather than resolved, never wrongly resolved.
     */
    boolean mayHaveWritten;
    /**
     * A statement ran since the last successful commit or rollback, so a transaction may be open.
     * close() rolls such a transaction back before it turns autocommit on, which would commit it:
     * whatever interrupted the normal end (a driver's Error, a failed rollback), work that was not
     * committed on purpose is never committed by the clean-up.
     */
    boolean pendingWork;
    /**
     * The commit token read alongside a savepoint statement ({@link Dialect#commitTokenQuery}),
     * which spares the dialect's query before COMMIT. Belongs to the current transaction only:
     * a token of an earlier one would resolve a lost COMMIT by the wrong transaction's fate.
     */
    private Object commitToken;
    /** The connection was handed back to the pool for eviction; nothing may touch it any more. */
    private boolean discarded;
    private int savepointCount;
    /** The commit already switched autocommit back on; some drivers would send it again (Connector/J). */
    private boolean autocommitRestored;

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

    /*
     * Rolling back to or releasing a savepoint carries the commit-token query; creating one does
     * not. A block's savepoint is always released or rolled back to before its transaction can
     * commit, when the transaction has written at least as much as at SAVEPOINT, so the query would
     * find no id there that it misses later. Riding on SAVEPOINT would only help a manual savepoint
     * left open until COMMIT, and would cost a second query wherever a statement before the
     * savepoint may have written but assigned no id (SET LOCAL, an UPDATE matching no row).
     */

    @Override
    public void rollbackToSavepoint(String name) {
        execute(dialect.rollbackToSavepointSql(name), "roll back to savepoint " + name, true);
    }

    @Override
    public void releaseSavepoint(String name) {
        execute(dialect.releaseSavepointSql(name), "release savepoint " + name, true);
    }

    @Override
    public void rollbackToAndReleaseSavepoint(String name) {
        String sql = dialect.rollbackToAndReleaseSavepointSql(name);
        if (sql == null) {
            super.rollbackToAndReleaseSavepoint(name);
        } else {
            execute(sql, "roll back to savepoint " + name, true);
        }
    }

    private void execute(String sql, String what) {
        execute(sql, what, false);
    }

    /**
     * @param readCommitToken append the dialect's commit-token query when the token is still
     *     wanted: the statement's errors stay its own (the driver stops at the first failing one,
     *     and the dialect only offers a query its server has already accepted)
     */
    private void execute(String sql, String what, boolean readCommitToken) {
        try (Statement statement = connection.createStatement()) {
            String tokenQuery = readCommitToken ? commitTokenQuery() : null;
            if (tokenQuery == null) {
                statement.execute(sql);
                return;
            }
            boolean rows = statement.execute(sql + "; " + tokenQuery);
            while (!rows && statement.getUpdateCount() != -1) {
                rows = statement.getMoreResults();
            }
            if (rows) {
                try (ResultSet result = statement.getResultSet()) {
                    commitToken = dialect.commitToken(result);
                }
            }
        } catch (SQLException e) {
            throw failure(what, e);
        } catch (RuntimeException | Error e) {
            broken = true;
            throw e;
        }
    }

    /** Only while the commit would otherwise run the dialect's query for it: resolving, written, no token yet. */
    private String commitTokenQuery() throws SQLException {
        if (!backend.resolveCommitOutcome || !mayHaveWritten || commitToken != null) {
            return null;
        }
        return dialect.commitTokenQuery(connection);
    }

    @Override
    public void commit() {
        if (dialect.commitAlsoBegins()) {
            // A manual transaction keeps its session: commit alone, then begin the next one, whose failure
            // (SQLITE_BUSY) must not turn the commit that happened into a reported failure.
            commit(true);
            reopen(false);
        } else {
            commit(false);
        }
    }

    /**
     * The manual transaction that follows a commit by autocommit switch has not begun yet (its
     * BEGIN failed); the next statement begins it, and fails itself if it still cannot.
     */
    boolean reopenPending;

    /** Turns autocommit off again after a commit by switch; with {@code mustSucceed} false a failure is left for the next statement. */
    void reopen(boolean mustSucceed) {
        try {
            connection.setAutoCommit(false);
            autocommitRestored = false;
            reopenPending = false;
        } catch (SQLException | RuntimeException | Error e) {
            reopenPending = true;
            if (mustSucceed) {
                throw e instanceof SQLException ? failure("begin the next transaction", (SQLException) e)
                        : Failures.<RuntimeException>sneaky(e);
            }
            log.debug("Beginning the next manual transaction on '{}' failed; the next statement tries again: {}",
                    backend.alias(), e.toString());
        }
    }

    @Override
    public void commitBeforeClose() {
        // MariaDB ends a SET TRANSACTION READ ONLY transaction on SET autocommit=1 but keeps the read-only
        // setting for the next one, which would be the pool's next user: only COMMIT clears it.
        commit((dialect.commitsBySwitchingAutocommitOn() && !readOnlySet) || dialect.commitAlsoBegins());
    }

    /**
     * @param switchingAutocommitOn commit by turning autocommit back on, which JDBC (and the server,
     *     for SET autocommit=1) defines to commit the open transaction: one round trip instead of
     *     COMMIT and, in close(), SET autocommit=1. A failed commit leaves autocommit off.
     */
    private void commit(boolean switchingAutocommitOn) {
        Object token = commitToken;
        // Whatever follows ends this transaction (a failed COMMIT too); at worst an early failure costs the next
        // attempt the dialect's query.
        commitToken = null;
        try {
            endReadOnlyIfDue();
            if (token == null && backend.resolveCommitOutcome) {
                token = dialect.beforeCommit(connection, mayHaveWritten);
            }
        } catch (SQLException e) {
            // COMMIT was never sent, so nothing was committed: an ordinary failure (retryable if the connection was lost).
            throw failure("commit", e);
        } catch (RuntimeException | Error e) {
            broken = true;
            throw e;
        }
        try {
            if (switchingAutocommitOn) {
                connection.setAutoCommit(true);
                autocommitRestored = true;
            } else {
                connection.commit();
            }
            mayHaveWritten = false;     // a manual transaction keeps its session for the next one
            pendingWork = false;
        } catch (SQLException e) {
            if (!dialect.isConnectionLost(e)) {
                throw Messages.failed(backend.alias(), "commit", e);
            }
            commitLost(token, e);
        } catch (RuntimeException | Error e) {
            // The driver broke down inside COMMIT: whether it reached the server is as unknown as with a lost connection.
            commitLost(token, e);
        }
    }

    /** COMMIT may or may not have reached the server: resolve it if the dialect can, else report it unknown. */
    private void commitLost(Object token, Throwable lost) {
        broken = true;
        // Give the pool its slot back first: resolving needs a connection, maybe the pool's last one.
        discard();
        Boolean committed = resolve(token, lost);
        if (committed == null) {
            throw Messages.commitOutcomeUnknown(backend.alias(), backend.resolveCommitOutcome
                    ? dialect.name() + " could not tell" : "resolveCommitOutcome(false) is set", lost);
        }
        TransactionEvents events = backend.blocks.events();
        if (events != null) {
            events.commitOutcomeResolved(committed);
        }
        if (!committed) {
            throw Messages.commitLostAndRolledBack(backend.alias(), lost);
        }
        pendingWork = false;
        if (log.isInfoEnabled()) {
            log.info("The connection to '{}' was lost during COMMIT; {} confirmed that the transaction committed.",
                    backend.alias(), dialect.name());
        }
    }

    private Boolean resolve(Object token, Throwable lost) {
        if (token == null) {
            return null;
        }
        try {
            return dialect.resolveCommit(backend.pool(), token);
        } catch (SQLException | RuntimeException e) {
            lost.addSuppressed(e);
            return null;
        }
    }

    @Override
    public void rollback() {
        commitToken = null;
        try {
            endReadOnlyIfDue();
            connection.rollback();
            mayHaveWritten = false;
            pendingWork = false;
        } catch (SQLException e) {
            throw failure("roll back", e);
        } catch (RuntimeException | Error e) {
            broken = true;
            throw e;
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

    /** Database.close() from another thread: the connection is aborted (thread-safe per JDBC) and never reused. */
    @Override
    public void abort() {
        broken = true;
        try {
            connection.abort(Runnable::run);
        } catch (SQLException | RuntimeException e) {
            log.debug("Aborting a connection of '{}' failed: {}", backend.alias(), e.toString());
        }
        endPhysicalSession();
    }

    /**
     * For drivers whose abort() does not end the session (SQLite, H2): closing the physical
     * connection, below the pool, releases its locks; the pool evicts it when the owning thread
     * hands it back. Never throws.
     */
    void endPhysicalSession() {
        try {
            Connection physical = connection.unwrap(Connection.class);
            if (physical != connection && !physical.isClosed()) {
                physical.close();
            }
        } catch (SQLException | RuntimeException e) {
            log.debug("Closing an aborted connection of '{}' failed: {}", backend.alias(), e.toString());
        }
    }

    @Override
    public void close() {
        if (discarded) {
            return;
        }
        if (!broken) {
            try {
                if (pendingWork && !autocommitRestored) {
                    connection.rollback();
                }
                if (!autocommitRestored) {
                    // Restored explicitly for every driver: sqlite-jdbc would otherwise open the next transaction at once.
                    connection.setAutoCommit(true);
                }
                if (readOnlySet) {
                    dialect.endReadOnly(connection);
                }
                if (previousIsolation >= 0) {
                    connection.setTransactionIsolation(previousIsolation);
                }
                connection.close();
                return;
            } catch (SQLException | RuntimeException | Error e) {
                log.debug("Resetting a connection of '{}' failed, discarding it: {}", backend.alias(), e.toString());
            }
        }
        discard();
    }

    /** Takes the broken connection out of the pool now; close() then has nothing left to do. */
    private void discard() {
        if (!discarded) {
            discarded = true;
            backend.discard(connection);
        }
    }
}
