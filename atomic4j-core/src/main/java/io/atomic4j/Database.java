package io.atomic4j;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.atomic4j.internal.dialect.Dialect;
import io.atomic4j.internal.dialect.Dialects;
import io.atomic4j.internal.engine.AtomicBlocks;
import io.atomic4j.internal.engine.AtomicProxies;
import io.atomic4j.internal.engine.Engines;
import io.atomic4j.internal.engine.TransactionEvents;
import io.atomic4j.internal.errors.Messages;
import io.atomic4j.internal.jdbc.DriverUrlDataSource;
import io.atomic4j.internal.jdbc.JdbcBackend;
import io.atomic4j.internal.jdbc.TransactionAwareDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import javax.sql.DataSource;

/**
 * One database alias with Django's transaction model: atomic blocks that nest as savepoints,
 * hooks that run after a real commit, manual savepoints and autocommit control.
 * <pre>{@code
 * Database db = Database.open("jdbc:sqlite:app.db");
 * db.atomic(() -> {
 *     try (Connection c = db.connection()) { insertUser(c, "ada"); }
 *     db.onCommit(() -> mailer.welcome("ada"));     // only after a real commit
 * });
 * }</pre>
 *
 * <p>Thread-safe: share one instance. Transaction state is per thread (virtual threads included):
 * a block opened on one thread is invisible to the others.
 *
 * <p>Django: {@code django.db.transaction} with {@code using=alias}.
 */
public final class Database implements AutoCloseable {
    static {
        Engines.register(database -> database.blocks);
    }

    private final String alias;
    private final JdbcBackend backend;
    private final AtomicBlocks blocks;
    private final TransactionAwareDataSource dataSource;
    /** The pool atomic4j opened itself and must close; null for {@link #wrap}. */
    private final HikariDataSource ownedPool;
    private final boolean atomicRequests;

    private Database(String alias, DataSource pool, Dialect dialect, HikariDataSource ownedPool,
                     boolean autoCommit, boolean atomicRequests, boolean resolveCommitOutcome, TransactionEvents events) {
        this.alias = alias;
        this.backend = new JdbcBackend(alias, pool, dialect, resolveCommitOutcome);
        this.blocks = new AtomicBlocks(backend, autoCommit, events);
        this.backend.attach(blocks);
        this.dataSource = new TransactionAwareDataSource(backend, blocks);
        this.ownedPool = ownedPool;
        this.atomicRequests = atomicRequests;
    }

    /** Opens a pooled database under the alias "default" (Django's default alias). */
    public static Database open(String jdbcUrl) {
        return builder(jdbcUrl).build();
    }

    /** A builder for a pooled database; see {@link Builder} for the options and their defaults. */
    public static Builder builder(String jdbcUrl) {
        return new Builder(jdbcUrl);
    }

    /**
     * Uses a pool you configured yourself. atomic4j borrows connections from it and never closes it.
     * Its connections must start in autocommit mode (the JDBC default). For atomic4j's own options
     * on such a pool (a listener, autoCommit...) use {@link #builder(DataSource)}.
     */
    public static Database wrap(String alias, DataSource pool) {
        Builder.requireAlias(alias);
        return builder(pool, "Database.wrap(\"" + alias + "\", pool)").alias(alias).build();
    }

    /**
     * A builder for a database over a pool you configured yourself, as {@link #wrap}: atomic4j's
     * own options (alias, autoCommit, atomicRequests, resolveCommitOutcome, listener,
     * longTransactionThreshold) apply; the pool's (user, password, maxPoolSize, isolation,
     * property) are your pool's to set and are refused. atomic4j never closes the pool.
     */
    public static Builder builder(DataSource pool) {
        return builder(pool, "Database.builder(pool)");
    }

    private static Builder builder(DataSource pool, String call) {
        Objects.requireNonNull(pool, call + " needs a DataSource, got null");
        if (pool instanceof TransactionAwareDataSource) {
            throw Messages.wrappedTwice(call);
        }
        return new Builder(pool);
    }

    /** The alias this database is known by (Django's {@code using}). */
    public String alias() {
        return alias;
    }

