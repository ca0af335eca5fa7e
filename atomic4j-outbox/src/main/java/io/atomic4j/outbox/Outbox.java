package io.atomic4j.outbox;

import io.atomic4j.Database;
import io.atomic4j.DatabaseException;
import io.atomic4j.SqlErrors;
import java.sql.SQLException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Durable after-commit tasks: {@code onCommit} that survives a crash. {@link #enqueue} writes the
 * task into a table in the caller's transaction; after the commit it runs at once in this
 * process, off the committing thread; if the process dies first, any instance sharing the table
 * runs it once its lease expires.
 * <pre>{@code
 * Outbox outbox = Outbox.builder(db)
 *     .handler("welcome-mail", (OutboxTask task) -> mailer.welcome(task.id(), task.payload()))
 *     .start();
 * db.atomic(() -> { insertUser(db, email); outbox.enqueue("welcome-mail", email); });
 * outbox.close();
 * }</pre>
 *
 * <p>Guarantees: a task whose transaction (or savepoint) rolls back never runs; a committed
 * task runs at least once, and never on two threads or instances at the same time while its
 * holder renews its lease; a crash after the handler returned and before the done mark runs it
 * again with the same {@link OutboxTask#id()} (make handlers idempotent with it). Attempts, the
 * last error and the next run time are recorded; a task that keeps failing stops after
 * {@link Builder#maxAttempts} and stays visible ({@link #failed(int)}, {@link #requeue}).
 *
 * <p>Thread-safe. Django has no equivalent (outbox libraries are bolted on); the Django line is
 * {@code transaction.on_commit(lambda: send_welcome.delay(user.pk))}.
 */
public final class Outbox implements AutoCloseable {
    /** The table used when {@link Builder#table} is not set. */
    public static final String DEFAULT_TABLE = "atomic4j_outbox";

    private static final Logger LOG = LoggerFactory.getLogger(Outbox.class);
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.:-]{1,200}");
    private static final Pattern TABLE = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,59}");
    private static final AtomicInteger POLLER_NUMBER = new AtomicInteger();

    private final Database db;
    private final Store store;
    private final Map<String, OutboxHandler> handlers;
    private final Executor executor;
    /** The executor this outbox created and must shut down; null when the user supplied one. */
    private final ExecutorService ownedExecutor;
    private final Hooks hooks;
    private final long leaseMillis;
    private final long pollNanos;
    private final int maxAttempts;
    private final long firstBackoffMillis;
    private final long maxBackoffMillis;
    private final long keepDoneMillis;
    /** Identifies this instance in the owner column: pid plus a random part, unique per start(). */
    private final String owner;
    /**
     * Bounds the tasks the poller holds to two per worker (one running, one queued behind it), so
     * one claim takes several tasks when there is a backlog: measured on PostgreSQL, claiming
     * only for idle workers drained 233 tasks/s with one instance, the claim's own commit being
     * the limit. The fast path bypasses it.
     */
    private final Semaphore freeWorkers;
    private final int workers;
    /** Tasks this instance runs right now, by id, with their current lease; the poller renews them. */
    private final Map<String, Claim> running = new ConcurrentHashMap<>();
    private final Thread poller;
    private volatile boolean closed;
    private long lastPurge;

    /** A task this instance holds, and until when (its clock). */
    private static final class Claim {
        final OutboxTask task;
        volatile long leaseUntil;

        Claim(OutboxTask task, long leaseUntil) {
            this.task = task;
            this.leaseUntil = leaseUntil;
        }
    }

    private Outbox(Builder builder, Store store) {
        this.db = builder.db;
        this.store = store;
        this.handlers = Map.copyOf(builder.handlers);
        this.workers = builder.workers;
        if (builder.executor != null) {
            this.executor = builder.executor;
            this.ownedExecutor = null;
        } else {
            AtomicInteger number = new AtomicInteger();
            String prefix = "atomic4j-outbox-" + db.alias() + "-";
            this.ownedExecutor = Executors.newFixedThreadPool(workers, runnable -> {
                Thread thread = new Thread(runnable, prefix + number.incrementAndGet());
                thread.setDaemon(true);
                return thread;
            });
            this.executor = ownedExecutor;
        }
        this.hooks = builder.hooks;
        this.leaseMillis = builder.lease.toMillis();
        this.pollNanos = builder.pollInterval.toNanos();
        this.maxAttempts = builder.maxAttempts;
        this.firstBackoffMillis = builder.firstBackoff.toMillis();
        this.maxBackoffMillis = builder.maxBackoff.toMillis();
        this.keepDoneMillis = builder.keepDone.toMillis();
        this.owner = ProcessHandle.current().pid() + "-" + UUID.randomUUID().toString().substring(0, 8);
        this.freeWorkers = new Semaphore(2 * workers);
        this.poller = new Thread(this::poll, "atomic4j-outbox-poller-" + db.alias() + "-" + POLLER_NUMBER.incrementAndGet());
        this.poller.setDaemon(true);
    }

    /** Starts configuring an outbox over {@code db}; finish with {@link Builder#start()}. */
    public static Builder builder(Database db) {
        return new Builder(db);
    }

    /**
     * Adds a task for handler {@code name}. Inside an atomic block the task row is written in the
     * block's transaction: gone if the block, or the savepoint it was written in, rolls back, and
     * run right after the outermost commit. Outside a block it commits by itself and runs at once.
     * The handler runs on an outbox worker, never on the caller's thread.
     * <pre>{@code
     * db.atomic(() -> { insertUser(db, email); outbox.enqueue("welcome-mail", email); });
     * }</pre>
     * One INSERT on the caller's connection. The payload is stored as text: serialize objects
     * yourself (JSON, say).
     *
     * @return the task's id, also {@link OutboxTask#id()} in the handler
     * @throws IllegalArgumentException if no handler {@code name} is registered in this outbox
     * @throws IllegalStateException if the outbox is closed
     * @throws DatabaseException if the INSERT fails (inside a block, the block is marked for rollback)
     */
    public String enqueue(String name, String payload) {
        Objects.requireNonNull(name, "name");
        if (closed) {
            throw new IllegalStateException("The outbox on database '" + db.alias() + "' is closed; enqueue before close().");
        }
        if (!handlers.containsKey(name)) {
            throw new IllegalArgumentException("No handler '" + name + "' in the outbox on database '" + db.alias()
                    + "'. Registered: " + String.join(", ", handlers.keySet()) + ". Add it with Outbox.builder(db).handler(\""
                    + name + "\", task -> ...).");
        }
        String id = UUID.randomUUID().toString();
        long now = System.currentTimeMillis();
        long leaseUntil = now + leaseMillis;
        try {
            store.insert(id, name, payload, now, leaseUntil, owner);
        } catch (SQLException e) {
            throw failed("write outbox task '" + name + "' to", e);
        }
        Claim claim = new Claim(new OutboxTask(id, name, payload, 1, null), leaseUntil);
        // Robust: a rejected submission must never make a committed transaction look failed;
        // the task is in the table and another poll picks it up when the lease expires.
        db.onCommit(() -> submit(claim), true);
        return id;
    }

    /**
     * Tasks that reached the maximum number of attempts, oldest first, with their last error.
     * <pre>{@code
     * for (OutboxTask task : outbox.failed(100)) { log.warn("{}: {}", task, task.lastError()); }
     * }</pre>
     * Must be called outside an atomic block or inside one; it reads on the caller's connection.
     */
    public List<OutboxTask> failed(int limit) {
        try {
            return store.failed(limit);
        } catch (SQLException e) {
            throw failed("read the failed outbox tasks from", e);
        }
    }

    /**
     * Makes a failed task due again at once, with a fresh count of attempts (after fixing what
     * made it fail). Any instance may run it.
     * <pre>{@code
     * outbox.failed(100).forEach(task -> outbox.requeue(task.id()));
     * }</pre>
     * @return false if no failed task has this id
     */
    public boolean requeue(String id) {
        try {
            boolean requeued = store.requeue(id, System.currentTimeMillis());
            LockSupport.unpark(poller);
            return requeued;
        } catch (SQLException e) {
            throw failed("requeue outbox task " + id + " in", e);
        }
    }

    /**
     * Stops polling and waits (up to one lease) for running handlers. Tasks not started stay in
     * the table and run on the next start of any instance, once their lease expires. Does not
     * close the {@link Database} nor a user-supplied executor.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        LockSupport.unpark(poller);
        try {
            poller.join(leaseMillis);
            if (ownedExecutor != null) {
                ownedExecutor.shutdown();
                if (!ownedExecutor.awaitTermination(leaseMillis, TimeUnit.MILLISECONDS)) {
                    LOG.warn("Outbox on database '{}': handlers still running after {} ms at close; interrupting them."
                            + " Their tasks run again after the lease expires.", db.alias(), leaseMillis);
                    ownedExecutor.shutdownNow();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The one shape of a failed outbox statement: what, which table, which database, the driver's message. */
    private DatabaseException failed(String action, SQLException e) {
        return failed(action, store.table(), db.alias(), e);
    }

    private static DatabaseException failed(String action, String table, String alias, SQLException e) {
        return new DatabaseException("Could not " + action + " table " + table + " on database '" + alias + "': "
                + e.getMessage(), SqlErrors.classify(e), e);
    }

    @Override
    public String toString() {
        return "Outbox[" + db.alias() + ", table " + store.table() + ", owner " + owner + "]";
    }

    // ------------------------------------------------------------------ running tasks

    /** On the committing thread, after COMMIT: hand the task to a worker and return. */
    private void submit(Claim claim) {
        try {
            executor.execute(() -> runIfStillHeld(claim, false));
        } catch (RejectedExecutionException e) {
            LOG.debug("Outbox on database '{}' did not take {} (closing); it runs after its lease expires", db.alias(), claim.task);
        }
    }

    private void dispatch(Claim claim) {
        try {
            executor.execute(() -> runIfStillHeld(claim, true));
        } catch (RejectedExecutionException e) {
            freeWorkers.release();
            LOG.debug("Outbox on database '{}' did not take {} (closing); it runs after its lease expires", db.alias(), claim.task);
        }
    }

    /**
     * Runs a held task unless too little of its lease is left: a task that waited in the queue
     * (or in a long transaction) for half a lease is left to the pollers, which claim it anew
     * once the lease has expired, so two instances never run it at the same time.
     */
    private void runIfStillHeld(Claim claim, boolean polled) {
        try {
            if (System.currentTimeMillis() < claim.leaseUntil - leaseMillis / 2) {
                run(claim);
            } else {
                LOG.debug("Outbox on database '{}': {} waited more than half its lease; leaving it to the next claim",
                        db.alias(), claim.task);
            }
        } finally {
            if (polled) {
                freeWorkers.release();
            }
        }
    }

    private void run(Claim claim) {
        OutboxTask task = claim.task;
        running.put(task.id(), claim);
        try {
            handlers.get(task.name()).handle(task);
        } catch (Exception | AssertionError error) {
            running.remove(task.id());
            recordFailure(task, error);
            return;
        }
        try {
            hooks.afterHandler(task);
            boolean marked = store.markDone(task.id(), owner, System.currentTimeMillis());
            if (!marked) {
                LOG.warn("Outbox on database '{}': {} finished after its lease was taken over; it may run again elsewhere",
                        db.alias(), task);
            }
            hooks.afterDone(task, marked);
        } catch (SQLException e) {
            LOG.warn("Outbox on database '{}': {} ran but could not be marked done; it runs again after its lease expires",
                    db.alias(), task, e);
        } finally {
            running.remove(task.id());
        }
    }

    private void recordFailure(OutboxTask task, Throwable error) {
        long delay = backoffMillis(task.attempt());
        boolean last = task.attempt() >= maxAttempts;
        try {
            store.markFailed(task.id(), owner, describe(error), System.currentTimeMillis() + delay, maxAttempts);
            if (last) {
                LOG.error("Outbox on database '{}': {} failed {} times and stops; see Outbox.failed() and requeue()",
                        db.alias(), task, task.attempt(), error);
            } else {
                LOG.warn("Outbox on database '{}': {} failed (attempt {} of {}); next attempt in {} ms",
                        db.alias(), task, task.attempt(), maxAttempts, delay, error);
            }
        } catch (SQLException e) {
            e.addSuppressed(error);
            LOG.warn("Outbox on database '{}': {} failed and the failure could not be recorded; it runs again after its lease expires",
                    db.alias(), task, e);
        }
        if (error instanceof Exception exception) {
            hooks.afterFailure(task, exception);
        }
    }

    /** Exponential backoff from the first delay, capped, with "equal jitter": half fixed, half random. */
    long backoffMillis(int attempt) {
        long delay = firstBackoffMillis;
        for (int i = 1; i < attempt && delay < maxBackoffMillis; i++) {
            delay *= 2;
        }
        delay = Math.min(delay, maxBackoffMillis);
        long half = delay / 2;
        return half + ThreadLocalRandom.current().nextLong(half + 1);
    }

    /** The exception's class and message, its causes, and the top frames: what last_error keeps. */
    static String describe(Throwable error) {
        StringBuilder text = new StringBuilder(error.toString());
        StackTraceElement[] frames = error.getStackTrace();
        for (int i = 0; i < Math.min(5, frames.length); i++) {
            text.append("\n\tat ").append(frames[i]);
        }
        for (Throwable cause = error.getCause(); cause != null && cause != error; cause = cause.getCause()) {
            text.append("\nCaused by: ").append(cause);
        }
        return text.length() <= Store.MAX_ERROR_LENGTH ? text.toString() : text.substring(0, Store.MAX_ERROR_LENGTH);
    }

    // ------------------------------------------------------------------ the poller

    /**
     * One thread per instance: renews the leases of running tasks, claims due tasks (expired
     * leases of dead instances, retries whose backoff has passed, requeued ones) for free
     * workers, and now and then deletes old DONE rows. It polls again at once while it finds
     * work, and waits {@code pollInterval} when it does not.
     */
    private void poll() {
        while (!closed) {
            boolean full = false;
            try {
                long now = System.currentTimeMillis();
                renewLeases(now);
                purgeDone(now);
                if (freeWorkers.tryAcquire(pollNanos, TimeUnit.NANOSECONDS)) {
                    int wanted = 1 + freeWorkers.drainPermits();
                    List<OutboxTask> claimed = List.of();
                    try {
                        if (!closed) {
                            now = System.currentTimeMillis();
                            claimed = store.claimDue(owner, now, now + leaseMillis, wanted);
                        }
                    } finally {
                        freeWorkers.release(wanted - claimed.size());
                    }
                    for (OutboxTask task : claimed) {
                        dispatch(new Claim(task, now + leaseMillis));
                    }
                    full = claimed.size() == wanted;
                }
            } catch (InterruptedException e) {
                return;
            } catch (SQLException | RuntimeException e) {
                if (!closed) {
                    LOG.warn("Outbox on database '{}': polling table {} failed; trying again in {} ms",
                            db.alias(), store.table(), pollNanos / 1_000_000, e);
                }
            }
            if (!full && !closed) {
                LockSupport.parkNanos(this, pollNanos);
            }
        }
    }

    private void renewLeases(long now) throws SQLException {
        for (Claim claim : running.values()) {
            if (claim.leaseUntil - now < leaseMillis / 2) {
                if (store.renew(claim.task.id(), owner, now + leaseMillis)) {
                    claim.leaseUntil = now + leaseMillis;
                } else {
                    LOG.warn("Outbox on database '{}': lost the lease of running {}; another instance may run it too",
                            db.alias(), claim.task);
                }
            }
        }
    }

    private void purgeDone(long now) throws SQLException {
        long every = Math.max(1000, Math.min(keepDoneMillis / 10, 60_000));
        if (now - lastPurge >= every) {
            lastPurge = now;
            store.purgeDone(now - keepDoneMillis);
        }
    }

    // ------------------------------------------------------------------ builder

    /**
     * Configures an {@link Outbox}. Essentials: {@link #handler} (at least one). Frequently
     * used: {@link #workers} (4), {@link #maxAttempts} (10), {@link #backoff} (1 s doubling to
     * 10 min, with jitter). Rare: {@link #lease} (60 s), {@link #pollInterval} (1 s),
     * {@link #executor} (a fixed pool of {@code workers} daemon threads), {@link #table}
     * ({@value #DEFAULT_TABLE}), {@link #keepDone} (7 days). Not thread-safe; use once.
     */
    public static final class Builder {
        private final Database db;
        private final Map<String, OutboxHandler> handlers = new LinkedHashMap<>();
        private String table = DEFAULT_TABLE;
        private int workers = 4;
        private Executor executor;
        private Duration lease = Duration.ofSeconds(60);
        private Duration pollInterval = Duration.ofSeconds(1);
        private int maxAttempts = 10;
        private Duration firstBackoff = Duration.ofSeconds(1);
        private Duration maxBackoff = Duration.ofMinutes(10);
        private Duration keepDone = Duration.ofDays(7);
        private Hooks hooks = Hooks.NONE;

        private Builder(Database db) {
            this.db = Objects.requireNonNull(db, "db");
        }

        /**
         * Registers the handler for tasks named {@code name} ({@code [A-Za-z0-9_.:-]}, up to 200
         * characters). This instance claims only tasks whose handler it has.
         */
        public Builder handler(String name, OutboxHandler handler) {
            Objects.requireNonNull(handler, "handler");
            if (name == null || !NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("Outbox handler name '" + name
                        + "' must be 1 to 200 characters of A-Z, a-z, 0-9, '_', '.', ':' or '-'.");
            }
            if (handlers.putIfAbsent(name, handler) != null) {
                throw new IllegalArgumentException("Outbox handler '" + name + "' is registered twice.");
            }
            return this;
        }

        /** The table to use (created if missing); default {@value Outbox#DEFAULT_TABLE}. Instances sharing work share it. */
        public Builder table(String table) {
            if (table == null || !TABLE.matcher(table).matches()) {
                throw new IllegalArgumentException("Outbox table name '" + table
                        + "' must start with a letter or '_' and hold up to 60 letters, digits or '_'.");
            }
            this.table = table;
            return this;
        }

        /** How many tasks run at once in this instance (the size of the default executor); default 4. */
        public Builder workers(int workers) {
            this.workers = positive(workers, "workers");
            return this;
        }

        /** Runs handlers on {@code executor} instead of the default pool (not shut down by close()). */
        public Builder executor(Executor executor) {
            this.executor = Objects.requireNonNull(executor, "executor");
            return this;
        }

        /**
         * How long an instance holds a task before others may take it over; renewed while the
         * handler runs. The time a crashed instance's tasks wait; default 60 s.
         */
        public Builder lease(Duration lease) {
            this.lease = positive(lease, "lease");
            return this;
        }

        /** How often the poller looks for due tasks when it found none; default 1 s. */
        public Builder pollInterval(Duration pollInterval) {
            this.pollInterval = positive(pollInterval, "pollInterval");
            return this;
        }

        /** Attempts after which a failing task stops and stays as FAILED; default 10. */
        public Builder maxAttempts(int maxAttempts) {
            this.maxAttempts = positive(maxAttempts, "maxAttempts");
            return this;
        }

        /** Delay before the second attempt, doubling per attempt up to {@code max}, with jitter; default 1 s, 10 min. */
        public Builder backoff(Duration first, Duration max) {
            this.firstBackoff = positive(first, "first backoff");
            this.maxBackoff = positive(max, "max backoff");
            if (max.compareTo(first) < 0) {
                throw new IllegalArgumentException("Outbox backoff: max " + max + " is shorter than first " + first + ".");
            }
            return this;
        }

        /** How long DONE tasks stay in the table before the poller deletes them; default 7 days. */
        public Builder keepDone(Duration keepDone) {
            this.keepDone = positive(keepDone, "keepDone");
            return this;
        }

        /** Test seams (package-private). */
        Builder hooks(Hooks hooks) {
            this.hooks = Objects.requireNonNull(hooks, "hooks");
            return this;
        }

        /**
         * Creates the table if missing and starts the poller. Call outside any atomic block
         * (DDL would end the transaction on MariaDB).
         * @throws IllegalStateException without handlers, inside a block, or on an unsupported database
         * @throws DatabaseException if the table cannot be created or read
         */
        public Outbox start() {
            if (handlers.isEmpty()) {
                throw new IllegalStateException("An outbox needs at least one handler: Outbox.builder(db).handler(\"name\", task -> ...).start().");
            }
            if (db.inAtomicBlock()) {
                throw new IllegalStateException("Start the outbox on database '" + db.alias()
                        + "' outside any atomic block: it may create its table, and DDL ends a transaction on MariaDB.");
            }
            Store store;
            try {
                store = Store.open(db, table, handlers.keySet());
            } catch (SQLException e) {
                throw failed("create or read the outbox", table, db.alias(), e);
            }
            Outbox outbox = new Outbox(this, store);
            outbox.poller.start();
            return outbox;
        }

        private static int positive(int value, String what) {
            if (value <= 0) {
                throw new IllegalArgumentException("Outbox " + what + " must be positive, not " + value + ".");
            }
            return value;
        }

        private static Duration positive(Duration value, String what) {
            if (value == null || value.isNegative() || value.isZero() || value.toMillis() == 0) {
                throw new IllegalArgumentException("Outbox " + what + " must be at least 1 ms, not " + value + ".");
            }
            return value;
        }
    }
}
