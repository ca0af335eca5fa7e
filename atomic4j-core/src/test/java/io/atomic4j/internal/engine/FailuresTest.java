package io.atomic4j.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** How the engine combines failures: the first is what the caller sees, later ones ride on it as suppressed. */
class FailuresTest {

    @Test
    void theFirstFailureCarriesTheLaterOneAsSuppressed() {
        IllegalStateException first = new IllegalStateException("first");
        IllegalArgumentException later = new IllegalArgumentException("later");
        assertThat(Failures.combine(first, later)).isSameAs(first);
        assertThat(first.getSuppressed()).containsExactly(later);
    }

    @Test
    void withoutAFirstFailureTheLaterOneIsTheFailure() {
        IllegalArgumentException later = new IllegalArgumentException("later");
        assertThat(Failures.combine(null, later)).isSameAs(later);
        assertThat(Failures.combine(null, null)).isNull();
    }

    @Test
    void nothingLaterOrTheSameFailureAgainAddsNothing() {
        IllegalStateException first = new IllegalStateException("first");
        assertThat(Failures.combine(first, null)).isSameAs(first);
        assertThat(Failures.combine(first, first)).isSameAs(first);
        assertThat(first.getSuppressed()).isEmpty();
    }
}
