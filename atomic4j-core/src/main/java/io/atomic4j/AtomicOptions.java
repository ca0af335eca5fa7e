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
    private static final AtomicOptions DEFAULTS = new AtomicOptions(true, false, null, false, RetryPolicy.none());

    private final boolean savepoint;
    private final boolean durable;
    private final Isolation isolation;
    private final boolean readOnly;
    private final RetryPolicy retry;

    private AtomicOptions(boolean savepoint, boolean durable, Isolation isolation, boolean readOnly, RetryPolicy retry) {
        this.savepoint = savepoint;
        this.durable = durable;
        this.isolation = isolation;
        this.readOnly = readOnly;
        this.retry = retry;
    }

    /** Savepoint on, not durable, the database's isolation, read-write, no retry. */
    public static AtomicOptions defaults() {
        return DEFAULTS;
    }

    /** Django's {@code savepoint=}: false makes a nested block join the enclosing one (default true). */
    public AtomicOptions savepoint(boolean savepoint) {
        return new AtomicOptions(savepoint, durable, isolation, readOnly, retry);
    }

    /** Django's {@code durable=}: true refuses to run nested in another block (default false). */
    public AtomicOptions durable(boolean durable) {
        return new AtomicOptions(savepoint, durable, isolation, readOnly, retry);
    }

    /** Isolation level of the transaction; null (the default) keeps the database's. Outermost block only. */
    public AtomicOptions isolation(Isolation level) {
        return new AtomicOptions(savepoint, durable, level, readOnly, retry);
    }

    /** Runs the transaction read-only (default false). Outermost block only. */
    public AtomicOptions readOnly(boolean readOnly) {
        return new AtomicOptions(savepoint, durable, isolation, readOnly, retry);
    }

    /** How to re-run the whole block after a transient failure (default {@link RetryPolicy#none()}). Outermost block only. */
    public AtomicOptions retry(RetryPolicy policy) {
        return new AtomicOptions(savepoint, durable, isolation, readOnly,
                Objects.requireNonNull(policy, "retry policy must not be null; use RetryPolicy.none()"));
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
                + ", readOnly=" + readOnly + ", retry=" + retry + "]";
    }
}