    /** Whether each HTTP request should run in a block on this database (Django's ATOMIC_REQUESTS); see the servlet module. */
    public boolean atomicRequests() {
        return atomicRequests;
    }

    /**
     * The transaction-aware DataSource: inside a block, {@code getConnection()} returns the block's
     * connection (its {@code close()} leaves it open, its {@code commit()}/{@code rollback()} are
     * refused); outside, an ordinary pooled autocommit connection. Hand it to JDBI, jOOQ or MyBatis.
     */
    public DataSource dataSource() {
        blocks.checkOpen();
        return dataSource;
    }

    /** Same as {@code dataSource().getConnection()}; close it when done (inside a block that leaves it open). */
    public Connection connection() throws SQLException {
        return dataSource().getConnection();
    }

    // ------------------------------------------------------------------ atomic blocks

    /**
     * Runs {@code body} in a transaction, or in a savepoint if a block is already open (Django:
     * {@code atomic()}). Commits on normal exit; on any exception rolls back and rethrows it unchanged.
     * <pre>{@code db.atomic(() -> { insertUser(db, "ada"); insertProfile(db, "ada"); });}</pre>
     * @throws E what the body threw, after its work was rolled back
     * @throws TransactionManagementException if the block swallowed a failed statement and therefore rolled back
     */
    public <E extends Exception> void atomic(Block<E> body) throws E {
        atomic(AtomicOptions.defaults(), body);
    }

    /** Like {@link #atomic(Block)}, returning the body's value. */
    public <T, E extends Exception> T atomic(Result<T, E> body) throws E {
        Objects.requireNonNull(body, "atomic() needs a body, got null");
        return blocks.run(AtomicOptions.defaults(), body);
    }

    /** Like {@link #atomic(Block)}, with options (savepoint, durable, isolation, readOnly, retry). */
    public <E extends Exception> void atomic(AtomicOptions options, Block<E> body) throws E {
        Objects.requireNonNull(body, "atomic() needs a body, got null");
        blocks.run(checked(options), () -> {
            body.run();
            return null;
        });
    }

    /** Like {@link #atomic(Result)}, with options. */
    public <T, E extends Exception> T atomic(AtomicOptions options, Result<T, E> body) throws E {
        Objects.requireNonNull(body, "atomic() needs a body, got null");
        return blocks.run(checked(options), body);
    }

    private static AtomicOptions checked(AtomicOptions options) {
        return Objects.requireNonNull(options, "options must not be null; use AtomicOptions.defaults()");
    }

    /**
     * Opens a block for try-with-resources; {@link AtomicScope#complete()} marks success, and
     * {@code close()} without it rolls back.
     * <pre>{@code try (AtomicScope scope = db.begin()) { work(); scope.complete(); }}</pre>
     */
    public AtomicScope begin() {
        return blocks.begin(AtomicOptions.defaults(), false);
    }

    /** Like {@link #begin()}, with options (retry is not available in this form). */
    public AtomicScope begin(AtomicOptions options) {
        return blocks.begin(checked(options), false);
    }

    /**
     * A proxy of {@code target} whose methods annotated {@link Atomic} (on the interface or on the
     * target's implementation) run in a block (Django: the {@code @atomic} decorator).
     * Exceptions come out unchanged.
     */
    public <T> T atomicProxy(Class<T> iface, T target) {
        return AtomicProxies.create(iface, target, blocks::run);
    }

    /** True while this thread is inside a block on this database. */
    public boolean inAtomicBlock() {
        return blocks.inAtomicBlock();
    }

    // ------------------------------------------------------------------ hooks

    /**
     * Runs {@code callback} after the outermost block commits (Django: {@code on_commit}); never
     * if the work it belongs to is rolled back. Outside a block (autocommit) it runs at once.
     * A failing callback's exception comes out of the block (the data is committed) and the
     * remaining callbacks are skipped.
     */
    public void onCommit(Runnable callback) {
        blocks.hooks().onCommit(callback, false);
    }

