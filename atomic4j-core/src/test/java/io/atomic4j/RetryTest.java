package io.atomic4j;

import static org.assertj.core.api.Assertions.assertThat;

import io.atomic4j.testing.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code retry(RetryPolicy.transientErrors(n))} against real conflicts: serialization failures
 * (PostgreSQL and H2 SERIALIZABLE), deadlocks (MariaDB, PostgreSQL), SQLITE_BUSY with two
 * connections, lock timeouts, a connection cut before COMMIT. Every increment lands exactly once,
 * onCommit runs once per committed body, onRollback once per failed attempt. Conflicts are forced
 * with barriers on the first attempt, never with sleeps.
 */
class RetryTest extends FaultTestBase {
    private static final int THREADS = 4;
    private static final int INCREMENTS_PER_THREAD = 10;

    private final AtomicInteger bodyRuns = new AtomicInteger();
    private final AtomicInteger commitHooks = new AtomicInteger();
    private final AtomicInteger rollbackHooks = new AtomicInteger();

    private static AtomicOptions retrying(int attempts) {
        return AtomicOptions.defaults().retry(RetryPolicy.transientErrors(attempts)
                .backoff(Duration.ofMillis(1), Duration.ofMillis(20)));
    }

    /** SQLite: the same file with busy_timeout 0, so a second writer fails at once with SQLITE_BUSY. */
    private Database openImpatient(TestDatabase testDatabase, int maxPoolSize) throws SQLException {
        String url = proxiedUrl(testDatabase);
        if (testDatabase == TestDatabase.SQLITE) {
            url = url.replaceFirst("busy_timeout=\\d+", "busy_timeout=0");
        }
        return open(testDatabase, Database.builder(url).maxPoolSize(maxPoolSize));
    }

    private void countHooks() {
        bodyRuns.incrementAndGet();
        db.onCommit(commitHooks::incrementAndGet);
        db.onRollback(rollbackHooks::incrementAndGet);
    }

    private int readCounter() throws SQLException {
        try (Connection connection = db.connection(); Statement statement = connection.createStatement();
             ResultSet row = statement.executeQuery("SELECT name FROM item WHERE id = 1")) {
            row.next();
            return Integer.parseInt(row.getString(1));
        }
    }

    private void writeCounter(int value) throws SQLException {
        try (Connection connection = db.connection();
             PreparedStatement statement = connection.prepareStatement("UPDATE item SET name = ? WHERE id = 1")) {
            statement.setString(1, Integer.toString(value));
            statement.executeUpdate();
        }
    }

    private int committedCounter() throws SQLException {
        try (Connection connection = plainConnection(); Statement statement = connection.createStatement();
             ResultSet row = statement.executeQuery("SELECT name FROM item WHERE id = 1")) {
            row.next();
            return Integer.parseInt(row.getString(1));
        }
    }

