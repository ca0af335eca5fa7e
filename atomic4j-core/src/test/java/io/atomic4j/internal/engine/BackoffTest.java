package io.atomic4j.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The cap of the randomised wait between retry attempts (full jitter draws below it). */
class BackoffTest {
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long MINUTE = TimeUnit.MINUTES.toNanos(1);

    @Test
    void capDoublesFromTheFirstWaitUpToTheMaximum() {
        assertThat(Retries.backoffCap(10 * MS, 1000 * MS, 1)).isEqualTo(10 * MS);
        assertThat(Retries.backoffCap(10 * MS, 1000 * MS, 2)).isEqualTo(20 * MS);
        assertThat(Retries.backoffCap(10 * MS, 1000 * MS, 7)).isEqualTo(640 * MS);
        assertThat(Retries.backoffCap(10 * MS, 1000 * MS, 8)).isEqualTo(1000 * MS);
    }

    @Test
    void capNeverOverflowsIntoNoWaitAtAll() {
        for (int attempt = 1; attempt <= 100; attempt++) {
            assertThat(Retries.backoffCap(10 * MINUTE, 10 * MINUTE, attempt)).as("attempt %d", attempt)
                    .isEqualTo(10 * MINUTE);
            assertThat(Retries.backoffCap(1, Long.MAX_VALUE, attempt)).as("attempt %d", attempt).isPositive();
        }
    }

    @Test
    void zeroWaitsStayZero() {
        assertThat(Retries.backoffCap(0, 0, 1)).isZero();
        assertThat(Retries.backoffCap(0, MINUTE, 40)).isZero();
    }
}
