package io.atomic4j;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.atomic4j.testing.FaultInjectingDataSource;
import io.atomic4j.testing.FaultInjectingDataSource.Failure;
import io.atomic4j.testing.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;

/**
 * The systematic fault-injection test (issue "Airtight blocks"): for each scenario, the k-th JDBC
 * call atomic4j makes (its own and the ones user code makes through it) fails with each kind of
 * {@link Failure}, for every k the scenario reaches. After every run: no connection out of the
 * pool, the thread outside any block with autocommit on, the next block works, the data all or
 * nothing, and the onCommit callback ran exactly when the data committed.
 */
class FaultInjectionTest {
    private static final Set<String> COVERED = ConcurrentHashMap.newKeySet();
    private static final AtomicInteger RUNS = new AtomicInteger();

    /** A scenario: the body a user writes, and the ids it commits when nothing fails. */
    private interface Scenario {
        void run(Database db, AtomicBoolean committedHook) throws Exception;
    }

    private static final Scenario NESTED = (db, hook) -> db.atomic(() -> {
        insert(db, 1);
        db.atomic(() -> insert(db, 2));
        try {
            db.atomic(() -> {
                insert(db, 3);
                throw new IllegalStateException("inner block fails");
            });
        } catch (IllegalStateException expected) {
            // the nested block is undone, the outer one goes on
        }
        db.onCommit(() -> hook.set(true));
    });