    /** Like {@link #onCommit(Runnable)}; with {@code robust}, a failure is logged and the other callbacks still run. */
    public void onCommit(Runnable callback, boolean robust) {
        blocks.hooks().onCommit(callback, robust);
    }

    /**
     * Runs {@code callback} inside the transaction just before the outermost block commits (after
     * the nested blocks have released their savepoints), in registration order; ORMs flush here.
     * A throw rolls the whole transaction back and comes out of the outermost block. Discarded
     * with a savepoint that is rolled back, like onCommit. Outside a block it is refused with
     * {@link TransactionManagementException}: there is no transaction to run it in. In a manual
     * transaction (autocommit off) it runs at {@link #commit()}.
     */
    public void beforeCommit(Runnable callback) {
        blocks.hooks().beforeCommit(callback);
    }

    /**
     * Beyond Django: runs {@code callback} after the work it belongs to (the transaction, or the
     * savepoint it was registered in) is rolled back, newest first. Use it to restore in-memory
     * state that the database rollback cannot. Outside a block (autocommit) it is dropped.
     */
    public void onRollback(Runnable callback) {
        blocks.hooks().onRollback(callback);
    }

    // ------------------------------------------------------------------ manual savepoints

    /** Takes a savepoint in the current transaction; null in autocommit outside a block (Django: savepoint()). */
    public Savepoint savepoint() {
        return blocks.savepoint();
    }

    /** Releases a savepoint taken in this block (Django: savepoint_commit()); null is a no-op. */
    public void savepointCommit(Savepoint sid) {
        blocks.savepointCommit(sid);
    }

    /**
     * Rolls back to a savepoint taken in this block and discards the onCommit hooks registered
     * since (Django: savepoint_rollback()). Beyond Django: allowed after an error marked the block
     * for rollback, and clears that mark.
     */
    public void savepointRollback(Savepoint sid) {
        blocks.savepointRollback(sid);
    }

    /** Restarts savepoint naming when no savepoint is open (Django: clean_savepoints()). */
    public void cleanSavepoints() {
        blocks.cleanSavepoints();
    }

    // ------------------------------------------------------------------ rollback flag

    /** Whether the innermost block will roll back (Django: get_rollback()). Only inside a block. */
    public boolean getRollback() {
        return blocks.getRollback();
    }

    /** Forces (true) or prevents (false) rollback at the innermost block's exit (Django: set_rollback()). */
    public void setRollback(boolean rollback) {
        blocks.setRollback(rollback);
    }

    /** Runs {@code body}; if it throws inside a block, marks the block for rollback and rethrows (Django: mark_for_rollback_on_error()). */
    public <E extends Exception> void markForRollbackOnError(Block<E> body) throws E {
        blocks.markForRollbackOnError(body);
    }

    // ------------------------------------------------------------------ autocommit

    /** This thread's autocommit mode; false inside a block (Django: get_autocommit()). */
    public boolean getAutoCommit() {
        return blocks.getAutoCommit();
    }

    /**
     * Turns this thread's autocommit off (a manual transaction starts with the next statement and
     * keeps one connection bound to the thread) or back on (Django: set_autocommit()).
     * Refused inside a block, and when turning it on with uncommitted statements.
     */
    public void setAutoCommit(boolean autoCommit) {
        blocks.setAutoCommit(autoCommit);
    }

    /** Commits this thread's manual transaction; a no-op in autocommit; refused in a block. */
    public void commit() {
        blocks.commit();
    }

    /** Rolls back this thread's manual transaction; a no-op in autocommit; refused in a block. */
    public void rollback() {
        blocks.rollback();
    }

    /**
     * Closes this database: the calling thread's transaction (block or manual) is rolled back and
     * its connection returned; other threads' open transactions are aborted, so that after close()
     * returns no connection of this database holds a lock; the pool is closed if atomic4j opened
     * it. Afterwards every use fails with IllegalStateException naming the alias. Idempotent.
     */
    @Override
    public void close() {
        blocks.close();
        if (ownedPool != null) {
            ownedPool.close();
        }
    }

