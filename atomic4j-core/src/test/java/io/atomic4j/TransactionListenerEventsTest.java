package io.atomic4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.atomic4j.testing.TestDatabase;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@link TransactionListener} events beyond the outermost block (manual transactions, manual
 * savepoints, failing callbacks), and the durations reported: each lies within the interval the
 * test measured around the transaction, which holds however slow the machine is.
 */
class TransactionListenerEventsTest extends DatabaseTestBase {
    private final List<String> events = new CopyOnWriteArrayList<>();
    private final List<Duration> durations = new CopyOnWriteArrayList<>();
    private final java.util.concurrent.atomic.AtomicInteger begun = new java.util.concurrent.atomic.AtomicInteger();
    private final CountDownLatch longReported = new CountDownLatch(1);

    private final TransactionListener recorder = new TransactionListener() {
        @Override
        public void begun() {
            begun.incrementAndGet();
        }

        @Override
        public void committed(Duration duration, int statements) {
            events.add("committed " + statements);
            durations.add(duration);
        }

        @Override
        public void rolledBack(Duration duration, Throwable cause) {
            events.add("rolledBack " + (cause == null ? null : cause.getMessage()));
            durations.add(duration);
        }

        @Override
        public void savepointRolledBack(Throwable cause) {
            events.add("savepointRolledBack " + (cause instanceof SQLException ? "SQLException" : cause));
        }

        @Override
        public void hookFailed(Throwable cause) {
            events.add("hookFailed " + cause.getMessage());
        }

        @Override
        public void longTransaction(Duration age, Throwable openedAt) {
            events.add("long");
            durations.add(age);
            longReported.countDown();
        }
    };

    private void observe(TestDatabase database, Duration longTransactionThreshold) throws SQLException {
        use(database);
        db.close();
        Database.Builder builder = Database.builder(database.jdbcUrl()).alias("observed").user(database.user())
                .password(database.password()).maxPoolSize(4).listener(recorder);
        db = (longTransactionThreshold == null ? builder : builder.longTransactionThreshold(longTransactionThreshold))
                .build();
    }

    private static Duration since(long nanoTime) {
        return Duration.ofNanos(System.nanoTime() - nanoTime);
    }

    @EveryDatabase
    void blockDurationLiesWithinTheBlock(TestDatabase database) throws SQLException {
        observe(database, null);
        long start = System.nanoTime();
        db.atomic(() -> insert(1));
        Duration measured = since(start);
        assertThat(events).containsExactly("committed 1");
        assertThat(begun).hasValue(1);
        assertThat(durations).singleElement().satisfies(d -> assertThat(d).isPositive().isLessThanOrEqualTo(measured));
    }

    @EveryDatabase
    void manualTransactionsAreReportedWhenCommittedAndRolledBack(TestDatabase database) throws SQLException {
        observe(database, null);
        Duration second;
        db.setAutoCommit(false);
        try {
            insert(1);
            insert(2);
            db.commit();
            long start = System.nanoTime();   // the second transaction starts after the first committed
            insert(3);
            db.rollback();
            second = since(start);
        } finally {
            db.setAutoCommit(true);
        }
        assertThat(events).containsExactly("committed 2", "rolledBack null");
        assertThat(begun).as("each manual transaction is reported begun").hasValue(2);
        assertThat(durations.get(1)).as("the second transaction's duration").isLessThanOrEqualTo(second);
        assertThat(committedIds()).containsExactly(1, 2);
    }

    @EveryDatabase
    void manualCommitsAndRollbacksWithoutAStatementReportNothing(TestDatabase database) throws SQLException {
        observe(database, null);
        db.setAutoCommit(false);
        try {
            insert(1);
            db.commit();
            db.commit();     // nothing ran since: no transaction to report
            db.rollback();
            insert(2);
            db.commit();
        } finally {
            db.setAutoCommit(true);
        }
        assertThat(events).containsExactly("committed 1", "committed 1");
        assertThat(begun).hasValue(2);
        assertThat(committedIds()).containsExactly(1, 2);
    }

