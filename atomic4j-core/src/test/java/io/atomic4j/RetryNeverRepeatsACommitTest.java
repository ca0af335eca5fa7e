package io.atomic4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.atomic4j.testing.TestDatabase;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A retried block is never run again once it committed, even when the failure that follows the
 * commit carries a transient error in its causes (an onCommit callback that itself hit a
 * serialization failure elsewhere): re-running would commit the work twice.
 */
class RetryNeverRepeatsACommitTest extends DatabaseTestBase {

    @EveryDatabase
    void anOnCommitFailureWithATransientCauseIsNotRetried(TestDatabase database) throws SQLException {
        use(database);
        AtomicInteger attempts = new AtomicInteger();
        SQLException transientCause = new SQLException("could not serialize access", "40001");
        Throwable thrown = catchThrowable(() -> db.atomic(
                AtomicOptions.defaults().retry(RetryPolicy.transientErrors(3)), () -> {
                    insert(attempts.incrementAndGet());
                    db.onCommit(() -> {
                        throw new IllegalStateException("the callback's own write conflicted", transientCause);
                    });
                }));
        assertThat(thrown).isInstanceOf(OnCommitFailedException.class).hasRootCause(transientCause);
        assertThat(attempts).as("attempts run").hasValue(1);
        assertThat(committedIds()).containsExactly(1);
    }
}
