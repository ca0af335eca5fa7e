package io.atomic4j;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.atomic4j.testing.FaultProxy.Cut;
import io.atomic4j.testing.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The connection dies inside a block, at every point where atomic4j or the caller talks to the
 * server: the block ends, the caller's own error comes out unchanged (atomic4j's own SQL failing
 * gives a {@link DatabaseException} of kind CONNECTION), nothing of the block is in the database,
 * the dead connection is never handed out again, and the next block works. Servers only: the
 * faults are real (a TCP proxy cutting the connection, the server killing the session, the
 * server stopping). Pools of one connection, so the next block can only work on a new one.
 * {@link FaultTestBase} checks afterwards that the thread has no block open, autocommit is back
 * on and no connection is still borrowed.
 */
class ConnectionLossTest extends FaultTestBase {
    private final List<String> hooks = new ArrayList<>();
    /** The server's id of the connection the failing block used; -1 when it never ran a statement. */
    private long lostConnection = -1;

    /** Opens the database with one committed row (id 1), so there is something that must survive. */
    private void openWithOneRow(TestDatabase testDatabase) throws Exception {
        open(testDatabase, 1);
        db.atomic(() -> insert(1));
    }

    private void insertWithHooks(int id) throws SQLException {
        insert(id);
        db.onCommit(() -> hooks.add("commit " + id));
        db.onRollback(() -> hooks.add("rollback " + id));
    }

    /** A block that inserts row 2 (with hooks) and notes its server connection, then runs {@code rest}; what it threw. */
    private Throwable failingBlock(Block<Exception> rest) {
        return thrownBy(() -> db.atomic(() -> {
            insertWithHooks(2);
            lostConnection = serverConnectionId();
            rest.run();
        }));
    }

    /** Only row 1 survived, and the next block works on another connection than the failing block's. */
    private void assertNothingOfTheBlockAndTheNextBlockWorks() throws Exception {
        assertThat(committedIds()).containsExactly(1);
        long next = db.atomic(() -> {
            insert(99);
            return serverConnectionId();
        });
        assertThat(next).as("server connection of the next block").isNotEqualTo(lostConnection);
        assertThat(committedIds()).containsExactly(1, 99);
    }

    private static void assertConnectionLost(Throwable thrown) {
        assertThat(thrown).isInstanceOf(SQLException.class);
        assertThat(SqlErrors.classify((SQLException) thrown)).as("kind of %s", thrown).isEqualTo(ErrorKind.CONNECTION);
    }