    @EveryDatabase
    void manualSavepointRollbackIsReportedWithTheErrorItUndoes(TestDatabase database) throws SQLException {
        observe(database, null);
        db.atomic(() -> {
            insert(1);
            Savepoint clean = db.savepoint();
            insert(2);
            db.savepointRollback(clean);
            Savepoint beforeError = db.savepoint();
            assertThatThrownBy(() -> insert(1)).isInstanceOf(SQLException.class);
            db.savepointRollback(beforeError);
        });
        assertThat(events).containsExactly("savepointRolledBack null", "savepointRolledBack SQLException",
                "committed 5");
        assertThat(committedIds()).containsExactly(1);
    }

    @EveryDatabase
    void failingCallbacksAreReported(TestDatabase database) throws SQLException {
        observe(database, null);
        assertThatThrownBy(() -> db.atomic(() -> {
            insert(1);
            db.onRollback(() -> {
                throw new IllegalStateException("undo failed");
            });
            throw new IllegalArgumentException("block failed");
        })).isInstanceOf(IllegalArgumentException.class)
                .satisfies(e -> assertThat(e.getSuppressed()).extracting(Throwable::getMessage)
                        .containsExactly("undo failed"));
        assertThatThrownBy(() -> db.atomic(() -> {
            insert(2);
            db.onCommit(() -> {
                throw new IllegalStateException("mail down");
            });
        })).isInstanceOf(OnCommitFailedException.class);
        assertThat(events).containsExactly("rolledBack block failed", "hookFailed undo failed", "committed 1",
                "hookFailed mail down");
        assertThat(committedIds()).containsExactly(2);
    }

    @EveryDatabase
    void longTransactionAgeLiesWithinTheTransaction(TestDatabase database) throws Exception {
        observe(database, Duration.ofMillis(20));
        long start = System.nanoTime();
        db.atomic(() -> {
            insert(1);
            // Held open until the watch has reported it: no sleep, the report itself releases the block.
            assertThat(longReported.await(30, TimeUnit.SECONDS)).as("long transaction reported").isTrue();
        });
        Duration measured = since(start);
        assertThat(events).containsExactly("long", "committed 1");
        assertThat(durations.get(0)).as("age").isGreaterThanOrEqualTo(Duration.ofMillis(20))
                .isLessThanOrEqualTo(measured);
    }

    @EveryDatabase
    void eachManualTransactionIsReportedEndedBeforeTheNextOneBegins(TestDatabase database) throws SQLException {
        observe(database, null);
        db.setAutoCommit(false);
        try {
            insert(1);
            db.rollback();
            insert(2);
            db.commit();
        } finally {
            db.setAutoCommit(true);
        }
        assertThat(events).containsExactly("rolledBack null", "committed 1");
        assertThat(begun.get()).isEqualTo(2);
        assertThat(committedIds()).containsExactly(2);
    }

    @EveryDatabase
    void aManualTransactionThatOnlyTookAConnectionIsReportedEndedWhenAutocommitReturns(TestDatabase database)
            throws SQLException {
        observe(database, null);
        db.setAutoCommit(false);
        db.connection().close();
        db.setAutoCommit(true);
        assertThat(events).containsExactly("rolledBack null");
        assertThat(begun.get()).isEqualTo(1);
    }

    @EveryDatabase
    void closingTheDatabaseReportsTheManualTransactionItRollsBack(TestDatabase database) throws SQLException {
        use(database);
        Database observed = Database.builder(database.jdbcUrl()).alias("closing").user(database.user())
                .password(database.password()).maxPoolSize(2).listener(recorder).build();
        observed.setAutoCommit(false);
        insert(observed, 1);
        observed.close();
        assertThat(events).containsExactly("rolledBack null");
        assertThat(committedIds()).isEmpty();
    }
}
