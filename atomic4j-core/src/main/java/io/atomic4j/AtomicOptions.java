package io.atomic4j;

import java.util.Objects;

/**
 * Options of one atomic block (Django: the arguments of {@code atomic()}). Immutable: each
 * method returns a changed copy, so an instance can be kept in a constant and shared.
 * <pre>{@code
 * static final AtomicOptions TRANSFER = AtomicOptions.defaults()
 *         .isolation(Isolation.SERIALIZABLE)
 *         .retry(RetryPolicy.transientErrors(5));
 * db.atomic(TRANSFER, () -> transfer(from, to, cents));
 * }</pre>
 * {@code isolation}, {@code readOnly} and {@code retry} apply to the outermost block only; on a
 * nested block they are refused with a {@link TransactionManagementException}.
 */
public final class AtomicOptions {
    private static final AtomicOptions DEFAULTS = new AtomicOptions(true, false, null, false, RetryPolicy.none(), false);

    private final boolean savepoint;
    private final boolean durable;
    private final Isolation isolation;
    private final boolean readOnly;
    private final RetryPolicy retry;
    private final boolean independent;

    private AtomicOptions(boolean savepoint, boolean durable, Isolation isolation, boolean readOnly, RetryPolicy retry,
                          boolean independent) {
        this.savepoint = savepoint;
        this.durable = durable;
        this.isolation = isolation;
        this.readOnly = readOnly;
        this.retry = retry;
        this.independent = independent;
    }

    /** Savepoint on, not durable, the database's isolation, read-write, no retry. */
    public static AtomicOptions defaults() {
        return DEFAULTS;
    }

    /** Django's {@code savepoint=}: false makes a nested block join the enclosing one (default true). */
    public AtomicOptions savepoint(boolean savepoint) {
        return new AtomicOptions(savepoint, durable, isolation, readOnly, retry, independent);
    }

    /** Django's {@code durable=}: true refuses to run nested in another block (default false). */
    public AtomicOptions durable(boolean durable) {
        return new AtomicOptions(savepoint, durable, isolation, readOnly, retry, independent);
    }

    /** Isolation level of the transaction; null (the default) keeps the database's. Outermost block only. */
    public AtomicOptions isolation(Isolation level) {
        return new AtomicOptions(savepoint, durable, level, readOnly, retry, independent);
    }

    /** Runs the transaction read-only (default false). Outermost block only. */
    public AtomicOptions readOnly(boolean readOnly) {
        return new AtomicOptions(savepoint, durable, isolation, readOnly, retry, independent);
    }

    /** How to re-run the whole block after a transient failure (default {@link RetryPolicy#none()}). Outermost block only. */
    public AtomicOptions retry(RetryPolicy policy) {
        return new AtomicOptions(savepoint, durable, isolation, readOnly,
                Objects.requireNonNull(policy, "retry policy must not be null; use RetryPolicy.none()"), independent);
    }

    /**
     * A new transaction on another pooled connection even when a block is open (Spring's
     * REQUIRES_NEW): the thread's current transaction on this database is suspended until the
     * body returns, then resumed. It commits or rolls back on its own and its hooks run at its own
     * commit. Outside a block it is a plain block. Default false.
     *
     * <p>The suspended transaction holds its locks meanwhile: an independent block that writes a
     * row the suspended one locked waits for a lock that cannot be released (a self-deadlock, ended
     * by the database's lock timeout).
     */
    public AtomicOptions independent(boolean independent) {
        return new AtomicOptions(savepoint, durable, isolation, readOnly, retry, independent);
    }

    /** Whether the block runs as an independent transaction. */
    public boolean independent() {
        return independent;
    }

    /** Whether a nested block takes a savepoint. */
    public boolean savepoint() {
        return savepoint;
    }

    /** Whether the block refuses to be nested. */
    public boolean durable() {
        return durable;
    }

    /** The isolation level asked for, or null for the database's. */
    public Isolation isolation() {
        return isolation;
    }

    /** Whether the transaction is read-only. */
    public boolean readOnly() {
        return readOnly;
    }

    /** The retry policy. */
    public RetryPolicy retry() {
        return retry;
    }

    @Override
    public String toString() {
        return "AtomicOptions[savepoint=" + savepoint + ", durable=" + durable + ", isolation=" + isolation
                + ", readOnly=" + readOnly + ", retry=" + retry + ", independent=" + independent + "]";
    }
}
