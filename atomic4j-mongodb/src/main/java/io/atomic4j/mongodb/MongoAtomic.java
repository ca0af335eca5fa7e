package io.atomic4j.mongodb;

import com.mongodb.TransactionOptions;
import com.mongodb.client.ClientSession;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import io.atomic4j.Atomic;
import io.atomic4j.AtomicOptions;
import io.atomic4j.AtomicScope;
import io.atomic4j.Block;
import io.atomic4j.CommitOutcomeUnknownException;
import io.atomic4j.Result;
import io.atomic4j.TransactionManagementException;
import io.atomic4j.internal.engine.AtomicBlocks;
import io.atomic4j.internal.engine.AtomicProxies;
import io.atomic4j.internal.engine.TransactionState;
import io.atomic4j.internal.errors.Messages;
import java.time.Duration;
import java.util.Objects;
import org.bson.Document;

/**
 * Django's atomic blocks and on-commit hooks over MongoDB transactions, for one {@link MongoClient}
 * (Django: {@code django_mongodb_backend.transaction.atomic}, with the core's semantics).
 * <pre>{@code
 * MongoAtomic mongo = MongoAtomic.create(client);
 * MongoCollection<Document> orders = mongo.collection("shop", "orders");   // session-bound view
 * mongo.atomic(() -> {
 *     orders.insertOne(new Document("_id", orderId).append("total", 42));
 *     stock.updateOne(eq("_id", sku), inc("count", -1));
 *     mongo.onCommit(() -> mailer.confirm(orderId));          // only after a real commit
 * });
 * }</pre>
 *
 * <h2>How it differs from SQL databases</h2>
 * <ul>
 *   <li>MongoDB has no savepoints. A nested block joins the outer transaction: a failure that
 *       leaves it marks the whole transaction for rollback, later operations in it fail with
 *       {@link TransactionManagementException}, and the outermost block aborts (and throws that
 *       exception too if the body swallowed the failure). The server itself aborts a
 *       transaction after any failed operation, so there would be nothing to go back to.</li>
 *   <li>An outermost block's transaction starts at its first operation (no operation, no
 *       transaction and no round trip). It needs a replica set or a sharded cluster; on a
 *       standalone server the first operation fails with a TransactionManagementException saying so.</li>
 *   <li>{@code isolation(...)} and {@code readOnly(true)} are refused (MongoDB transactions read
 *       from one snapshot); choose read concern, write concern and read preference with
 *       {@link #withTransactionOptions}, whose unset fields come from the client.</li>
 *   <li>{@code retry(RetryPolicy.transientErrors(n))} re-runs the whole body when the server labels
 *       an error TransientTransactionError (write conflict, network error inside the transaction),
 *       discarding the failed attempt's hooks; and retries the commit while its outcome is
 *       UnknownTransactionCommitResult, for up to {@link Builder#commitRetryLimit} (120 s, like
 *       the driver's {@code withTransaction}). An outcome that stays unknown raises
 *       {@link CommitOutcomeUnknownException}, which is never retried. Without a retry policy only
 *       the driver's own single commit retry applies.</li>
 * </ul>
 *
 * <p>Operations take part in the block through the views ({@link #database}, {@link #collection},
 * {@link #bind}), which pass the block's {@link ClientSession} to the driver and run without one
 * outside blocks; or pass {@link #currentSession()} yourself.
 *
 * <p>Thread-safe: share one instance. Blocks are per thread, as with {@code io.atomic4j.Database}.
 */
public final class MongoAtomic implements AutoCloseable {
    /** The driver's withTransaction gives up retrying after 120 seconds. */
    private static final Duration DEFAULT_COMMIT_RETRY_LIMIT = Duration.ofSeconds(120);

    private final MongoBackend backend;
    private final AtomicBlocks blocks;
    private final SessionBinding binding;
    /** Options for the transactions this instance opens; null = the client's defaults. */
    private final TransactionOptions transactionOptions;
    /** Made by withTransactionOptions: its options cannot apply to a block nested in another. */
    private final boolean perBlockOptions;

    private MongoAtomic(MongoBackend backend, AtomicBlocks blocks, SessionBinding binding,
                        TransactionOptions transactionOptions, boolean perBlockOptions) {
        this.backend = backend;
        this.blocks = blocks;
        this.binding = binding;
        this.transactionOptions = transactionOptions;
        this.perBlockOptions = perBlockOptions;
    }