    private static final Scenario HOOKS = (db, hook) -> db.atomic(() -> {
        insert(db, 1);
        db.onCommit(() -> hook.set(true));
        db.onRollback(() -> { });
        db.beforeCommit(() -> {
            try {
                insert(db, 2);
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        });
    });

    private static final Scenario MANUAL_SAVEPOINTS = (db, hook) -> db.atomic(() -> {
        insert(db, 1);
        Savepoint undone = db.savepoint();
        insert(db, 5);
        db.savepointRollback(undone);
        insert(db, 2);
        Savepoint kept = db.savepoint();
        insert(db, 3);
        db.savepointCommit(kept);
        db.onCommit(() -> hook.set(true));
    });

    private static final Scenario RETRIES = (db, hook) ->
            db.atomic(AtomicOptions.defaults().retry(RetryPolicy.transientErrors(3)), () -> {
                insert(db, 1);
                insert(db, 2);
                db.onCommit(() -> hook.set(true));
            });

    private static final Scenario MANUAL_MODE = (db, hook) -> {
        db.setAutoCommit(false);
        try {
            db.atomic(() -> {
                insert(db, 1);
                db.onCommit(() -> hook.set(true));
            });
            insert(db, 2);
            db.commit();
        } finally {
            try {
                db.rollback();   // what a user's finally does; nothing is pending after a commit
            } finally {
                db.setAutoCommit(true);
            }
        }
    };

    @EveryDatabase
    void nestedBlocks(TestDatabase database) throws Exception {
        injectEverywhere(database, "nested", NESTED, List.of(1, 2));
    }

    @EveryDatabase
    void hooks(TestDatabase database) throws Exception {
        injectEverywhere(database, "hooks", HOOKS, List.of(1, 2));
    }

    @EveryDatabase
    void manualSavepoints(TestDatabase database) throws Exception {
        injectEverywhere(database, "manual savepoints", MANUAL_SAVEPOINTS, List.of(1, 2, 3));
    }

    @EveryDatabase
    void retries(TestDatabase database) throws Exception {
        injectEverywhere(database, "retries", RETRIES, List.of(1, 2));
    }

    @EveryDatabase
    void manualMode(TestDatabase database) throws Exception {
        injectEverywhere(database, "manual mode", MANUAL_MODE, List.of(1, 2));
    }

    @AfterAll
    static void report() {
        System.out.printf("FaultInjectionTest: %d runs, %d distinct injection points (scenario x database x call "
                + "number x failure kind), 0 leaks%n", RUNS.get(), COVERED.size());
    }

    private void injectEverywhere(TestDatabase database, String name, Scenario scenario, List<Integer> expected)
            throws Exception {
        HikariConfig config = new HikariConfig();
        config.setDataSource(database.newPlainDataSource());
        config.setMaximumPoolSize(3);
        config.setConnectionTimeout(5_000);
        config.setPoolName("faults-" + database);
        try (HikariDataSource pool = new HikariDataSource(config)) {
            FaultInjectingDataSource faults = new FaultInjectingDataSource(pool);
            try (Database db = Database.wrap("faults", faults.dataSource())) {
                createTable(database);
                faults.arm(0, Failure.ERROR);
                check(database, db, pool, name + " without failures", scenario, expected, true);
                int calls = faults.disarm();
                nextBlockWorks(database, db);
                assertThat(calls).as("calls made by the scenario").isGreaterThan(3);
                List<String> points = new ArrayList<>();
                for (int k = 1; k <= calls; k++) {
                    for (Failure failure : Failure.values()) {
                        faults.arm(k, failure);
                        String run = name + ", call " + k + " of " + calls + " fails with " + failure;
                        try {
                            check(database, db, pool, run, scenario, expected, false);
                        } finally {
                            faults.disarm();
                        }
                        nextBlockWorks(database, db);
                        points.add(k + ":" + faults.failedCall());
                        COVERED.add(name + "/" + database + "/" + k + "/" + failure);
                    }
                }
                assertThat(points).hasSize(calls * Failure.values().length);
            }
        }
    }

    private static void check(TestDatabase database, Database db, HikariDataSource pool, String run, Scenario scenario,
                              List<Integer> expected, boolean mustCommit) throws Exception {
        RUNS.incrementAndGet();
        AtomicBoolean hook = new AtomicBoolean();
        Throwable thrown = null;
        try {
            scenario.run(db, hook);
        } catch (Throwable e) {
            thrown = e;
        }
        List<Integer> committed = committedIds(database);
        assertThat(pool.getHikariPoolMXBean().getActiveConnections()).as(run + ": connections out of the pool")
                .isZero();
        assertThat(db.inAtomicBlock()).as(run + ": thread left in a block").isFalse();
        assertThat(db.getAutoCommit()).as(run + ": autocommit restored").isTrue();
        assertThat(committed).as(run + ": all or nothing (thrown: " + thrown + ")")
                .satisfiesAnyOf(ids -> assertThat(ids).isEqualTo(expected), ids -> assertThat(ids).isEmpty());
        if (!(thrown instanceof CommitOutcomeUnknownException)) {
            assertThat(hook.get()).as(run + ": onCommit ran iff committed (thrown: " + thrown + ")")
                    .isEqualTo(!committed.isEmpty());
        }
        if (mustCommit) {
            assertThat(thrown).as(run).isNull();
            assertThat(committed).isEqualTo(expected);
        }
    }

    /** The thread's next block works (the fault is no longer armed), and the table is emptied for the next run. */
    private static void nextBlockWorks(TestDatabase database, Database db) throws Exception {
        db.atomic(() -> insert(db, 100));
        assertThat(committedIds(database)).contains(100);
        emptyTable(database);
    }

    private static void insert(Database db, int id) throws SQLException {
        try (Connection connection = db.connection();
             PreparedStatement statement = connection.prepareStatement("INSERT INTO item (id, name) VALUES (?, 'x')")) {
            statement.setInt(1, id);
            statement.executeUpdate();
        }
    }

    private static void createTable(TestDatabase database) throws SQLException {
        try (Connection connection = database.newPlainDataSource().getConnection();
             Statement statement = connection.createStatement()) {
            statement.execute("DROP TABLE IF EXISTS item");
            statement.execute("CREATE TABLE item (id INT PRIMARY KEY, name VARCHAR(50))");
        }
    }

    private static void emptyTable(TestDatabase database) throws SQLException {
        try (Connection connection = database.newPlainDataSource().getConnection();
             Statement statement = connection.createStatement()) {
            statement.execute("DELETE FROM item");
        }
    }

    private static List<Integer> committedIds(TestDatabase database) throws SQLException {
        Set<Integer> ids = new TreeSet<>();
        try (Connection connection = database.newPlainDataSource().getConnection();
             Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT id FROM item")) {
            while (rows.next()) {
                ids.add(rows.getInt(1));
            }
        }
        return new ArrayList<>(ids);
    }
}