    private static void assertAtomic4jConnectionFailure(Throwable thrown, String what) {
        assertThat(thrown).isExactlyInstanceOf(DatabaseException.class)
                .hasMessageContaining("Could not " + what).hasMessageContaining("database 'default'")
                .hasMessageContaining("nothing of the transaction was committed")
                .hasMessageContaining("check that the database is reachable")
                .hasCauseInstanceOf(SQLException.class);
        assertThat(((DatabaseException) thrown).kind()).isEqualTo(ErrorKind.CONNECTION);
    }

    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = {"POSTGRES", "MARIADB"})
    void cutBeforeTheFirstStatementRethrowsTheDriversErrorUnchanged(TestDatabase testDatabase) throws Exception {
        openWithOneRow(testDatabase);
        AtomicReference<SQLException> raised = new AtomicReference<>();
        int connectionsBefore = proxy.connections();

        Throwable thrown = thrownBy(() -> db.atomic(() -> {
            try (Connection connection = db.connection()) {
                proxy.cutAll();
                db.onRollback(() -> hooks.add("rollback"));
                try (PreparedStatement statement = connection.prepareStatement("INSERT INTO item (id) VALUES (2)")) {
                    statement.executeUpdate();
                } catch (SQLException e) {
                    raised.set(e);
                    throw e;
                }
            }
        }));

        assertThat(thrown).isSameAs(raised.get());
        assertConnectionLost(thrown);
        assertThat(hooks).containsExactly("rollback");
        assertNothingOfTheBlockAndTheNextBlockWorks();
        assertThat(proxy.connections()).as("a new connection was opened").isGreaterThan(connectionsBefore);
    }

    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = {"POSTGRES", "MARIADB"})
    void cutBetweenStatementsRollsBackTheEarlierOnes(TestDatabase testDatabase) throws Exception {
        openWithOneRow(testDatabase);
        AtomicReference<SQLException> raised = new AtomicReference<>();

        Throwable thrown = failingBlock(() -> {
            proxy.cutAll();
            try {
                insert(3);
            } catch (SQLException e) {
                raised.set(e);
                throw e;
            }
        });

        assertThat(thrown).isSameAs(raised.get());
        assertConnectionLost(thrown);
        assertThat(hooks).containsExactly("rollback 2");
        assertNothingOfTheBlockAndTheNextBlockWorks();
    }

    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = {"POSTGRES", "MARIADB"})
    void cutInTheMiddleOfABatchLeavesNoRowOfIt(TestDatabase testDatabase) throws Exception {
        openWithOneRow(testDatabase);

        Throwable thrown = thrownBy(() -> db.atomic(() -> {
            lostConnection = serverConnectionId();
            try (Connection connection = db.connection();
                 PreparedStatement statement = connection.prepareStatement("INSERT INTO item (id, name) VALUES (?, ?)")) {
                for (int id = 10; id < 50; id++) {
                    statement.setInt(1, id);
                    statement.setString(2, "batch-row-" + id);
                    statement.addBatch();
                }
                proxy.cutOnClientBytes("batch-row-30", Cut.BEFORE_FORWARD);
                statement.executeBatch();
            }
        }));

        assertThat(proxy.triggeredCuts()).isEqualTo(1);
        assertConnectionLost(thrown);
        assertNothingOfTheBlockAndTheNextBlockWorks();
    }

    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = {"POSTGRES", "MARIADB"})
    void cutWhileTheSavepointIsCreatedFailsTheNestedAndTheOuterBlock(TestDatabase testDatabase) throws Exception {
        openWithOneRow(testDatabase);

        Throwable thrown = failingBlock(() -> {
            db.atomic(() -> {
                proxy.cutOnClientBytes("SAVEPOINT", Cut.BEFORE_FORWARD);
                insert(3);                      // the lazy savepoint is created first
            });
        });

        assertAtomic4jConnectionFailure(thrown, "create savepoint");
        assertThat(hooks).containsExactly("rollback 2");
        assertNothingOfTheBlockAndTheNextBlockWorks();
    }

    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = {"POSTGRES", "MARIADB"})
    void cutWhileTheSavepointIsReleasedFailsTheOuterBlock(TestDatabase testDatabase) throws Exception {
        openWithOneRow(testDatabase);

        Throwable thrown = failingBlock(() -> {
            db.atomic(() -> {
                insertWithHooks(3);
                proxy.cutOnClientBytes("RELEASE SAVEPOINT", Cut.BEFORE_FORWARD);
            });
        });

        assertAtomic4jConnectionFailure(thrown, "release savepoint");
        assertThat(hooks).containsExactly("rollback 3", "rollback 2");
        assertNothingOfTheBlockAndTheNextBlockWorks();
    }

    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = {"POSTGRES", "MARIADB"})
    void cutWhileRollingBackToTheSavepointKeepsTheBodysErrorAndSuppressesTheRollbacks(TestDatabase testDatabase)
            throws Exception {
        openWithOneRow(testDatabase);
        IllegalStateException failure = new IllegalStateException("the nested body failed");

        Throwable thrown = failingBlock(() -> {
            db.atomic(() -> {
                insertWithHooks(3);
                proxy.cutOnClientBytes("ROLLBACK TO SAVEPOINT", Cut.BEFORE_FORWARD);
                throw failure;
            });
        });

        assertThat(thrown).isSameAs(failure);
        assertThat(failure.getSuppressed()).hasSize(1);
        assertAtomic4jConnectionFailure(failure.getSuppressed()[0], "roll back to savepoint");
        assertThat(hooks).containsExactly("rollback 3", "rollback 2");
        assertNothingOfTheBlockAndTheNextBlockWorks();
    }

    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = {"POSTGRES", "MARIADB"})
    void cutDuringRollbackKeepsTheBodysErrorAndSuppressesTheRollbacks(TestDatabase testDatabase) throws Exception {
        openWithOneRow(testDatabase);
        IllegalStateException failure = new IllegalStateException("the body failed");

        Throwable thrown = failingBlock(() -> {
            proxy.cutOnClientBytes("ROLLBACK", Cut.BEFORE_FORWARD);
            throw failure;
        });

        assertThat(thrown).isSameAs(failure);
        assertThat(proxy.triggeredCuts()).isEqualTo(1);
        assertThat(failure.getSuppressed()).hasSize(1);
        assertAtomic4jConnectionFailure(failure.getSuppressed()[0], "roll back");
        assertThat(hooks).containsExactly("rollback 2");
        assertNothingOfTheBlockAndTheNextBlockWorks();
    }

    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = {"POSTGRES", "MARIADB"})
    void swallowedConnectionLossStillFailsTheBlock(TestDatabase testDatabase) throws Exception {
        openWithOneRow(testDatabase);
        AtomicReference<SQLException> swallowed = new AtomicReference<>();

        Throwable thrown = failingBlock(() -> {
            proxy.cutAll();
            try {
                insert(3);
            } catch (SQLException e) {
                swallowed.set(e);           // the classic pitfall: carry on as if nothing happened
            }
        });

        assertThat(thrown).isInstanceOf(TransactionManagementException.class)
                .hasMessageContaining("database 'default'").hasMessageContaining("lost")
                .hasCause(swallowed.get());
        assertThat(hooks).containsExactly("rollback 2");
        assertNothingOfTheBlockAndTheNextBlockWorks();
    }

    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = {"POSTGRES", "MARIADB"})
    void nestedBlockCatchingTheLossCannotCarryOnInTheOuterOne(TestDatabase testDatabase) throws Exception {
        openWithOneRow(testDatabase);
        AtomicReference<Throwable> carryOn = new AtomicReference<>();

        Throwable thrown = failingBlock(() -> {
            try {
                db.atomic(() -> {
                    insert(3);
                    proxy.cutAll();
                    insert(4);
                });
            } catch (SQLException expected) {
                carryOn.set(thrownBy(() -> insert(5)));
            }
        });

        assertThat(carryOn.get()).isInstanceOf(TransactionManagementException.class)
                .hasMessageContaining("database 'default'");
        assertThat(thrown).isInstanceOf(TransactionManagementException.class);
        assertThat(hooks).containsExactly("rollback 2");
        assertNothingOfTheBlockAndTheNextBlockWorks();
    }

    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = {"POSTGRES", "MARIADB"})
    void sessionKilledByTheServerRollsBackTheBlock(TestDatabase testDatabase) throws Exception {
        openWithOneRow(testDatabase);

        Throwable thrown = failingBlock(() -> {
            // PostgreSQL pg_terminate_backend, MariaDB KILL CONNECTION, from another connection.
            assertThat(testDatabase.killConnections(directUrl)).isEqualTo(1);
            insert(3);
        });

        assertConnectionLost(thrown);
        assertThat(hooks).containsExactly("rollback 2");
        assertNothingOfTheBlockAndTheNextBlockWorks();
    }

    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = {"POSTGRES", "MARIADB"})
    void idleConnectionKilledBetweenBlocksIsOvercomeByARetry(TestDatabase testDatabase) throws Exception {
        openWithOneRow(testDatabase);
        long lost = db.atomic(this::serverConnectionId);
        testDatabase.killConnections(directUrl);
        AtomicInteger runs = new AtomicInteger();

        long used = db.atomic(AtomicOptions.defaults().retry(RetryPolicy.transientErrors(3)), () -> {
            runs.incrementAndGet();
            insertWithHooks(2);
            return serverConnectionId();
        });

        // The pool may notice the dead connection itself when it validates it (then one run suffices).
        assertThat(runs.get()).isBetween(1, 2);
        assertThat(used).isNotEqualTo(lost);
        assertThat(hooks).endsWith("commit 2");
        assertThat(committedIds()).containsExactly(1, 2);
    }

    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = {"POSTGRES", "MARIADB"})
    void serverStoppedInsideABlockRollsItBackAndTheNextBlockWorksOnceItIsBack(TestDatabase testDatabase)
            throws Exception {
        openWithOneRow(testDatabase);
        Throwable thrown;
        try {
            thrown = failingBlock(() -> {
                testDatabase.stopServer();
                insert(3);
            });
        } finally {
            testDatabase.startServer();
        }

        assertConnectionLost(thrown);
        assertThat(hooks).containsExactly("rollback 2");
        assertNothingOfTheBlockAndTheNextBlockWorks();
    }

    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = {"POSTGRES", "MARIADB"})
    void unreachableDatabaseFailsTheBlockWithAConnectionErrorUntilItIsBack(TestDatabase testDatabase) throws Exception {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(proxiedUrl(testDatabase));
        config.setMaximumPoolSize(1);
        config.setConnectionTimeout(300);
        config.setInitializationFailTimeout(-1);    // start the pool while the database is unreachable
        proxy.refuseNew(true);
        try (HikariDataSource pool = new HikariDataSource(config)) {
            db = Database.wrap("default", pool);

            Throwable thrown = thrownBy(() -> db.atomic(() -> insertWithHooks(1)));

            assertAtomic4jConnectionFailure(thrown, "open a connection");
            assertThat(hooks).isEmpty();
            proxy.refuseNew(false);
            db.atomic(() -> insert(2));
            assertThat(committedIds()).containsExactly(2);
            assertThat(activeConnections()).isZero();
            db.close();
            db = null;
        }
    }

    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = {"POSTGRES", "MARIADB"})
    void manualTransactionLosingItsConnectionStartsAfreshAtTheNextStatement(TestDatabase testDatabase) throws Exception {
        openWithOneRow(testDatabase);
        db.setAutoCommit(false);
        try {
            insert(2);
            proxy.cutAll();
            assertConnectionLost(thrownBy(() -> insert(3)));
            insert(4);
            db.commit();
        } finally {
            db.rollback();
            db.setAutoCommit(true);
        }
        assertThat(committedIds()).containsExactly(1, 4);
    }
}
