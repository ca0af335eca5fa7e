package io.atomic4j;

import java.time.Duration;

/**
 * Observes the transactions of one {@link Database} (metrics, traces, logs): register it with
 * {@link Database.Builder#listener}. Every method is a no-op by default; override what you need.
 *
 * <p>Called synchronously on the thread doing the work, after the fact, never under a lock
 * (except {@link #longTransaction}, which comes from atomic4j's timer thread while the
 * transaction is still open). A listener that throws is logged at WARN and never changes a
 * block's outcome. Keep the methods fast: they run on the request's thread. With no listener
 * registered none of this costs anything.
 *
 * <p>"Transaction" means a real database transaction: a block that runs no statement opens
 * none and fires nothing.
 */
public interface TransactionListener {
    /**
     * Called once when the listener is attached to a database; returns the listener to use for
     * it. Override to learn the alias (to tag metrics, say) when one listener serves several
     * databases; the default returns this listener.
     */
    default TransactionListener forDatabase(String alias) {
        return this;
    }

    /** A transaction started (at the first statement of its outermost block, or of a manual transaction). */
    default void begun() {
    }

    /** A transaction committed, {@code duration} after it began, having run {@code statements} statements. */
    default void committed(Duration duration, int statements) {
    }

    /** A transaction rolled back; {@code cause} is what made it roll back, null for a requested rollback. */
    default void rolledBack(Duration duration, Throwable cause) {
    }

    /** A nested block (or manual savepoint) rolled back to its savepoint; the transaction goes on. */
    default void savepointRolledBack(Throwable cause) {
    }

    /** A block with a retry policy failed with a transient error and is about to run attempt {@code attempt + 1}. */
    default void retrying(int attempt, Throwable cause) {
    }

    /** The connection died during COMMIT and nobody could tell whether it committed. */
    default void commitOutcomeUnknown(Throwable cause) {
    }

    /** The connection died during COMMIT and the dialect found out what happened. */
    default void commitOutcomeResolved(boolean committed) {
    }

    /** An onCommit or onRollback callback threw. */
    default void hookFailed(Throwable cause) {
    }

    /**
     * A transaction has been open longer than {@link Database.Builder#longTransactionThreshold};
     * reported once per transaction, from atomic4j's timer thread. {@code openedAt}'s stack trace
     * shows the code that opened it.
     */
    default void longTransaction(Duration age, Throwable openedAt) {
    }
}