    /** Runs {@code work} on {@link #THREADS} threads at once and rethrows the first failure. */
    private static void onThreads(ThreadWork work) throws Exception {
        ExecutorService executor = Executors.newFixedThreadPool(THREADS);
        try {
            List<Future<?>> results = new ArrayList<>();
            for (int thread = 0; thread < THREADS; thread++) {
                int index = thread;
                results.add(executor.submit(() -> {
                    work.run(index);
                    return null;
                }));
            }
            for (Future<?> result : results) {
                result.get(120, TimeUnit.SECONDS);
            }
        } finally {
            executor.shutdownNow();
            assertThat(executor.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        }
    }

    @FunctionalInterface
    private interface ThreadWork {
        void run(int thread) throws Exception;
    }

    private void assertEveryIncrementLandedOnce(int increments) throws SQLException {
        assertThat(committedCounter()).isEqualTo(increments);
        assertThat(commitHooks).as("onCommit once per committed body").hasValue(increments);
        assertThat(rollbackHooks).as("onRollback once per failed attempt").hasValue(bodyRuns.get() - increments);
    }

    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = {"POSTGRES", "MARIADB", "H2"})
    void serializableConflictsAreRetriedUntilEveryIncrementLandsOnce(TestDatabase testDatabase) throws Exception {
        open(testDatabase, THREADS);
        db.atomic(() -> insert(db, 1, "0"));
        // Every thread reads the counter before any writes it: all but one first attempts must fail.
        CyclicBarrier allHaveRead = new CyclicBarrier(THREADS);
        AtomicOptions options = retrying(50).isolation(Isolation.SERIALIZABLE);

        onThreads(thread -> {
            for (int i = 0; i < INCREMENTS_PER_THREAD; i++) {
                boolean first = i == 0;
                AtomicBoolean firstAttempt = new AtomicBoolean(first);
                db.atomic(options, () -> {
                    countHooks();
                    int value = readCounter();
                    if (firstAttempt.getAndSet(false)) {
                        allHaveRead.await(30, TimeUnit.SECONDS);
                    }
                    writeCounter(value + 1);
                });
            }
        });

        assertEveryIncrementLandedOnce(THREADS * INCREMENTS_PER_THREAD);
        assertThat(bodyRuns.get()).as("retried").isGreaterThanOrEqualTo(THREADS * INCREMENTS_PER_THREAD + THREADS - 1);
    }

    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = {"POSTGRES", "MARIADB"})
    void deadlocksAreRetriedAndBothTransfersLandOnce(TestDatabase testDatabase) throws Exception {
        open(testDatabase, 2);
        db.atomic(() -> {
            insert(db, 1, "0");
            insert(db, 2, "0");
        });
        CyclicBarrier bothHoldOneRow = new CyclicBarrier(2);

        ExecutorService executor = Executors.newFixedThreadPool(2);
        try {
            List<Future<?>> results = new ArrayList<>();
            for (int thread = 0; thread < 2; thread++) {
                int firstRow = thread == 0 ? 1 : 2;
                int secondRow = 3 - firstRow;
                results.add(executor.submit(() -> {
                    AtomicBoolean firstAttempt = new AtomicBoolean(true);
                    db.atomic(retrying(5), () -> {
                        countHooks();
                        execute(db, "UPDATE item SET name = " + concatOne(testDatabase) + " WHERE id = " + firstRow);
                        if (firstAttempt.getAndSet(false)) {
                            bothHoldOneRow.await(30, TimeUnit.SECONDS);
                        }
                        execute(db, "UPDATE item SET name = " + concatOne(testDatabase) + " WHERE id = " + secondRow);
                    });
                    return null;
                }));
            }
            for (Future<?> result : results) {
                result.get(60, TimeUnit.SECONDS);
            }
        } finally {
            executor.shutdownNow();
        }

        assertThat(commitHooks).hasValue(2);
        assertThat(bodyRuns.get()).as("the deadlock victim ran again").isGreaterThanOrEqualTo(3);
        assertThat(rollbackHooks).hasValue(bodyRuns.get() - 2);
        try (Connection connection = plainConnection(); Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT name FROM item ORDER BY id")) {
            assertThat(rows.next()).isTrue();
            assertThat(rows.getString(1)).isEqualTo("011");
            assertThat(rows.next()).isTrue();
            assertThat(rows.getString(1)).isEqualTo("011");
        }
    }

    /** {@code name || '1'} in each dialect: appending makes a lost update visible. */
    private static String concatOne(TestDatabase testDatabase) {
        return testDatabase == TestDatabase.MARIADB ? "CONCAT(name, '1')" : "name || '1'";
    }

    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = "SQLITE")
    void busyDatabaseIsRetriedOnceTheOtherWriterCommits(TestDatabase testDatabase) throws Exception {
        openImpatient(testDatabase, 2);
        CountDownLatch otherHoldsTheLock = new CountDownLatch(1);
        CountDownLatch retrying = new CountDownLatch(1);
        ExecutorService executor = Executors.newSingleThreadExecutor();
        try {
            Future<?> other = executor.submit(() -> {
                db.atomic(() -> {
                    insert(db, 1, "other");
                    otherHoldsTheLock.countDown();
                    retrying.await(30, TimeUnit.SECONDS);
                });
                return null;
            });
            otherHoldsTheLock.await(30, TimeUnit.SECONDS);

            db.atomic(retrying(100), () -> {
                countHooks();
                if (bodyRuns.get() == 2) {
                    retrying.countDown();       // the first attempt met SQLITE_BUSY: let the other writer commit
                }
                insert(db, 2, "mine");
            });

            other.get(30, TimeUnit.SECONDS);
        } finally {
            executor.shutdownNow();
        }
        assertThat(bodyRuns.get()).isGreaterThanOrEqualTo(2);
        assertThat(commitHooks).hasValue(1);
        assertThat(rollbackHooks).hasValue(bodyRuns.get() - 1);
        assertThat(committedIds()).containsExactly(1, 2);
    }

    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = "SQLITE")
    void busyDatabaseIsRetriedUntilEveryIncrementLandsOnce(TestDatabase testDatabase) throws Exception {
        openImpatient(testDatabase, THREADS);
        db.atomic(() -> insert(db, 1, "0"));

        onThreads(thread -> {
            for (int i = 0; i < INCREMENTS_PER_THREAD; i++) {
                db.atomic(retrying(500), () -> {
                    countHooks();
                    writeCounter(readCounter() + 1);
                });
            }
        });

        assertEveryIncrementLandedOnce(THREADS * INCREMENTS_PER_THREAD);
    }

    @EveryDatabase
    void exhaustedAttemptsRethrowTheLastErrorWithTheEarlierOnesSuppressed(TestDatabase testDatabase) throws Exception {
        openImpatient(testDatabase, 2);
        db.atomic(() -> insert(db, 1, "0"));
        List<Throwable> errors = new ArrayList<>();
        Throwable thrown;
        try (Connection holder = plainConnection()) {
            holder.setAutoCommit(false);
            try (Statement statement = holder.createStatement()) {
                statement.executeUpdate("UPDATE item SET name = 'held' WHERE id = 1");   // holds the row (SQLite: the file)
            }

            thrown = thrownBy(() -> db.atomic(retrying(3), () -> {
                countHooks();
                try {
                    shortenLockWait(testDatabase);
                    writeCounter(1);
                } catch (SQLException | DatabaseException e) {
                    errors.add(e);
                    throw e;
                }
            }));
            holder.rollback();
        }

        assertThat(bodyRuns).hasValue(3);
        assertThat(errors).hasSize(3).doesNotHaveDuplicates();
        assertThat(thrown).isSameAs(errors.get(2));
        assertThat(thrown.getSuppressed()).containsExactly(errors.get(0), errors.get(1));
        for (Throwable error : errors) {
            assertThat(kind(error)).as("kind of %s", error).isEqualTo(ErrorKind.LOCK_TIMEOUT);
        }
        assertThat(commitHooks).hasValue(0);
        assertThat(rollbackHooks).hasValue(3);
        assertThat(committedCounter()).isZero();
    }

    private void shortenLockWait(TestDatabase testDatabase) throws SQLException {
        switch (testDatabase) {
            case POSTGRES -> execute(db, "SET LOCAL lock_timeout = '100ms'");
            case MARIADB -> execute(db, "SET SESSION innodb_lock_wait_timeout = 1");
            case H2 -> execute(db, "SET LOCK_TIMEOUT 100");
            case SQLITE -> { }   // busy_timeout is 0: the first statement (BEGIN IMMEDIATE) fails at once
        }
    }

    private static ErrorKind kind(Throwable error) {
        return error instanceof DatabaseException ? ((DatabaseException) error).kind() : SqlErrors.classify((SQLException) error);
    }

    @EveryDatabase
    void errorsThatAreNotTransientAreNotRetried(TestDatabase testDatabase) throws Exception {
        open(testDatabase, 2);
        db.atomic(() -> insert(db, 1, "first"));
        AtomicReference<SQLException> raised = new AtomicReference<>();

        Throwable duplicate = thrownBy(() -> db.atomic(retrying(5), () -> {
            countHooks();
            try {
                insert(db, 1, "again");
            } catch (SQLException e) {
                raised.set(e);
                throw e;
            }
        }));
        IllegalStateException own = new IllegalStateException("the body's own failure");
        Throwable bodys = thrownBy(() -> db.atomic(retrying(5), () -> {
            countHooks();
            throw own;
        }));

        assertThat(duplicate).isSameAs(raised.get()).hasNoSuppressedExceptions();
        assertThat(SqlErrors.classify(raised.get())).isEqualTo(ErrorKind.INTEGRITY);
        assertThat(bodys).isSameAs(own).hasNoSuppressedExceptions();
        assertThat(bodyRuns).hasValue(2);
        assertThat(rollbackHooks).hasValue(2);
    }

    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = "H2")
    void interruptWhileWaitingToRetryStopsWithTheLastErrorAndKeepsTheInterrupt(TestDatabase testDatabase)
            throws Exception {
        open(testDatabase, 2);
        SQLException conflict = new java.sql.SQLTransactionRollbackException("could not serialize access", "40001");
        AtomicOptions patient = AtomicOptions.defaults()
                .retry(RetryPolicy.transientErrors(5).backoff(Duration.ofSeconds(30), Duration.ofSeconds(30)));

        Throwable thrown = thrownBy(() -> db.atomic(patient, () -> {
            countHooks();
            insert(1);
            Thread.currentThread().interrupt();     // e.g. the request was cancelled while the block ran
            throw conflict;
        }));

        assertThat(Thread.interrupted()).as("interrupt flag kept").isTrue();
        assertThat(thrown).isSameAs(conflict);
        assertThat(conflict.getSuppressed()).singleElement().isInstanceOf(InterruptedException.class);
        assertThat(bodyRuns).hasValue(1);
        assertThat(rollbackHooks).hasValue(1);
        assertThat(committedIds()).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = {"POSTGRES", "MARIADB"})
    void connectionLostBeforeCommitIsRetriedAndLandsOnce(TestDatabase testDatabase) throws Exception {
        open(testDatabase, 1);

        db.atomic(retrying(3), () -> {
            countHooks();
            insert(db, 1, "once");
            if (bodyRuns.get() == 1) {
                proxy.cutAll();
                insert(db, 2, "never");
            }
        });

        assertThat(bodyRuns).hasValue(2);
        assertThat(commitHooks).hasValue(1);
        assertThat(rollbackHooks).hasValue(1);
        assertThat(committedIds()).containsExactly(1);
    }

    @EveryDatabase
    void retryInsideAnOuterBlockIsRefusedBeforeAnyWork(TestDatabase testDatabase) throws Exception {
        open(testDatabase, 2);

        Throwable thrown = thrownBy(() -> db.atomic(() -> {
            insert(1);
            db.atomic(retrying(3), () -> {
                countHooks();
                insert(2);
            });
        }));

        assertThat(thrown).isExactlyInstanceOf(TransactionManagementException.class)
                .hasMessageContaining("database 'default'").hasMessageContaining("outermost");
        assertThat(bodyRuns).hasValue(0);
        assertThat(committedIds()).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = "H2")
    void retryOnABeginScopeIsRefused(TestDatabase testDatabase) throws Exception {
        open(testDatabase, 2);

        Throwable thrown = thrownBy(() -> db.begin(retrying(3)));

        assertThat(thrown).isInstanceOf(TransactionManagementException.class)
                .hasMessageContaining("database 'default'").hasMessageContaining("db.atomic(options, body)");
        assertThat(db.inAtomicBlock()).isFalse();
    }
}
