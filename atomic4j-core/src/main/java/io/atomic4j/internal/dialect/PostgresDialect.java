package io.atomic4j.internal.dialect;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PostgreSQL (pgjdbc). Resolves a COMMIT whose connection was lost: just before COMMIT it reads
 * the transaction's id, and afterwards asks a fresh connection for that id's status.
 *
 * <p>Cost: one extra round trip ({@code SELECT pg_current_xact_id_if_assigned(), pg_backend_pid()})
 * per commit of a transaction that ran a statement other than executeQuery and is not read-only;
 * on loopback with fsync on it brings a one-row writing transaction to about 0.85 of
 * hand-written JDBC (BENCHMARKS.md). The id must reach the client before COMMIT is sent (a COMMIT lost on its way is exactly
 * the case to resolve), pgjdbc starts the transaction lazily with the first statement, so there is
 * no BEGIN to ride on, and an id sent back with COMMIT's own reply is lost together with it.
 * Transactions that only queried skip it (a lost COMMIT of theirs is reported unknown), and so do
 * read-only ones (nothing to lose).
 *
 * <p>The one free ride: a top-level transaction id, once assigned, stays until the transaction
 * ends, so an id read at any point after the first write is the one COMMIT would end. The session
 * appends the query to the RELEASE SAVEPOINT (or ROLLBACK TO SAVEPOINT) a nested block ends with
 * ({@link #commitTokenQuery}); when that already finds an id, the transaction commits without the
 * query of its own.
 *
 * <p>Across a failover or a crash the transaction id alone is not enough: WAL that never reached
 * the disk (a crash) or the standby (a failover) is gone, and with it the server's record of
 * having handed out that id, so the same id may be given to another transaction, whose status
 * would then be reported as ours. The token therefore also carries where the server's history
 * stood ({@link History}: timeline, WAL insert position, end of the last recovery, whether
 * commits waited for a synchronous standby), and the answer is trusted only when
 * <ul>
 *   <li>the server answering has not recovered since (same timeline, same end of recovery): the
 *       common case of a cut connection, or a clean restart; or</li>
 *   <li>it recovered (crash restart on the same timeline, or a standby promoted onto a new
 *       timeline) and that recovery replayed WAL past every record the transaction wrote before
 *       COMMIT, so its id cannot have been handed out again; and, on a new timeline, commits
 *       waited for a synchronous standby. After an asynchronous failover the old primary may
 *       have committed the transaction without the new one ever seeing it: unknown.</li>
 * </ul>
 * Otherwise the outcome is unknown. A standby is never asked. The extra columns cost server work
 * only (shared-memory reads), no round trip. A multi-host URL must list members of one
 * replication cluster (physical replicas share one history; the system identifier is not
 * compared, reading it means reading pg_control from disk).
 */
public final class PostgresDialect extends Dialect {
    private static final Logger log = LoggerFactory.getLogger(PostgresDialect.class);

    /** How long to wait for a lost transaction still shown "in progress" to end before giving up. */
    static final long RESOLVE_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(10);
    /** First and longest pause between two status queries while the lost transaction is in progress. */
    private static final long FIRST_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
    private static final long MAX_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

    /** The transaction wrote nothing (no id assigned, or read-only): committed or not, the data is the same. */
    static final Object NOTHING_WRITTEN = new Object() {
        @Override
        public String toString() {
            return "nothing written";
        }
    };

    /**
     * Major server version, read from the driver (which knows it from the connection start-up, no
     * round trip); 0 until known. PostgreSQL 13 renamed the txid functions to pg_*_xact_*.
     */
    private volatile int serverMajorVersion;
    /** Cleared when the server refused the id query (a PostgreSQL look-alike without it): no more resolving. */
    volatile boolean resolving = true;
    /**
     * The id query, once the server has run it on its own (in {@link #beforeCommit}); null before.
     * Only then is it appended to savepoint statements: a look-alike that refuses it would
     * otherwise fail the combined string, and the failure would be taken for the savepoint's.
     */
    private volatile String acceptedIdQuery;
    /** {@link #RESOLVE_TIMEOUT_NANOS}, shorter in tests. */
    private final long resolveTimeoutNanos;

    public PostgresDialect() {
        this(RESOLVE_TIMEOUT_NANOS);
    }

    PostgresDialect(long resolveTimeoutNanos) {
        this.resolveTimeoutNanos = resolveTimeoutNanos;
    }

    @Override
    public String name() {
        return "PostgreSQL";
    }

    /**
     * Released at once: every savepoint is a subtransaction until then (see the warning threshold).
     * pgjdbc sends both statements in one flight, and skips the second if the first fails.
     */
    @Override
    public String rollbackToAndReleaseSavepointSql(String name) {
        return rollbackToSavepointSql(name) + "; " + releaseSavepointSql(name);
    }

    /**
     * {@code SET TRANSACTION}, sent with the BEGIN in one flight: pgjdbc's setTransactionIsolation
     * is {@code SET SESSION CHARACTERISTICS}, session state that behind a transaction-mode pooler
     * (PgBouncer) lands on whichever backend runs that statement, not the block's, and stays there
     * for other clients (measured: 140 of 800 blocks at the wrong level, PgBouncerTest). It also
     * cost a SHOW round trip per block, and a SET and a restore when the level changed; this costs
     * one round trip.
     */
    @Override
    public String transactionIsolationSql(int jdbcLevel) {
        return switch (jdbcLevel) {
            case Connection.TRANSACTION_READ_UNCOMMITTED -> "SET TRANSACTION ISOLATION LEVEL READ UNCOMMITTED";
            case Connection.TRANSACTION_READ_COMMITTED -> "SET TRANSACTION ISOLATION LEVEL READ COMMITTED";
            case Connection.TRANSACTION_REPEATABLE_READ -> "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ";
            case Connection.TRANSACTION_SERIALIZABLE -> "SET TRANSACTION ISOLATION LEVEL SERIALIZABLE";
            default -> null;
        };
    }

    /** PGPROC_MAX_CACHED_SUBXIDS: past 64 subtransactions a transaction's snapshot overflows and slows every session. */
    @Override
    public int savepointWarningThreshold() {
        return 64;
    }

    /** The lost transaction: its 64-bit id (epoch included), the backend process that ran it, where the server stood. */
    record CommitToken(long xid, int backendPid, History history) {
        /** The 32-bit id that {@code pg_stat_activity.backend_xid} shows. */
        long shortXid() {
            return xid & 0xFFFF_FFFFL;
        }
    }

    /**
     * Where a primary's WAL history stood when a token was read: its timeline, the WAL insert
     * position (past every record the transaction has written), the end of the WAL its last
     * recovery replayed (-1 when it started without recovery), and whether a COMMIT waits for a
     * synchronous standby.
     */
    record History(long timeline, long insertLsn, long replayLsn, boolean synchronous) {
    }

    /** The history columns of the token query; NULL on a standby (where the functions refuse). */
    private static final String HISTORY_COLUMNS = ", CASE WHEN NOT pg_is_in_recovery() THEN pg_walfile_name(pg_current_wal_insert_lsn()) END"
            + ", CASE WHEN NOT pg_is_in_recovery() THEN pg_current_wal_insert_lsn()::text END"
            + ", pg_last_wal_replay_lsn()::text"
            + ", current_setting('synchronous_standby_names') <> ''"
            + " AND current_setting('synchronous_commit') IN ('on', 'remote_write', 'remote_apply')";

    @Override
    public Object beforeCommit(Connection connection, boolean mayHaveWritten) throws SQLException {
        if (!resolving) {
            return null;
        }
        if (connection.isReadOnly()) {
            return NOTHING_WRITTEN;     // pgjdbc knows this without asking; BEGIN READ ONLY cannot write
        }
        if (!mayHaveWritten) {
            return null;                // queries only: not worth a round trip on every read transaction
        }
        int major = serverMajorVersion(connection);
        if (major < 10) {
            return null;                // txid_status arrived in PostgreSQL 10
        }
        String sql = major >= 13
                ? "SELECT pg_current_xact_id_if_assigned()::text, pg_backend_pid()" + HISTORY_COLUMNS
                : "SELECT txid_current_if_assigned()::text, pg_backend_pid()" + HISTORY_COLUMNS;
        try (PreparedStatement statement = connection.prepareStatement(sql);
             ResultSet row = statement.executeQuery()) {
            if (acceptedIdQuery == null) {
                acceptedIdQuery = sql;      // once: no volatile write on every commit
            }
            CommitToken token = readToken(row);
            return token == null ? NOTHING_WRITTEN : token;
        } catch (SQLException e) {
            if (!isConnectionLost(e)) {
                // The transaction is aborted now; later commits skip the query instead of failing the same way.
                resolving = false;
                log.warn("The server behind a PostgreSQL connection refused '{}' ({}); lost commits will be reported "
                        + "as of unknown outcome from now on.", sql, e.toString());
            }
            throw e;
        }
    }

    /** The id and backend of the query's row; null when no id is assigned yet. */
    private static CommitToken readToken(ResultSet row) throws SQLException {
        if (!row.next()) {
            return null;
        }
        String xid = row.getString(1);
        if (xid == null) {
            return null;
        }
        String walFile = row.getString(3);
        History history = walFile == null ? null : new History(timeline(walFile), lsn(row.getString(4)),
                lsn(row.getString(5)), row.getBoolean(6));
        return new CommitToken(Long.parseLong(xid), row.getInt(2), history);
    }

    /** The timeline of a WAL file name (its first 8 hex digits). */
    private static long timeline(String walFile) {
        return Long.parseLong(walFile.substring(0, 8), 16);
    }

    /** A pg_lsn's text ({@code 16/B374D848}) as a number; -1 for NULL. */
    static long lsn(String text) {
        if (text == null) {
            return -1;
        }
        int slash = text.indexOf('/');
        return (Long.parseLong(text.substring(0, slash), 16) << 32) | Long.parseLong(text.substring(slash + 1), 16);
    }

    /**
     * Read-only transactions get none: {@link #beforeCommit} answers for them without asking.
     * The cost when it runs is server work only (one more statement in the same flight).
     */
    @Override
    public String commitTokenQuery(Connection connection) throws SQLException {
        String sql = acceptedIdQuery;
        return sql == null || !resolving || connection.isReadOnly() ? null : sql;
    }

    /** Null while no id is assigned: "nothing written" holds only for the whole transaction, at COMMIT. */
    @Override
    public Object commitToken(ResultSet result) throws SQLException {
        return readToken(result);
    }

    private int serverMajorVersion(Connection connection) throws SQLException {
        int major = serverMajorVersion;
        if (major == 0) {
            major = connection.getMetaData().getDatabaseMajorVersion();
            serverMajorVersion = major;
        }
        return major;
    }

    /**
     * Asks for the lost transaction's status; while it is still "in progress" (the server has not
     * yet noticed the client is gone, or is still committing) waits for it, up to 10 seconds. A
     * lost backend still idle in that very transaction never received the COMMIT: it is terminated
     * at once (the xid check makes sure it is that backend), which is what the server does itself
     * when it notices the client is gone.
     */
    @Override
    public Boolean resolveCommit(DataSource pool, Object token) throws SQLException {
        if (token == NOTHING_WRITTEN) {
            return Boolean.TRUE;
        }
        if (!(token instanceof CommitToken)) {
            return null;
        }
        SQLException failure = null;
        for (int attempt = 1; attempt <= 3; attempt++) {
            // Failing to get a connection ends it (the pool already waited its timeout), but a pooled connection may
            // be as dead as the lost one (server restart): the pool evicts it on the error, so try another.
            try (Connection fresh = pool.getConnection()) {
                try {
                    return resolve(fresh, (CommitToken) token);
                } catch (SQLException e) {
                    if (!isConnectionLost(e) || attempt == 3) {
                        throw e;
                    }
                    failure = e;
                }
            } catch (SQLException e) {
                if (failure != null && failure != e) {
                    e.addSuppressed(failure);
                }
                throw e;
            }
        }
        throw failure;
    }

    private Boolean resolve(Connection fresh, CommitToken lost) throws SQLException {
        boolean modern = serverMajorVersion >= 13;
        String statusSql = modern ? "SELECT pg_xact_status(CAST(CAST(? AS text) AS xid8))"
                : "SELECT txid_status(CAST(CAST(? AS text) AS bigint))";
        Boolean recovered = recoveredSince(fresh, lost);
        if (recovered == null) {
            return null;
        }
        long deadline = System.nanoTime() + resolveTimeoutNanos;
        long pause = FIRST_POLL_NANOS;
        // After a recovery the lost backend is long gone, and its process id may now be anyone's.
        boolean terminated = recovered;
        try (PreparedStatement status = fresh.prepareStatement(statusSql)) {
            status.setString(1, Long.toString(lost.xid()));
            while (true) {
                String answer;
                try (ResultSet row = status.executeQuery()) {
                    row.next();
                    answer = row.getString(1);
                }
                if ("committed".equals(answer)) {
                    return Boolean.TRUE;
                }
                if ("aborted".equals(answer)) {
                    return Boolean.FALSE;
                }
                if (answer == null) {
                    return null;        // too old: the commit log no longer has it
                }
                // "in progress"
                if (recovered) {
                    return null;        // cannot be ours: our backend did not survive the recovery
                }
                if (!terminated) {
                    terminated = terminateIfIdle(fresh, lost);
                    if (terminated && log.isDebugEnabled()) {
                        log.debug("Lost transaction {} was still open on backend {}, which never got its COMMIT; "
                                + "terminated it", lost.xid(), lost.backendPid());
                    }
                }
                if (System.nanoTime() - deadline > 0) {
                    log.warn("Lost transaction {} on backend {} was still in progress after {} ms; its outcome stays "
                            + "unknown", lost.xid(), lost.backendPid(), TimeUnit.NANOSECONDS.toMillis(resolveTimeoutNanos));
                    return null;
                }
                try {
                    TimeUnit.NANOSECONDS.sleep(pause);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return null;
                }
                pause = Math.min(pause * 2, MAX_POLL_NANOS);
            }
        }
    }

    /**
     * Compares the answering server's history with the token's: FALSE when it has not recovered
     * since (the status of the id is the lost transaction's), TRUE when it recovered but the
     * answer is still certain, null when the outcome must stay unknown (logged at WARN with why).
     */
    private static Boolean recoveredSince(Connection fresh, CommitToken lost) throws SQLException {
        History then = lost.history();
        if (then == null) {
            return null;                // read on a standby: it could not have written
        }
        String sql = "SELECT pg_is_in_recovery(), CASE WHEN NOT pg_is_in_recovery() THEN pg_walfile_name(pg_current_wal_lsn()) END, "
                + "pg_last_wal_replay_lsn()::text";
        boolean inRecovery;
        String walFile;
        long replayLsn;
        try (PreparedStatement statement = fresh.prepareStatement(sql); ResultSet row = statement.executeQuery()) {
            row.next();
            inRecovery = row.getBoolean(1);
            walFile = row.getString(2);
            replayLsn = lsn(row.getString(3));
        }
        if (inRecovery) {
            log.warn("Lost transaction {}: the server answering is a standby, which cannot tell; its outcome stays unknown",
                    lost.xid());
            return null;
        }
        long timeline = timeline(walFile);
        if (timeline == then.timeline() && replayLsn == then.replayLsn()) {
            return Boolean.FALSE;
        }
        if (replayLsn < 0 || replayLsn < then.insertLsn()) {
            log.warn("Lost transaction {}: the server recovered since (timeline {} -> {}) and its recovery ended before the "
                    + "transaction's last write; that WAL may be lost and the id handed out again, so its outcome stays "
                    + "unknown", lost.xid(), then.timeline(), timeline);
            return null;
        }
        if (timeline != then.timeline() && !then.synchronous()) {
            log.warn("Lost transaction {}: a failover happened (timeline {} -> {}) and replication was asynchronous: the "
                    + "old primary may have committed it without the new one ever receiving it, so its outcome stays "
                    + "unknown", lost.xid(), then.timeline(), timeline);
            return null;
        }
        return Boolean.TRUE;
    }

    /**
     * Terminates the lost backend if it still sits idle in the lost transaction (so COMMIT never
     * reached it). Matching the transaction id, not only the process id, rules out a new session
     * that reused the process id. Returns true once the backend is known to be gone or terminated.
     */
    private static boolean terminateIfIdle(Connection fresh, CommitToken lost) throws SQLException {
        String sql = "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid = ? "
                + "AND backend_xid = CAST(CAST(? AS text) AS xid) AND state LIKE 'idle in transaction%'";
        try (PreparedStatement statement = fresh.prepareStatement(sql)) {
            statement.setInt(1, lost.backendPid());
            statement.setString(2, Long.toString(lost.shortXid()));
            try (ResultSet row = statement.executeQuery()) {
                return row.next();
            }
        } catch (SQLException e) {
            if (e.getSQLState() != null && e.getSQLState().startsWith("42")) {
                return true;            // not allowed to signal it (another role): wait for the server instead
            }
            throw e;
        }
    }
}
