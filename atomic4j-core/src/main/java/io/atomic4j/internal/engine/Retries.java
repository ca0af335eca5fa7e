package io.atomic4j.internal.engine;

import io.atomic4j.CommitOutcomeUnknownException;
import io.atomic4j.OnCommitFailedException;
import io.atomic4j.RetryPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code retry(RetryPolicy)}: re-runs an outermost block whose attempt failed with a transient
 * error. The rule, stated once: an attempt is re-run only if it did not commit, which the engine
 * knows for certain (every failure after a successful COMMIT is an {@link OnCommitFailedException},
 * a lost COMMIT whose fate is unknown is a {@link CommitOutcomeUnknownException}; neither is ever
 * re-run), and only if the backend calls the failure transient, looking through the cause chain
 * so that a framework's wrapper around the driver's error is recognised too.
 */
final class Retries {
    private static final Logger log = LoggerFactory.getLogger(AtomicBlocks.class);

    private Retries() {
    }

    /** One attempt of the block, as the engine runs it without retries. */
    @FunctionalInterface
    interface Attempt<T> {
        T run() throws Throwable;
    }

    static <T> T run(Backend backend, RetryPolicy retry, Attempt<T> attempt) {
        List<Throwable> earlier = null;
        for (int number = 1; ; number++) {
            try {
                return attempt.run();
            } catch (Throwable error) {
                if (number >= retry.maxAttempts() || !isRetryable(backend, error) || !backoff(retry, number, error)) {
                    if (earlier != null) {
                        // The earlier attempts' failures ride on the last one, oldest first.
                        for (Throwable previous : earlier) {
                            Failures.combine(error, previous);
                        }
                    }
                    throw Failures.<RuntimeException>sneaky(error);
                }
                if (earlier == null) {
                    earlier = new ArrayList<>(retry.maxAttempts());
                }
                earlier.add(error);
                if (log.isDebugEnabled()) {
                    log.debug("Atomic block on '{}' failed with a transient error (attempt {} of {}), retrying: {}",
                            backend.alias(), number, retry.maxAttempts(), error.toString());
                }
            }
        }
    }

    static boolean isRetryable(Backend backend, Throwable error) {
        for (Throwable current = error; current != null; current = current.getCause()) {
            if (current instanceof CommitOutcomeUnknownException || current instanceof OnCommitFailedException) {
                return false;
            }
        }
        return backend.isTransient(error);
    }

    /**
     * Waits before the next attempt; false if the thread was interrupted meanwhile. Then no more
     * attempts are made and {@code error} is rethrown as if they were exhausted, with the
     * interruption suppressed on it and the thread's interrupt flag set again.
     */
    private static boolean backoff(RetryPolicy retry, int attempt, Throwable error) {
        long cap = backoffCap(retry.firstBackoff().toNanos(), retry.maxBackoff().toNanos(), attempt);
        if (cap <= 0) {
            return true;
        }
        long wait = ThreadLocalRandom.current().nextLong(cap + 1);   // full jitter
        try {
            TimeUnit.NANOSECONDS.sleep(wait);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            error.addSuppressed(e);
            return false;
        }
    }

    /** The longest wait before attempt {@code attempt + 1}: {@code first} doubled per failed attempt, at most {@code max}. */
    static long backoffCap(long first, long max, int attempt) {
        int doublings = Math.min(attempt - 1, 62);
        // Compare before shifting: first << doublings overflows (to a negative wait, i.e. none) for long waits.
        return first > (max >> doublings) ? max : Math.min(max, first << doublings);
    }
}
