package io.atomic4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.atomic4j.testing.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.SQLTransientException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Timeout;

/**
 * No path by which rolled-back work commits, and nothing left behind (DESIGN.md, "Airtight
 * blocks"): transaction control refused inside a block marks it for rollback, connections from
 * outside a block are refused inside it, retries never re-run a committed body, no connection
 * leaks, close() leaves no lock.
 */
class AirtightTest extends DatabaseTestBase {
    /** Statements that end, start or split the transaction behind the block's back, as users write them. */
    static final List<String> TRANSACTION_CONTROL = List.of("COMMIT", "  rollback", "/* undo */ ROLLBACK",
            "-- done\nCOMMIT", "END", "ABORT", "BEGIN", "START TRANSACTION", "SAVEPOINT mine",
            "RELEASE SAVEPOINT mine", "SET autocommit = 1", "set @@autocommit=1", "PREPARE TRANSACTION 'x'");

    private final List<String> committedHooks = new ArrayList<>();

    @EveryDatabase
    void refusedConnectionCommitMarksTheBlockSoItsWorkNeverCommits(TestDatabase database) throws SQLException {
        use(database);
        assertThatThrownBy(() -> db.atomic(() -> {
            insert(1);
            db.onCommit(() -> committedHooks.add("commit"));
            try (Connection connection = db.connection()) {
                connection.commit();   // what jOOQ, JDBI, MyBatis and Spring do; they wrap the refusal and move on
            } catch (TransactionManagementException swallowed) {
                assertThat(swallowed).hasMessageContaining("Connection.commit() is not allowed inside an atomic block");
            }
        })).isInstanceOf(TransactionManagementException.class).hasMessageContaining("rolled back, not committed");
        assertThat(committedIds()).isEmpty();
        assertThat(committedHooks).isEmpty();
    }

    @EveryDatabase
    void refusedConnectionRollbackAndAutocommitMarkTheBlockToo(TestDatabase database) throws SQLException {
        use(database);
        for (int i = 0; i < 2; i++) {
            boolean rollback = i == 0;
            assertThatThrownBy(() -> db.atomic(() -> {
                insert(1);
                try (Connection connection = db.connection()) {
                    if (rollback) {
                        connection.rollback();
                    } else {
                        connection.setAutoCommit(true);
                    }
                } catch (TransactionManagementException swallowed) {
                    // a library that swallows the refusal
                }
                insert(2);
            })).isInstanceOf(TransactionManagementException.class)
                    .hasMessageContaining("You can't execute queries until the end of the 'atomic' block");
        }
        assertThat(committedIds()).isEmpty();
    }

    @EveryDatabase
    void rawTransactionControlSqlIsRefusedBeforeItReachesTheDatabaseAndMarksTheBlock(TestDatabase database)
            throws SQLException {
        use(database);
        for (String sql : TRANSACTION_CONTROL) {
            assertThatThrownBy(() -> db.atomic(() -> {
                insert(1);
                db.onCommit(() -> committedHooks.add(sql));
                try (Connection connection = db.connection(); Statement statement = connection.createStatement()) {
                    assertThatThrownBy(() -> statement.execute(sql)).as(sql)
                            .isInstanceOf(TransactionManagementException.class).hasMessageContaining("SQL ");
                }
            })).as(sql).isInstanceOf(TransactionManagementException.class);
        }
        assertThat(committedIds()).isEmpty();
        assertThat(committedHooks).isEmpty();
    }

    @EveryDatabase
    void rawTransactionControlIsRefusedInPrepareAndBatchToo(TestDatabase database) throws SQLException {
        use(database);
        assertThatThrownBy(() -> db.atomic(() -> {
            insert(1);
            try (Connection connection = db.connection()) {
                assertThatThrownBy(() -> connection.prepareStatement("COMMIT"))
                        .isInstanceOf(TransactionManagementException.class);
            }
        })).isInstanceOf(TransactionManagementException.class);
        assertThatThrownBy(() -> db.atomic(() -> {
            insert(1);
            try (Connection connection = db.connection(); Statement statement = connection.createStatement()) {
                statement.addBatch("INSERT INTO item (id, name) VALUES (2, 'b')");
                assertThatThrownBy(() -> statement.addBatch("ROLLBACK"))
                        .isInstanceOf(TransactionManagementException.class);
            }
        })).isInstanceOf(TransactionManagementException.class);
        assertThat(committedIds()).isEmpty();
    }

    @EveryDatabase
    void unwrappingToTheDriversConnectionIsRefusedInsideABlock(TestDatabase database) throws SQLException {
        use(database);
        assertThatThrownBy(() -> db.atomic(() -> {
            insert(1);
            try (Connection connection = db.connection()) {
                Class<? extends Connection> driverClass = BrokenTransactionTest.physical(connection)
                        .unwrap(Connection.class).getClass();
                assertThatThrownBy(() -> connection.unwrap(driverClass))
                        .isInstanceOf(TransactionManagementException.class).hasMessageContaining("unwrap(");
            }
        })).isInstanceOf(TransactionManagementException.class);
        assertThat(committedIds()).isEmpty();
    }

