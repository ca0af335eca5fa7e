package io.atomic4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.atomic4j.testing.FaultInjectingDataSource;
import io.atomic4j.testing.FaultInjectingDataSource.Failure;
import io.atomic4j.testing.TestDatabase;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@link TransactionListener}: each event once per occurrence, and a failing listener changes nothing. */
class TransactionListenerTest extends DatabaseTestBase {
    private final List<String> events = new CopyOnWriteArrayList<>();
    private final CountDownLatch longReported = new CountDownLatch(1);

    private final TransactionListener recorder = new TransactionListener() {
        @Override
        public TransactionListener forDatabase(String alias) {
            events.add("for " + alias);
            return this;
        }

        @Override
        public void begun() {
            events.add("begun");
        }

        @Override
        public void committed(Duration duration, int statements) {
            assertThat(duration.isNegative()).isFalse();
            events.add("committed " + statements);
        }

        @Override
        public void rolledBack(Duration duration, Throwable cause) {
            events.add("rolledBack " + (cause == null ? null : cause.getMessage()));
        }

        @Override
        public void savepointRolledBack(Throwable cause) {
            events.add("savepointRolledBack " + cause.getMessage());
        }

        @Override
        public void retrying(int attempt, Throwable cause) {
            events.add("retrying " + attempt);
        }

        @Override
        public void hookFailed(Throwable cause) {
            events.add("hookFailed " + cause.getMessage());
        }

        @Override
        public void commitOutcomeUnknown(Throwable cause) {
            events.add("commitOutcomeUnknown " + cause.getClass().getSimpleName());
        }

        @Override
        public void longTransaction(Duration age, Throwable openedAt) {
            events.add("long " + openedAt.getStackTrace()[0].getClassName().startsWith("io.atomic4j"));
            longReported.countDown();
        }
    };

    private void open(TestDatabase database, TransactionListener listener, Duration threshold) throws SQLException {
        use(database);
        db.close();
        Database.Builder builder = Database.builder(database.jdbcUrl()).alias("observed").user(database.user())
                .password(database.password()).maxPoolSize(4).listener(listener);
        db = (threshold == null ? builder : builder.longTransactionThreshold(threshold)).build();
    }

    @EveryDatabase
    void commitsRollbacksSavepointsRetriesAndHookFailuresAreEachReportedOnce(TestDatabase database) throws SQLException {
        open(database, recorder, null);
        db.atomic(() -> {
            insert(1);
            insert(2);
        });
        db.atomic(() -> { });   // no statement, no transaction, no event
        assertThatThrownBy(() -> db.atomic(() -> {
            insert(3);
            throw new IllegalStateException("body failed");
        })).hasMessage("body failed");
        db.atomic(() -> {
            insert(4);
            assertThatThrownBy(() -> db.atomic(() -> {
                insert(5);
                throw new IllegalStateException("inner failed");
            })).hasMessage("inner failed");
            db.onCommit(() -> {
                throw new IllegalStateException("mail down");
            }, true);
        });
        int[] attempts = {0};
        db.atomic(AtomicOptions.defaults().retry(RetryPolicy.transientErrors(2)), () -> {
            insert(10 + ++attempts[0]);
            if (attempts[0] == 1) {
                throw new IllegalStateException("conflict", new SQLException("could not serialize", "40001"));
            }
        });
        assertThat(events).containsExactly("for observed",
                "begun", "committed 2",
                "begun", "rolledBack body failed",
                "begun", "savepointRolledBack inner failed", "committed 2", "hookFailed mail down",
                "begun", "rolledBack conflict", "retrying 1", "begun", "committed 1");
        assertThat(committedIds()).containsExactly(1, 2, 4, 12);
    }

    @Test
    void aCommitLostWithItsConnectionIsReportedAsUnknownNotAsARollback() throws SQLException {
        use(TestDatabase.H2);   // H2 has no way to look up a lost COMMIT's outcome
        FaultInjectingDataSource faults = new FaultInjectingDataSource(testDatabase.newPlainDataSource());
        try (Database observed = Database.builder(faults.dataSource()).alias("observed").listener(recorder).build()) {
            faults.armOn("Connection.commit", Failure.CONNECTION_LOST);
            try {
                assertThatThrownBy(() -> observed.atomic(() -> insert(observed, 1)))
                        .isInstanceOf(CommitOutcomeUnknownException.class);
            } finally {
                faults.disarm();
            }
        }
        assertThat(faults.failedCall()).isEqualTo("Connection.commit");
        assertThat(events).containsExactly("for observed", "begun", "commitOutcomeUnknown CommitOutcomeUnknownException");
    }

    @Test
    void aManualTransactionThatLosesItsConnectionIsReportedRolledBack() throws SQLException {
        use(TestDatabase.H2);
        FaultInjectingDataSource faults = new FaultInjectingDataSource(testDatabase.newPlainDataSource());
        try (Database observed = Database.builder(faults.dataSource()).alias("observed").listener(recorder).build()) {
            observed.setAutoCommit(false);
            try {
                insert(observed, 1);
                faults.armOn("PreparedStatement.executeUpdate", Failure.CONNECTION_LOST);
                try {
                    assertThatThrownBy(() -> insert(observed, 2)).hasMessage("injected: connection lost");
                } finally {
                    faults.disarm();
                }
                insert(observed, 3);   // the next manual transaction, on a new connection
                observed.commit();
            } finally {
                observed.setAutoCommit(true);
            }
        }
        assertThat(events).containsExactly("for observed", "begun", "rolledBack injected: connection lost", "begun",
                "committed 1");
        assertThat(committedIds()).containsExactly(3);
    }

    @EveryDatabase
    void aListenerThatThrowsChangesNoOutcome(TestDatabase database) throws SQLException {
        open(database, new TransactionListener() {
            @Override
            public void begun() {
                throw new IllegalStateException("listener bug");
            }

            @Override
            public void committed(Duration duration, int statements) {
                throw new IllegalStateException("listener bug");
            }
        }, null);
        db.atomic(() -> insert(1));
        assertThat(committedIds()).containsExactly(1);
    }

    @EveryDatabase
    void aLongTransactionIsReportedOnceWithWhereItWasOpened(TestDatabase database) throws Exception {
        open(database, recorder, Duration.ofMillis(50));
        db.atomic(() -> {
            insert(1);
            // Held open until the watch has reported it: no sleep, the report itself releases the block.
            assertThat(longReported.await(30, TimeUnit.SECONDS)).as("long transaction reported").isTrue();
        });
        assertThat(events).containsExactly("for observed", "begun", "long true", "committed 1");
    }

    @EveryDatabase
    void aShortTransactionIsNotReported(TestDatabase database) throws SQLException {
        open(database, recorder, Duration.ofHours(1));
        db.atomic(() -> insert(1));
        assertThat(events).containsExactly("for observed", "begun", "committed 1");
    }
}
