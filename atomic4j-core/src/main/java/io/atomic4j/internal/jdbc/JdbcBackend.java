package io.atomic4j.internal.jdbc;

import com.zaxxer.hikari.HikariDataSource;
import io.atomic4j.AtomicOptions;
import io.atomic4j.DatabaseException;
import io.atomic4j.Isolation;
import io.atomic4j.SqlErrors;
import io.atomic4j.internal.dialect.Dialect;
import io.atomic4j.internal.dialect.Dialects;
import io.atomic4j.internal.engine.AtomicBlocks;
import io.atomic4j.internal.engine.Backend;
import io.atomic4j.internal.errors.Messages;
import io.atomic4j.internal.errors.SqlStateTable;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.sql.Statement;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The engine's {@link Backend} over a JDBC pool: a session is a borrowed connection with autocommit off. Thread-safe. */
public final class JdbcBackend implements Backend {
    private static final Logger log = LoggerFactory.getLogger(JdbcBackend.class);

    private final String alias;
    private final DataSource pool;
    private volatile Dialect dialect;
    AtomicBlocks blocks;

    /** Ask the dialect for what it needs to resolve a lost COMMIT (PostgreSQL: one query before COMMIT). */
    final boolean resolveCommitOutcome;

    public JdbcBackend(String alias, DataSource pool, Dialect dialect, boolean resolveCommitOutcome) {
        this.resolveCommitOutcome = resolveCommitOutcome;
        this.alias = alias;
        this.pool = pool;
        this.dialect = dialect;
    }

    /** Connects the backend to the engine that drives it (the JDBC wrappers report statements to it). */
    public void attach(AtomicBlocks blocks) {
        this.blocks = blocks;
    }

    @Override
    public String alias() {
        return alias;
    }

    public DataSource pool() {
        return pool;
    }

    /** The dialect, detected from the first connection when the URL did not tell. */
    public Dialect dialect() {
        return dialect;
    }

    @Override
    public boolean supportsSavepoints() {
        return true;
    }

    /**
     * How many pooled connections found dead while a transaction starts are replaced before the
     * failure is reported: nothing was done on them yet, so taking another is invisible to the
     * caller (a pool hands out a connection the server dropped in a restart shorter than its
     * validation window).
     */
    private static final int STALE_CONNECTION_RETRIES = 3;

    @Override
    public Session begin(AtomicOptions options, Object frontEndSettings) {
        Isolation isolation = options.isolation();
        boolean readOnly = options.readOnly();
        for (int attempt = 1; ; attempt++) {
            try {
                return begin(borrow(), isolation, readOnly);
            } catch (StaleConnection stale) {
                if (attempt > STALE_CONNECTION_RETRIES) {
                    throw Messages.failed(alias, "start a transaction", stale.cause);
                }
                log.debug("A pooled connection of '{}' was dead when a transaction started; taking another: {}",
                        alias, stale.cause.toString());
            }
        }
    }

    private Connection borrow() {
        try {
            return pool.getConnection();
        } catch (SQLException e) {
            if (e instanceof SQLTransientConnectionException && e.getCause() == null) {
                // A pool's time-out with no connection failure behind it: all connections are busy, the server may be fine.
                throw Messages.poolExhausted(alias, e);
            }
            throw Messages.failed(alias, "open a connection", e);
        }
    }

    /** Starting a transaction found the connection dead before anything was done on it. */
    private static final class StaleConnection extends Exception {
        private static final long serialVersionUID = 1L;
        final SQLException cause;

        StaleConnection(SQLException cause) {
            super(null, null, false, false);
            this.cause = cause;
        }
    }

    private JdbcSession begin(Connection connection, Isolation isolation, boolean readOnly) throws StaleConnection {
        try {
            return start(connection, isolation, readOnly);
        } catch (RuntimeException | Error e) {
            // Whatever failed (a driver's RuntimeException, a StackOverflowError), the connection goes back or away.
            if (!(e instanceof DatabaseException)) {
                discard(connection);
            }
            throw e;
        }
    }

    private JdbcSession start(Connection connection, Isolation isolation, boolean readOnly) throws StaleConnection {
        Dialect dialect = dialect(connection);
        int previousIsolation = -1;
        boolean readOnlySet = false;
        try {
            String isolationSql = isolation == null ? null : dialect.transactionIsolationSql(dialect.isolationLevel(isolation));
            if (isolation != null && isolationSql == null) {
                int level = dialect.isolationLevel(isolation);
                int current = connection.getTransactionIsolation();
                if (current != level) {
                    connection.setTransactionIsolation(level);
                    previousIsolation = current;
                }
            }
            connection.setAutoCommit(false);
            // After autocommit is off: sqlite-jdbc has already run BEGIN IMMEDIATE, which query_only would refuse;
            // the others have not started the transaction yet (it starts with the first statement).
            if (readOnly) {
                dialect.beginReadOnly(connection);
                readOnlySet = true;
            }
            if (isolationSql != null) {
                try (Statement statement = connection.createStatement()) {
                    statement.execute(isolationSql);
                }
            }
        } catch (SQLException e) {
            JdbcSession failed = new JdbcSession(this, dialect, connection, previousIsolation, readOnlySet);
            boolean lost = dialect.isConnectionLost(e);
            if (lost) {
                failed.markBroken();
            }
            failed.close();
            if (lost) {
                throw new StaleConnection(e);
            }
            throw Messages.failed(alias, "start a transaction", e);
        }
        return new JdbcSession(this, dialect, connection, previousIsolation, readOnlySet);
    }

    private Dialect dialect(Connection connection) {
        Dialect known = dialect;
        if (known == null) {
            try {
                known = Dialects.forProductName(connection.getMetaData().getDatabaseProductName());
            } catch (SQLException e) {
                known = Dialects.forProductName(null);
            }
            dialect = known;
        }
        return known;
    }

    @Override
    public boolean isTransient(Throwable error) {
        for (Throwable current = error; current != null; current = current.getCause()) {
            if (current instanceof SQLException && SqlErrors.isTransient((SQLException) current)) {
                return true;
            }
            if (current instanceof DatabaseException && SqlStateTable.isTransient(((DatabaseException) current).kind())
                    && current.getCause() instanceof SQLException) {
                return true;
            }
        }
        return false;
    }

    /** Takes a connection out of the pool for good: it is broken and must never be handed out again. */
    void discard(Connection connection) {
        try {
            if (pool instanceof HikariDataSource) {
                ((HikariDataSource) pool).evictConnection(connection);
                return;
            }
            connection.abort(Runnable::run);
        } catch (SQLException | RuntimeException e) {
            log.debug("Discarding a broken connection of '{}' failed: {}", alias, e.toString());
        }
        try {
            connection.close();
        } catch (SQLException | RuntimeException e) {
            log.debug("Closing a broken connection of '{}' failed: {}", alias, e.toString());
        }
    }
}
