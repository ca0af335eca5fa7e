package io.atomic4j;

import io.atomic4j.internal.errors.Messages;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Read replicas for a PostgreSQL primary (Django's database routers: {@code db_for_read},
 * {@code db_for_write}). Writes and everything inside a read-write block go to the primary;
 * read-only blocks run by {@link #read} go to a replica that is streaming and within
 * {@link Builder#maxLag}; a replica that is down, not streaming or lagging is skipped, and when
 * none qualifies the read runs on the primary. Thread-safe.
 * <pre>{@code
 * ReplicaRouting routing = ReplicaRouting.builder(primary).replica(replica).maxLag(Duration.ofSeconds(2)).build();
 * // routing.close() at shutdown stops its health checks
 * routing.write(() -> insertOrder(routing.forWrite(), order));
 * List<Order> orders = routing.read(() -> listOrders(routing.current()));   // sees the order just written
 * }</pre>
 *
 * <p><b>Read-your-writes.</b> After a block run by {@link #write} commits, the thread remembers
 * the primary's WAL position; its later {@link #read}s go only to a replica that has replayed up
 * to it, otherwise to the primary. So a request that wrote and then reads sees its writes,
 * without waiting for a replica and without pinning every later read to the primary. This costs
 * one query on the primary after each such commit. Writes made outside {@link #write} (plain
 * {@code primary.atomic(...)}) are not tracked.
 *
 * <p><b>Autocommit reads</b> go to a replica only when asked: use {@code forRead().connection()}.
 *
 * <p><b>Health.</b> One daemon thread checks every replica once per {@link Builder#checkInterval}
 * (one query each: streaming, replay lag, replay position), so a read never waits for a replica
 * that is down; until its first check a replica is not used. A read that needs a replica further
 * along than last seen (read-your-writes) asks that replica once more, inline. With a zero
 * interval there is no thread and every read checks inline (tests, low volume). {@link #close()}
 * stops the thread; the databases stay open (they are the caller's).
 */
public final class ReplicaRouting implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ReplicaRouting.class);

    private final Database primary;
    private final List<Replica> replicas;
    private final long maxLagMillis;
    private final long checkIntervalNanos;
    private final AtomicInteger next = new AtomicInteger();
    /** The primary's WAL position after this thread's last {@link #write} commit; 0 when none. */
    private final ThreadLocal<long[]> lastWrite = ThreadLocal.withInitial(() -> new long[1]);
    /** The database the thread's current {@link #read} or {@link #write} body runs on. */
    private final ThreadLocal<Database> current = new ThreadLocal<>();
    /** Runs the periodic health checks; null with a zero check interval. */
    private final ScheduledExecutorService checker;

    private ReplicaRouting(Builder builder) {
        this.primary = builder.primary;
        this.replicas = new ArrayList<>();
        for (Database replica : builder.replicas) {
            replicas.add(new Replica(replica));
        }
        this.maxLagMillis = builder.maxLag.toMillis();
        this.checkIntervalNanos = builder.checkInterval.toNanos();
        if (checkIntervalNanos == 0 || replicas.isEmpty()) {
            checker = null;
        } else {
            checker = Executors.newSingleThreadScheduledExecutor(runnable -> {
                Thread thread = new Thread(runnable, "atomic4j-replica-check-" + primary.alias());
                thread.setDaemon(true);
                return thread;
            });
            checker.scheduleWithFixedDelay(() -> replicas.forEach(Replica::check), 0, checkIntervalNanos,
                    TimeUnit.NANOSECONDS);
        }
    }

    /** Stops the health checks. The primary and replica databases stay open. */
    @Override
    public void close() {
        if (checker != null) {
            checker.shutdownNow();
        }
    }

    /** Starts a routing for {@code primary}; add replicas with {@link Builder#replica}. */
    public static Builder builder(Database primary) {
        if (primary == null) {
            throw Messages.replicaRoutingWithoutPrimary();
        }
        return new Builder(primary);
    }

    /** Options of a {@link ReplicaRouting}. Not thread-safe; build once. */
    public static final class Builder {
        private final Database primary;
        private final List<Database> replicas = new ArrayList<>();
        private Duration maxLag = Duration.ofSeconds(5);
        private Duration checkInterval = Duration.ofSeconds(1);

        private Builder(Database primary) {
            this.primary = primary;
        }

        /** A streaming replica of the primary (a {@code Database} of its own, e.g. opened read-only). */
        public Builder replica(Database replica) {
            if (replica == null || replica == primary) {
                throw Messages.badReplica();
            }
            replicas.add(replica);
            return this;
        }

        /** A replica whose replay is further behind than this is skipped; default 5 s. */
        public Builder maxLag(Duration maxLag) {
            this.maxLag = requireNonNegative(maxLag, "maxLag");
            return this;
        }

        /** Time between two health checks of each replica (in the background); default 1 s, zero checks on every read. */
        public Builder checkInterval(Duration checkInterval) {
            this.checkInterval = requireNonNegative(checkInterval, "checkInterval");
            return this;
        }

        public ReplicaRouting build() {
            return new ReplicaRouting(this);
        }

        private static Duration requireNonNegative(Duration value, String name) {
            if (value == null || value.isNegative()) {
                throw Messages.notZeroOrPositive(name, value);
            }
            return value;
        }
    }

    /** The primary (Django: db_for_write). */
    public Database forWrite() {
        return primary;
    }

    /**
     * Where a read of this thread goes now (Django: db_for_read): the primary while this thread
     * has a block open on it; else the next replica that is streaming, within the lag bound and
     * past this thread's last {@link #write}; else the primary.
     */
    public Database forRead() {
        if (primary.inAtomicBlock() || replicas.isEmpty()) {
            return primary;
        }
        long mustHave = lastWrite.get()[0];
        int start = Math.floorMod(next.getAndIncrement(), replicas.size());
        for (int i = 0; i < replicas.size(); i++) {
            Replica replica = replicas.get((start + i) % replicas.size());
            if (replica.usable(mustHave)) {
                return replica.database;
            }
        }
        return primary;
    }

    /** The database the calling thread's {@link #read} or {@link #write} body runs on; the primary outside one. */
    public Database current() {
        Database database = current.get();
        return database == null ? primary : database;
    }

    /**
     * Runs {@code body} in a read-only block on {@link #forRead()} (inside an open block of the
     * primary: in that block, so it sees its uncommitted writes). The body reaches the chosen
     * database through {@link #current()}.
     */
    public <T, E extends Exception> T read(Result<T, E> body) throws E {
        Database target = forRead();
        AtomicOptions options = target == primary && primary.inAtomicBlock()
                ? AtomicOptions.defaults() : AtomicOptions.defaults().readOnly(true);
        return runOn(target, options, body);
    }

    /** Runs {@code body} in a block on the primary and remembers, once it committed, where the primary's WAL stood. */
    public <T, E extends Exception> T write(Result<T, E> body) throws E {
        boolean outermost = !primary.inAtomicBlock();
        T result = runOn(primary, AtomicOptions.defaults(), body);
        if (outermost && !replicas.isEmpty()) {
            rememberWritePosition();
        }
        return result;
    }

    /** {@link #write(Result)} for a body without a result. */
    public <E extends Exception> void write(Block<E> body) throws E {
        write(() -> {
            body.run();
            return null;
        });
    }

    private <T, E extends Exception> T runOn(Database target, AtomicOptions options, Result<T, E> body) throws E {
        Database outer = current.get();
        current.set(target);
        try {
            return target.atomic(options, body);
        } finally {
            if (outer == null) {
                current.remove();
            } else {
                current.set(outer);
            }
        }
    }

    private void rememberWritePosition() {
        try (Connection connection = primary.connection(); Statement statement = connection.createStatement();
             ResultSet row = statement.executeQuery("SELECT pg_current_wal_lsn()::text")) {
            row.next();
            lastWrite.get()[0] = lsn(row.getString(1));
        } catch (SQLException e) {
            // The write committed; without its position the thread's next reads stay on the primary.
            lastWrite.get()[0] = Long.MAX_VALUE;
            log.warn("Could not read the WAL position of '{}' after a write ({}); this thread reads from the primary until "
                    + "its next write", primary.alias(), e.toString());
        }
    }

    static long lsn(String text) {
        if (text == null) {
            return -1;
        }
        int slash = text.indexOf('/');
        return (Long.parseLong(text.substring(0, slash), 16) << 32) | Long.parseLong(text.substring(slash + 1), 16);
    }

    /** One replica and its last known health. */
    private final class Replica {
        final Database database;
        /** Last check; replaced whole, so readers see a consistent one. Unusable until the first check. */
        private volatile Health health = new Health(false, -1);

        Replica(Database database) {
            this.database = database;
        }

        boolean usable(long mustHave) {
            Health known = checkIntervalNanos == 0 ? check() : health;
            if (known.healthy() && known.replayed() < mustHave && checkIntervalNanos != 0) {
                known = check();        // it answers and may have caught up since: one query before falling back
            }
            return known.healthy() && known.replayed() >= mustHave;
        }

        private Health check() {
            Health checked;
            String sql = "SELECT pg_is_in_recovery() AND EXISTS (SELECT 1 FROM pg_stat_wal_receiver WHERE status = 'streaming'),"
                    + " pg_last_wal_replay_lsn()::text,"
                    + " CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0"
                    + " ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()) * 1000, 0) END";
            try (Connection connection = database.connection(); Statement statement = connection.createStatement();
                 ResultSet row = statement.executeQuery(sql)) {
                row.next();
                boolean streaming = row.getBoolean(1);
                long lagMillis = (long) row.getDouble(3);
                checked = new Health(streaming && lagMillis <= maxLagMillis, lsn(row.getString(2)));
                if (!checked.healthy() && health.healthy()) {
                    log.warn("Replica '{}' skipped: {}", database.alias(), streaming
                            ? "its replay is " + lagMillis + " ms behind (bound " + maxLagMillis + " ms)"
                            : "it is not streaming from the primary");
                }
            } catch (SQLException | RuntimeException e) {
                checked = new Health(false, -1);
                if (health.healthy()) {
                    log.warn("Replica '{}' skipped: it did not answer ({})", database.alias(), e.toString());
                }
            }
            health = checked;
            return checked;
        }
    }

    /** A replica's state when last checked: usable at all, and how far it had replayed. */
    private record Health(boolean healthy, long replayed) {
    }
}