    @Override
    public String toString() {
        Dialect dialect = backend.dialect();
        return "Database[" + alias + (dialect == null ? "" : ", " + dialect.name()) + (blocks.isClosed() ? ", closed" : "") + "]";
    }

    /**
     * Builds a pooled {@link Database} (HikariCP), or one over your own pool
     * ({@link Database#builder(DataSource)}, where the pool options are refused). Options, with defaults:
     * <ul>
     *   <li>Essentials: {@code user}, {@code password} (none: from the URL).</li>
     *   <li>Frequently used: {@code alias} ("default"), {@code maxPoolSize} (10),
     *       {@code atomicRequests} (false).</li>
     *   <li>Rare: {@code autoCommit} (true; false = every thread starts in a manual transaction),
     *       {@code isolation} (the driver's), {@code resolveCommitOutcome} (true),
     *       {@code property} (driver properties).</li>
     * </ul>
     * SQLite databases start transactions as {@code BEGIN IMMEDIATE} unless the URL sets
     * {@code transaction_mode}, so a block that writes never fails at once with SQLITE_BUSY.
     */
    public static final class Builder {
        /** Null when building over the caller's pool. */
        private final String jdbcUrl;
        /** The caller's pool (Database.builder(DataSource)); null when atomic4j opens one. */
        private final DataSource callersPool;
        private String alias = "default";
        private String user;
        private String password;
        private boolean atomicRequests;
        private boolean autoCommit = true;
        private Isolation isolation;
        private int maxPoolSize = 10;
        private boolean resolveCommitOutcome = true;
        private TransactionListener listener;
        private java.time.Duration longTransactionThreshold;
        private final Map<String, String> properties = new LinkedHashMap<>();

        private Builder(String jdbcUrl) {
            if (jdbcUrl == null || !jdbcUrl.startsWith("jdbc:")) {
                throw Messages.notAJdbcUrl(jdbcUrl);
            }
            this.jdbcUrl = jdbcUrl;
            this.callersPool = null;
        }

        private Builder(DataSource callersPool) {
            this.jdbcUrl = null;
            this.callersPool = callersPool;
        }

        /** Refuses an option of the pool atomic4j opens when the pool is the caller's: it would silently do nothing. */
        private void poolOption(String option) {
            if (callersPool != null) {
                throw Messages.poolOptionOnCallersPool(option);
            }
        }

        /** The alias (Django's {@code using}); default "default". */
        public Builder alias(String alias) {
            this.alias = requireAlias(alias);
            return this;
        }

        public Builder user(String user) {
            poolOption("user(...)");
            this.user = user;
            return this;
        }

        /** Never logged nor put in any message. */
        public Builder password(String password) {
            poolOption("password(...)");
            this.password = password;
            return this;
        }

        /** Wrap each HTTP request in a block on this database (Django's ATOMIC_REQUESTS); default false. */
        public Builder atomicRequests(boolean atomicRequests) {
            this.atomicRequests = atomicRequests;
            return this;
        }

        /** Django's AUTOCOMMIT; default true. With false every thread starts in a manual transaction. */
        public Builder autoCommit(boolean autoCommit) {
            this.autoCommit = autoCommit;
            return this;
        }

        /** Default isolation of every connection; default: the driver's. */
        public Builder isolation(Isolation isolation) {
            poolOption("isolation(...)");
            this.isolation = isolation;
            return this;
        }

        /** Largest number of pooled connections; default 10. */
        public Builder maxPoolSize(int maxPoolSize) {
            poolOption("maxPoolSize(...)");
            if (maxPoolSize < 1) {
                throw Messages.badMaxPoolSize(maxPoolSize);
            }
            this.maxPoolSize = maxPoolSize;
            return this;
        }

        /**
         * Observes this database's transactions (metrics, traces): see {@link TransactionListener}.
         * One listener per database; none by default, and then observing costs nothing.
         */
        public Builder listener(TransactionListener listener) {
            this.listener = Objects.requireNonNull(listener, "listener must not be null");
            return this;
        }