    @EveryDatabase
    void aUserSavepointCannotTakeTheEnginesNames(TestDatabase database) throws SQLException {
        use(database);
        db.atomic(() -> {
            try (Connection connection = db.connection()) {
                assertThatThrownBy(() -> connection.setSavepoint("a4j_sp1"))
                        .isInstanceOf(TransactionManagementException.class).hasMessageContaining("keeps for its own");
                insert(1);
                java.sql.Savepoint mine = connection.setSavepoint("mine");
                insert(2);
                connection.rollback(mine);
            }
        });
        assertThat(committedIds()).containsExactly(1);
    }

    @EveryDatabase
    void aConnectionTakenOutsideABlockIsRefusedInsideIt(TestDatabase database) throws SQLException {
        use(database);
        try (Connection outside = db.connection()) {
            assertThatThrownBy(() -> db.atomic(() -> {
                insert(1);
                try (PreparedStatement statement = outside.prepareStatement("INSERT INTO item (id, name) VALUES (2, 'b')")) {
                    statement.executeUpdate();
                }
            })).isInstanceOf(TransactionManagementException.class).hasMessageContaining("outside any atomic block");
            assertThat(committedIds()).isEmpty();
            try (Statement statement = outside.createStatement()) {   // after the block it is an ordinary connection again
                statement.executeUpdate("INSERT INTO item (id, name) VALUES (3, 'c')");
            }
        }
        assertThat(committedIds()).containsExactly(3);
    }

    @EveryDatabase
    void aScopeLeftOpenInsideALambdaBlockIsRolledBackWithTheBlock(TestDatabase database) throws SQLException {
        use(database);
        assertThatThrownBy(() -> db.atomic(() -> {
            insert(1);
            db.begin();   // never closed
            insert(2);
        })).isInstanceOf(TransactionManagementException.class).hasMessageContaining("was still open");
        assertThat(committedIds()).isEmpty();
        assertThat(db.inAtomicBlock()).isFalse();
        db.atomic(AtomicOptions.defaults().durable(true), () -> insert(3));   // the thread is not poisoned
        assertThat(committedIds()).containsExactly(3);
    }

    @EveryDatabase
    void aRetryNeverRerunsABodyThatCommittedWhenACallbackFailsWithATransientLookingError(TestDatabase database)
            throws SQLException {
        use(database);
        AtomicInteger attempts = new AtomicInteger();
        assertThatThrownBy(() -> db.atomic(AtomicOptions.defaults().retry(RetryPolicy.transientErrors(3)), () -> {
            insert(attempts.incrementAndGet());
            db.onCommit(() -> {
                throw new IllegalStateException("queue busy", new SQLTransientException("busy", "40001"));
            });
        })).isInstanceOf(OnCommitFailedException.class);
        assertThat(attempts).hasValue(1);
        assertThat(committedIds()).containsExactly(1);
    }

    @EveryDatabase
    void aRetryLooksThroughAFrameworksWrapperForTheDriversTransientError(TestDatabase database) throws SQLException {
        use(database);
        AtomicInteger attempts = new AtomicInteger();
        db.atomic(AtomicOptions.defaults().retry(RetryPolicy.transientErrors(3)), () -> {
            insert(attempts.incrementAndGet());
            if (attempts.get() == 1) {
                throw new RuntimeException("jOOQ-style wrapper", new SQLException("could not serialize", "40001"));
            }
        });
        assertThat(attempts).hasValue(2);
        assertThat(committedIds()).containsExactly(2);
    }

    @EveryDatabase
    void runawayNestingEndsInAStackOverflowThatLeavesNoConnectionOrStateBehind(TestDatabase database)
            throws SQLException {
        use(database);
        AtomicInteger depth = new AtomicInteger();
        assertThatThrownBy(() -> db.atomic(() -> nestForever(depth))).isInstanceOf(StackOverflowError.class);
        assertThat(depth.get()).isGreaterThan(10);
        assertThat(db.inAtomicBlock()).isFalse();
        assertThat(committedIds()).isEmpty();
        db.atomic(AtomicOptions.defaults().durable(true), () -> insert(1));
        assertThat(committedIds()).containsExactly(1);
    }

    private void nestForever(AtomicInteger depth) throws SQLException {
        int level = depth.incrementAndGet();
        if (level % 50 == 1) {
            insert(level);
        }
        db.atomic(() -> nestForever(depth));
    }

    @EveryDatabase
    void closeInManualModeRollsBackAndReturnsTheThreadsConnection(TestDatabase database) throws SQLException {
        use(database);
        HikariDataSource pool = db.dataSource().unwrap(HikariDataSource.class);
        db.setAutoCommit(false);
        insert(1);
        db.close();
        assertThat(pool.isClosed()).isTrue();
        assertThat(committedIds()).isEmpty();
        insertOnPlainConnection(2);   // on SQLite this needs the write lock the manual transaction held
        assertThat(committedIds()).containsExactly(2);
        db = null;   // closed: nothing left for the leak check
    }

