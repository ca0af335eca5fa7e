package io.atomic4j;

import static org.assertj.core.api.Assertions.assertThat;

import io.atomic4j.testing.TestDatabase;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/** A block's value comes out of every form of block: nested, retried, independent. */
class ValueReturningBlockTest extends DatabaseTestBase {

    @EveryDatabase
    void nestedBlockReturnsItsValue(TestDatabase database) throws SQLException {
        use(database);
        String value = db.atomic(() -> {
            insert(1);
            return db.atomic(() -> {
                insert(2);
                return "nested " + ids();
            });
        });
        assertThat(value).isEqualTo("nested [1, 2]");
        assertThat(committedIds()).containsExactly(1, 2);
    }

    @EveryDatabase
    void retriedBlockReturnsTheValueOfItsFirstAttemptWhenItSucceeds(TestDatabase database) throws SQLException {
        use(database);
        int value = db.atomic(AtomicOptions.defaults().retry(RetryPolicy.transientErrors(3)), () -> {
            insert(1);
            return 41 + ids().size();
        });
        assertThat(value).isEqualTo(42);
        assertThat(committedIds()).containsExactly(1);
    }

    /** The driver's serialization failure, as a body sees it; thrown by the body so the attempt fails for sure. */
    @EveryDatabase
    void retriedBlockReturnsTheValueOfTheAttemptThatCommitted(TestDatabase database) throws SQLException {
        use(database);
        AtomicInteger attempts = new AtomicInteger();
        int value = db.atomic(AtomicOptions.defaults().retry(RetryPolicy.transientErrors(3)), () -> {
            int attempt = attempts.incrementAndGet();
            insert(attempt);
            if (attempt == 1) {
                throw new SQLException("could not serialize access due to concurrent update", "40001");
            }
            return attempt * 10;
        });
        assertThat(value).isEqualTo(20);
        assertThat(committedIds()).containsExactly(2);
    }

    @EveryDatabase
    void retriedBlockWithoutBackoffReturnsTheValueOfTheAttemptThatCommitted(TestDatabase database)
            throws SQLException {
        use(database);
        AtomicInteger attempts = new AtomicInteger();
        RetryPolicy noWait = RetryPolicy.transientErrors(2).backoff(Duration.ZERO, Duration.ZERO);
        int value = db.atomic(AtomicOptions.defaults().retry(noWait), () -> {
            int attempt = attempts.incrementAndGet();
            if (attempt == 1) {
                throw new SQLException("deadlock detected", "40P01");
            }
            insert(attempt);
            return attempt;
        });
        assertThat(value).isEqualTo(2);
        assertThat(committedIds()).containsExactly(2);
    }

    /** The enclosing block writes only after the independent one: SQLite has one writer at a time. */
    @EveryDatabase
    void independentBlockReturnsItsValue(TestDatabase database) throws SQLException {
        use(database);
        int value = db.atomic(() -> {
            int independent = db.atomic(AtomicOptions.defaults().independent(true), () -> {
                insert(2);
                return 10 * ids().size();
            });
            insert(1);
            return independent + ids().size();
        });
        assertThat(value).isEqualTo(12);
        assertThat(committedIds()).containsExactly(1, 2);
    }
}