        /**
         * Reports a transaction open longer than {@code threshold}, once: a WARN log line with the
         * stack trace of the code that opened it (like HikariCP's leak detection) and
         * {@link TransactionListener#longTransaction}. Off by default, and then it costs nothing.
         */
        public Builder longTransactionThreshold(java.time.Duration threshold) {
            Objects.requireNonNull(threshold, "threshold must not be null");
            if (threshold.isNegative() || threshold.isZero()) {
                throw Messages.badLongTransactionThreshold(threshold);
            }
            this.longTransactionThreshold = threshold;
            return this;
        }

        /**
         * Whether a COMMIT whose connection is lost is resolved where the dialect can (PostgreSQL);
         * default true. Resolving costs one short query before each COMMIT of a transaction that
         * wrote; with false that query is skipped and such a loss is always a
         * {@link CommitOutcomeUnknownException}.
         */
        public Builder resolveCommitOutcome(boolean resolveCommitOutcome) {
            this.resolveCommitOutcome = resolveCommitOutcome;
            return this;
        }

        /** A driver property, e.g. {@code property("sslmode", "require")}. */
        public Builder property(String key, String value) {
            poolOption("property(...)");
            properties.put(Objects.requireNonNull(key, "property key"), Objects.requireNonNull(value, "property value"));
            return this;
        }

        /**
         * Opens the pool and checks that one connection can be made; over your own pool
         * ({@link Database#builder(DataSource)}) it opens nothing and connects at the first use.
         * @throws DatabaseException naming the alias if the database cannot be reached
         */
        public Database build() {
            TransactionEvents events = TransactionEvents.of(alias, listener, longTransactionThreshold);
            if (callersPool != null) {
                return new Database(alias, callersPool, null, null, autoCommit, atomicRequests, resolveCommitOutcome, events);
            }
            Dialect dialect = Dialects.forUrl(jdbcUrl);
            HikariConfig config = new HikariConfig();
            config.setPoolName("atomic4j-" + alias);
            config.setMaximumPoolSize(maxPoolSize);
            config.setMinimumIdle(Math.min(2, maxPoolSize));
            config.setAutoCommit(true);
            if (isolation != null) {
                config.setTransactionIsolation(isolationName(dialect == null ? isolation.jdbcLevel()
                        : dialect.isolationLevel(isolation)));
            }
            Properties driverProperties = new Properties();
            if (jdbcUrl.startsWith("jdbc:sqlite:") && !jdbcUrl.contains("transaction_mode")
                    && !properties.containsKey("transaction_mode")) {
                driverProperties.setProperty("transaction_mode", "IMMEDIATE");
            }
            properties.forEach(driverProperties::setProperty);
            if (user != null) {
                driverProperties.setProperty("user", user);
            }
            if (password != null) {
                driverProperties.setProperty("password", password);
            }
            // Not config.setJdbcUrl: the pool would log the URL, a password in it included (see DriverUrlDataSource).
            config.setDataSource(new DriverUrlDataSource(jdbcUrl, driverProperties));
            HikariDataSource pool;
            try {
                pool = new HikariDataSource(config);
            } catch (RuntimeException e) {
                Throwable cause = e.getCause() != null ? e.getCause() : e;
                ErrorKind kind = cause instanceof SQLException ? SqlErrors.classify((SQLException) cause) : ErrorKind.CONNECTION;
                throw Messages.cannotOpen(alias, jdbcUrl, password, kind, cause);
            }
            return new Database(alias, pool, dialect, pool, autoCommit, atomicRequests, resolveCommitOutcome, events);
        }

        private static String isolationName(int level) {
            switch (level) {
                case Connection.TRANSACTION_READ_UNCOMMITTED: return "TRANSACTION_READ_UNCOMMITTED";
                case Connection.TRANSACTION_READ_COMMITTED: return "TRANSACTION_READ_COMMITTED";
                case Connection.TRANSACTION_REPEATABLE_READ: return "TRANSACTION_REPEATABLE_READ";
                default: return "TRANSACTION_SERIALIZABLE";
            }
        }

        static String requireAlias(String alias) {
            if (alias == null || alias.isBlank()) {
                throw Messages.badAlias(alias);
            }
            return alias;
        }
    }
}
