package io.atomic4j.internal.engine;

import io.atomic4j.TransactionListener;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers a database's {@link TransactionListener} events and watches for long transactions.
 * The engine holds null instead of an instance when there is neither a listener nor a
 * threshold, so observing costs nothing unless asked for. A listener's failure is logged and
 * goes no further.
 */
public final class TransactionEvents {
    private static final Logger log = LoggerFactory.getLogger(TransactionEvents.class);

    /** One daemon timer for every database's long-transaction watch, started on first need (HikariCP's leak task, shared). */
    private static final class Timer {
        static final ScheduledExecutorService INSTANCE = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "atomic4j-long-transactions");
            thread.setDaemon(true);
            return thread;
        });
    }

    private final String alias;
    private final TransactionListener listener;
    private final long thresholdNanos;

    private TransactionEvents(String alias, TransactionListener listener, Duration threshold) {
        this.alias = alias;
        this.listener = listener == null ? null : listener.forDatabase(alias);
        this.thresholdNanos = threshold == null ? 0 : threshold.toNanos();
    }

    /** Null when there is nothing to observe. */
    public static TransactionEvents of(String alias, TransactionListener listener, Duration longTransactionThreshold) {
        if (listener == null && longTransactionThreshold == null) {
            return null;
        }
        return new TransactionEvents(alias, listener, longTransactionThreshold);
    }

    /** A transaction began on this thread: its clock starts and, with a threshold, its watch. */
    void begun(TransactionState state) {
        state.begunReported = true;
        state.beganAt = System.nanoTime();
        if (thresholdNanos > 0) {
            Throwable openedAt = new Throwable("The long transaction on database '" + alias + "' was opened here");
            long began = state.beganAt;
            state.watch = Timer.INSTANCE.schedule(() -> reportLong(began, openedAt), thresholdNanos, TimeUnit.NANOSECONDS);
        }
        if (listener != null) {
            try {
                listener.begun();
            } catch (RuntimeException e) {
                failed("begun", e);
            }
        }
    }

    private void reportLong(long began, Throwable openedAt) {
        Duration age = Duration.ofNanos(System.nanoTime() - began);
        log.warn("A transaction on database '{}' has been open for {} ms (longTransactionThreshold {} ms); "
                + "the stack trace shows where it was opened", alias, age.toMillis(),
                TimeUnit.NANOSECONDS.toMillis(thresholdNanos), openedAt);
        if (listener != null) {
            try {
                listener.longTransaction(age, openedAt);
            } catch (RuntimeException e) {
                failed("longTransaction", e);
            }
        }
    }

    /** The transaction ended (committed or not): stops its watch and reports it. */
    void ended(TransactionState state, boolean committed, int statements, Throwable cause) {
        state.begunReported = false;
        ScheduledFuture<?> watch = state.watch;
        if (watch != null) {
            watch.cancel(false);
            state.watch = null;
        }
        if (listener == null) {
            return;
        }
        Duration duration = Duration.ofNanos(System.nanoTime() - state.beganAt);
        try {
            if (committed) {
                listener.committed(duration, statements);
            } else if (cause instanceof io.atomic4j.CommitOutcomeUnknownException) {
                listener.commitOutcomeUnknown(cause);   // neither committed nor rolled back, as far as anyone knows
            } else {
                listener.rolledBack(duration, cause);
            }
        } catch (RuntimeException e) {
            failed(committed ? "committed" : "rolledBack", e);
        }
    }

    void savepointRolledBack(Throwable cause) {
        if (listener != null) {
            try {
                listener.savepointRolledBack(cause);
            } catch (RuntimeException e) {
                failed("savepointRolledBack", e);
            }
        }
    }

    void retrying(int attempt, Throwable cause) {
        if (listener != null) {
            try {
                listener.retrying(attempt, cause);
            } catch (RuntimeException e) {
                failed("retrying", e);
            }
        }
    }

    /** For the JDBC layer: a lost COMMIT's outcome was found out. */
    public void commitOutcomeResolved(boolean committed) {
        if (listener != null) {
            try {
                listener.commitOutcomeResolved(committed);
            } catch (RuntimeException e) {
                failed("commitOutcomeResolved", e);
            }
        }
    }

    void hookFailed(Throwable cause) {
        if (listener != null) {
            try {
                listener.hookFailed(cause);
            } catch (RuntimeException e) {
                failed("hookFailed", e);
            }
        }
    }

    private void failed(String event, RuntimeException e) {
        log.warn("TransactionListener.{} failed on database '{}'; the transaction is not affected", event, alias, e);
    }
}