    @EveryDatabase
    @Timeout(60)
    void closeAbortsOtherThreadsTransactionsSoNoLockOutlivesIt(TestDatabase database) throws Exception {
        use(database);
        CountDownLatch written = new CountDownLatch(1);
        CountDownLatch closed = new CountDownLatch(1);
        CompletableFuture<Throwable> other = CompletableFuture.supplyAsync(() -> {
            try {
                db.atomic(() -> {
                    insert(1);
                    written.countDown();
                    await(closed);
                    insert(2);
                });
                return null;
            } catch (Throwable e) {
                return e;
            }
        });
        await(written);
        Database closing = db;
        db = null;
        closing.close();
        insertOnPlainConnection(1);   // the other thread's row lock (SQLite: the write lock) is gone
        closed.countDown();
        assertThat(other.get(30, TimeUnit.SECONDS)).as("the other thread's block fails").isNotNull();
        assertThat(committedIds()).containsExactly(1);
        assertThatThrownBy(() -> closing.atomic(() -> { })).isInstanceOf(IllegalStateException.class);
    }

    @EveryDatabase
    @Timeout(60)
    void closeOfAWrappedPoolAbortsOtherThreadsTransactionsAndLeavesThePoolOpen(TestDatabase database) throws Exception {
        use(database);
        try (HikariDataSource users = database.newUserPool(2)) {
            Database wrapped = Database.wrap("users", users);
            CountDownLatch written = new CountDownLatch(1);
            CountDownLatch closed = new CountDownLatch(1);
            CompletableFuture<Throwable> other = CompletableFuture.supplyAsync(() -> {
                try {
                    wrapped.atomic(() -> {
                        insert(wrapped, 1);
                        written.countDown();
                        await(closed);
                        insert(wrapped, 2);
                    });
                    return null;
                } catch (Throwable e) {
                    return e;
                }
            });
            await(written);
            wrapped.close();
            insertOnPlainConnection(1);   // the other thread's row lock (SQLite: the write lock) is gone
            closed.countDown();
            assertThat(other.get(30, TimeUnit.SECONDS)).as("the other thread's block fails").isNotNull();
            assertThat(committedIds()).containsExactly(1);
            assertThat(users.isClosed()).as("the user's pool stays theirs to close").isFalse();
            try (Connection connection = users.getConnection()) {
                assertThat(connection.isValid(5)).as("the pool hands out working connections").isTrue();
            }
        }
    }

    @EveryDatabase
    void aStatementThatFailsWhenPreparedMarksTheBlockLikeOneThatFailsWhenRun(TestDatabase database) throws SQLException {
        use(database);
        assertThatThrownBy(() -> db.atomic(() -> {
            insert(1);
            // H2 and SQLite parse at prepareStatement; PostgreSQL and MariaDB (client-side prepare) at execute.
            try (Connection connection = db.connection();
                 PreparedStatement statement = connection.prepareStatement("SELEC no_such_thing")) {
                statement.executeQuery();
            } catch (SQLException swallowed) {
                // the block must not commit around the failed statement
            }
        })).isInstanceOf(TransactionManagementException.class).hasMessageContaining("rolled back, not committed");
        assertThat(committedIds()).isEmpty();
    }

    @EveryDatabase
    void anExhaustedPoolIsNotReportedAsALostDatabase(TestDatabase database) throws SQLException {
        use(database);
        HikariConfig config = new HikariConfig();
        config.setDataSource(database.newPlainDataSource());
        config.setMaximumPoolSize(1);
        config.setConnectionTimeout(250);
        try (HikariDataSource tiny = new HikariDataSource(config); Database small = Database.wrap("small", tiny)) {
            small.atomic(() -> {
                insert(small, 1);
                assertThatThrownBy(() -> small.atomic(AtomicOptions.defaults().independent(true), () -> insert(small, 2)))
                        .isInstanceOf(DatabaseException.class)
                        .hasMessageContaining("every pooled connection is in use")
                        .hasMessageNotContaining("reachable");
            });
        }
        assertThat(committedIds()).containsExactly(1);
    }

    @EveryDatabase
    void markForRollbackOnErrorOnAClosedDatabaseDoesNotRunTheBody(TestDatabase database) throws SQLException {
        use(database);
        Database closed = db;
        db = null;
        closed.close();
        AtomicInteger ran = new AtomicInteger();
        assertThatThrownBy(() -> closed.markForRollbackOnError(ran::incrementAndGet))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("is closed");
        assertThat(ran).hasValue(0);
    }

    @EveryDatabase
    void aNullBodyIsRefusedBeforeAnyBlockOpens(TestDatabase database) throws SQLException {
        use(database);
        assertThatThrownBy(() -> db.atomic((Result<Object, RuntimeException>) null))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("needs a body");
        assertThat(db.inAtomicBlock()).isFalse();
    }

    private void insertOnPlainConnection(int id) throws SQLException {
        try (Connection connection = testDatabase.newPlainDataSource().getConnection();
             Statement statement = connection.createStatement()) {
            statement.executeUpdate("INSERT INTO item (id, name) VALUES (" + id + ", 'plain')");
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(30, TimeUnit.SECONDS)) {
                throw new AssertionError("timed out waiting for the other thread");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
