package io.atomic4j.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The backoff cap compares against {@code max} shifted right, which cannot overflow; shifted left it can. */
class BackoffCapOverflowTest {

    @Test
    void aMaxWhoseDoublingWouldOverflowStillCapsTheDoubledFirstWait() {
        long first = 1L << 40;
        long max = (1L << 62) + (1L << 10);
        assertThat(Retries.backoffCap(first, max, 3)).isEqualTo(first << 2);
    }
}
