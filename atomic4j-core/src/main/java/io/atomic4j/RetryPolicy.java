package io.atomic4j;

import io.atomic4j.internal.errors.Messages;
import java.time.Duration;
import java.util.Objects;

/**
 * How an outermost atomic block re-runs its whole body after a transient failure:
 * serialization failure, deadlock, lock timeout, SQLITE_BUSY, or a connection lost before
 * COMMIT. An unknown commit outcome is never retried. Immutable.
 * <pre>{@code db.atomic(AtomicOptions.defaults().retry(RetryPolicy.transientErrors(5)), () -> transfer(a, b, 100));}</pre>
 * Between attempts it waits an exponentially growing delay with full jitter, from
 * {@code first} up to {@code max} (defaults 10 ms and 1 s).
 */
public final class RetryPolicy {
    private static final Duration DEFAULT_FIRST = Duration.ofMillis(10);
    private static final Duration DEFAULT_MAX = Duration.ofSeconds(1);
    private static final RetryPolicy NONE = new RetryPolicy(1, DEFAULT_FIRST, DEFAULT_MAX);

    private final int maxAttempts;
    private final Duration firstBackoff;
    private final Duration maxBackoff;

    private RetryPolicy(int maxAttempts, Duration firstBackoff, Duration maxBackoff) {
        this.maxAttempts = maxAttempts;
        this.firstBackoff = firstBackoff;
        this.maxBackoff = maxBackoff;
    }

    /** Runs the body once (the default). */
    public static RetryPolicy none() {
        return NONE;
    }

    /**
     * Runs the body up to {@code maxAttempts} times in all while it fails with a transient error.
     * @throws IllegalArgumentException if {@code maxAttempts} is less than 1
     */
    public static RetryPolicy transientErrors(int maxAttempts) {
        if (maxAttempts < 1) {
            throw Messages.badMaxAttempts(maxAttempts);
        }
        return new RetryPolicy(maxAttempts, DEFAULT_FIRST, DEFAULT_MAX);
    }

    /**
     * The wait before the second attempt ({@code first}) and the cap on any wait ({@code max});
     * each wait doubles the previous cap and is drawn at random below it (full jitter).
     */
    public RetryPolicy backoff(Duration first, Duration max) {
        Objects.requireNonNull(first, "first backoff must not be null");
        Objects.requireNonNull(max, "max backoff must not be null");
        if (first.isNegative() || max.isNegative() || max.compareTo(first) < 0) {
            throw Messages.badBackoff(first, max);
        }
        return new RetryPolicy(maxAttempts, first, max);
    }

    /** Attempts in all, including the first. */
    public int maxAttempts() {
        return maxAttempts;
    }

    /** The cap of the wait before the second attempt. */
    public Duration firstBackoff() {
        return firstBackoff;
    }

    /** The cap of any wait. */
    public Duration maxBackoff() {
        return maxBackoff;
    }

    @Override
    public String toString() {
        return maxAttempts <= 1 ? "RetryPolicy[none]"
                : "RetryPolicy[transientErrors=" + maxAttempts + ", backoff=" + firstBackoff + ".." + maxBackoff + "]";
    }
}