    /** Blocks on {@code client} under the alias "default", with the client's transaction defaults. */
    public static MongoAtomic create(MongoClient client) {
        return builder(client).build();
    }

    public static Builder builder(MongoClient client) {
        return new Builder(client);
    }

    /**
     * The same blocks (same thread state, hooks and views) whose transactions start with
     * {@code options} merged over the client's defaults. Applies where it opens the outermost block;
     * inside another block it is refused, as the transaction is already running.
     * <pre>{@code mongo.withTransactionOptions(TransactionOptions.builder().writeConcern(WriteConcern.MAJORITY).build())
     *      .atomic(() -> ...);}</pre>
     */
    public MongoAtomic withTransactionOptions(TransactionOptions options) {
        Objects.requireNonNull(options, "withTransactionOptions() needs options, got null");
        TransactionOptions merged = transactionOptions == null ? options : TransactionOptions.merge(options, transactionOptions);
        return new MongoAtomic(backend, blocks, binding, merged, true);
    }

    public String alias() {
        return blocks.alias();
    }

    public MongoClient client() {
        return backend.client();
    }

    // ------------------------------------------------------------------ session-bound views

    /** A view of the database whose operations use the current block's session (none outside a block). */
    public MongoDatabase database(String name) {
        return binding.database(client().getDatabase(name));
    }

    /** A view of {@code database.collection}, as {@link Document}s. */
    public MongoCollection<Document> collection(String database, String collection) {
        return binding.collection(client().getDatabase(database).getCollection(collection));
    }

    public <T> MongoCollection<T> collection(String database, String collection, Class<T> documentClass) {
        return binding.collection(client().getDatabase(database).getCollection(collection, documentClass));
    }

    /** A view of a collection you already have (with your codecs, read concern, ...); views stay views. */
    public <T> MongoCollection<T> bind(MongoCollection<T> collection) {
        return binding.collection(Objects.requireNonNull(collection, "bind() needs a collection, got null"));
    }

    public MongoDatabase bind(MongoDatabase database) {
        return binding.database(Objects.requireNonNull(database, "bind() needs a database, got null"));
    }

    /**
     * The current block's session, for code that passes it to the driver itself; null outside a
     * block. Starts the transaction if no operation has yet. Errors of operations run this way are
     * not seen by atomic4j, but the server aborts the transaction on them, so the block cannot commit.
     */
    public ClientSession currentSession() {
        TransactionState state = blocks.state();
        return state.inAtomicBlock() ? binding.sessionForOperation(state) : null;
    }

    // ------------------------------------------------------------------ atomic blocks

    /**
     * Runs {@code body} in a transaction, or as part of the open one (Django: {@code atomic()}).
     * Commits on normal exit; on any exception aborts and rethrows it unchanged.
     * @throws E what the body threw, after the transaction was aborted
     * @throws TransactionManagementException if the body swallowed a failed operation, so the transaction was aborted
     * @throws CommitOutcomeUnknownException if nobody can tell whether the commit happened
     */
    public <E extends Exception> void atomic(Block<E> body) throws E {
        atomic(AtomicOptions.defaults(), body);
    }

    public <T, E extends Exception> T atomic(Result<T, E> body) throws E {
        return atomic(AtomicOptions.defaults(), body);
    }

    /** With options: {@code savepoint} (no effect: there are none), {@code durable}, {@code retry}. */
    public <E extends Exception> void atomic(AtomicOptions options, Block<E> body) throws E {
        Objects.requireNonNull(body, "atomic() needs a body, got null");
        atomic(options, () -> {
            body.run();
            return null;
        });
    }

    public <T, E extends Exception> T atomic(AtomicOptions options, Result<T, E> body) throws E {
        Objects.requireNonNull(body, "atomic() needs a body, got null");
        checkOptions(options);
        return blocks.run(options, transactionOptions, body);
    }

    /**
     * The try-with-resources form; {@link AtomicScope#complete()} marks success, and {@code close()}
     * without it aborts. <pre>{@code try (AtomicScope scope = mongo.begin()) { work(); scope.complete(); }}</pre>
     */
    public AtomicScope begin() {
        return begin(AtomicOptions.defaults());
    }

    public AtomicScope begin(AtomicOptions options) {
        checkOptions(options);
        return blocks.begin(options, transactionOptions, false);
    }

    /** Refuses options MongoDB cannot honour, before any block opens. */
    private void checkOptions(AtomicOptions options) {
        Objects.requireNonNull(options, "options must not be null; use AtomicOptions.defaults()");
        if (options.isolation() != null) {
            throw MongoMessages.optionNotSupported(alias(), "isolation(" + options.isolation() + ")",
                    "a MongoDB transaction reads from one snapshot. Choose the read concern with withTransactionOptions(...).");
        }
        if (options.readOnly()) {
            throw MongoMessages.optionNotSupported(alias(), "readOnly(true)",
                    "MongoDB has no read-only transactions. Run the reads without a block, or in one that writes nothing.");
        }
        if (perBlockOptions && blocks.inAtomicBlock()) {
            throw Messages.outermostOnly(alias(), "withTransactionOptions(...)");
        }
    }

    /**
     * A proxy of {@code target} whose methods annotated {@link Atomic} (on the interface or the
     * target's class) run in a block (Django: the {@code @atomic} decorator). Exceptions come out unchanged.
     */
    public <T> T atomicProxy(Class<T> iface, T target) {
        return AtomicProxies.create(iface, target, this::atomic);
    }

    /** True while this thread is inside a block of this instance's client and alias. */
    public boolean inAtomicBlock() {
        return blocks.inAtomicBlock();
    }

    // ------------------------------------------------------------------ hooks and the rollback flag

    /** Runs {@code callback} after the outermost block commits; at once outside a block (Django: on_commit). */
    public void onCommit(Runnable callback) {
        blocks.hooks().onCommit(callback, false);
    }

    /** With {@code robust}, a failing callback is logged and the later ones still run. */
    public void onCommit(Runnable callback, boolean robust) {
        blocks.hooks().onCommit(callback, robust);
    }

    /**
     * Beyond Django: runs {@code callback} after the transaction is aborted, newest first; to
     * restore in-memory state (a field set before a failed save). Dropped outside a block.
     */
    public void onRollback(Runnable callback) {
        blocks.hooks().onRollback(callback);
    }

    /** Whether the transaction will abort at the outermost exit (Django: get_rollback()). Only inside a block. */
    public boolean getRollback() {
        return blocks.getRollback();
    }

    /** true: abort at exit, silently; false: clear the mark (Django: set_rollback()). Only inside a block. */
    public void setRollback(boolean rollback) {
        blocks.setRollback(rollback);
    }

    /** Runs {@code body}; if it throws inside a block, marks the transaction for rollback and rethrows. */
    public <E extends Exception> void markForRollbackOnError(Block<E> body) throws E {
        blocks.markForRollbackOnError(body);
    }

    /** Refuses every later use (IllegalStateException naming the alias). Does not close the client, which is yours. */
    @Override
    public void close() {
        blocks.close();
    }

    @Override
    public String toString() {
        return "MongoAtomic[" + alias() + (blocks.isClosed() ? ", closed" : "") + "]";
    }

    /**
     * Options, with defaults: {@code alias} ("default"), {@code transactionOptions} (the client's),
     * {@code commitRetryLimit} (120 s; how long a block with a retry policy keeps retrying a commit
     * whose outcome is unknown).
     */
    public static final class Builder {
        private final MongoClient client;
        private String alias = "default";
        private TransactionOptions transactionOptions;
        private Duration commitRetryLimit = DEFAULT_COMMIT_RETRY_LIMIT;

        private Builder(MongoClient client) {
            this.client = Objects.requireNonNull(client, "MongoAtomic needs a MongoClient, got null");
        }

        public Builder alias(String alias) {
            if (alias == null || alias.isBlank()) {
                throw Messages.badAlias(alias);
            }
            this.alias = alias;
            return this;
        }

        public Builder transactionOptions(TransactionOptions options) {
            this.transactionOptions = Objects.requireNonNull(options, "transactionOptions must not be null");
            return this;
        }

        public Builder commitRetryLimit(Duration limit) {
            Objects.requireNonNull(limit, "commitRetryLimit must not be null");
            if (limit.isNegative()) {
                throw MongoMessages.negativeCommitRetryLimit(limit);
            }
            this.commitRetryLimit = limit;
            return this;
        }

        public MongoAtomic build() {
            MongoBackend backend = new MongoBackend(alias, client, commitRetryLimit);
            AtomicBlocks blocks = new AtomicBlocks(backend, true);
            return new MongoAtomic(backend, blocks, new SessionBinding(blocks), transactionOptions, false);
        }
    }
}
