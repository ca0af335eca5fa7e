package io.atomic4j.deployments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.atomic4j.AtomicOptions;
import io.atomic4j.Database;
import io.atomic4j.DatabaseException;
import io.atomic4j.ErrorKind;
import io.atomic4j.Isolation;
import io.atomic4j.RetryPolicy;
import io.atomic4j.TransactionManagementException;
import io.atomic4j.testing.FaultProxy;
import io.atomic4j.testing.FaultProxy.Cut;
import io.atomic4j.testing.TestDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * atomic4j through PgBouncer in transaction pooling mode, in front of the embedded PostgreSQL:
 * each transaction of a client connection may run on a different server backend, so nothing may
 * rely on session state across transactions (prepared statements, the backend process id, SET
 * outside a transaction). Blocks, savepoints, hooks, connection loss, retries and commit-outcome
 * resolution must all behave as they do against the server directly.
 */
class PgBouncerTest {
    private static PgBouncer bouncer;
    private static String directUrl;
    private static String bouncedUrl;

    private Database db;
    private final List<String> hooks = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void startPgBouncer() {
        directUrl = TestDatabase.POSTGRES.newDatabaseUrl("bouncer");
        bouncer = PgBouncer.start(TestDatabase.POSTGRES.host(), TestDatabase.POSTGRES.port());
        bouncedUrl = bouncer.jdbcUrl(directUrl);
    }

    @AfterAll
    static void stopPgBouncer() {
        if (bouncer != null) {
            bouncer.close();
        }
    }

    @BeforeEach
    void openThroughPgBouncer() throws SQLException {
        db = open(bouncedUrl, 4);
        try (Connection connection = db.connection(); Statement statement = connection.createStatement()) {
            statement.execute("DROP TABLE IF EXISTS item");
            statement.execute("CREATE TABLE item (id INT PRIMARY KEY, name VARCHAR(50))");
        }
    }

    @AfterEach
    void close() {
        if (db != null) {
            assertThat(db.inAtomicBlock()).as("block left open").isFalse();
            db.close();
        }
    }

    private static Database open(String url, int poolSize) {
        return Database.builder(url).maxPoolSize(poolSize).build();
    }

    private void insert(int id) throws SQLException {
        insert(db, id);
    }

    private static void insert(Database db, int id) throws SQLException {
        try (Connection connection = db.connection();
             PreparedStatement statement = connection.prepareStatement("INSERT INTO item (id, name) VALUES (?, ?)")) {
            statement.setInt(1, id);
            statement.setString(2, "item " + id);
            statement.executeUpdate();
        }
    }

    private void insertWithHooks(int id) throws SQLException {
        insert(id);
        db.onCommit(() -> hooks.add("commit " + id));
        db.onRollback(() -> hooks.add("rollback " + id));
    }

    /** Ids committed, read on the server directly (not through PgBouncer). */
    private static List<Integer> committedIds() throws SQLException {
        List<Integer> ids = new ArrayList<>();
        try (Connection connection = DriverManager.getConnection(directUrl);
             Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT id FROM item ORDER BY id")) {
            while (rows.next()) {
                ids.add(rows.getInt(1));
            }
        }
        return ids;
    }

    private static Throwable thrownBy(ThrowingRunnable body) {
        try {
            body.run();
        } catch (Throwable t) {
            return t;
        }
        throw new AssertionError("expected an exception");
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    @Test
    void outermostBlockCommitsOnNormalExitAndRollsBackOnException() throws Exception {
        db.atomic(() -> insertWithHooks(1));
        assertThatThrownBy(() -> db.atomic(() -> {
            insertWithHooks(2);
            throw new IllegalStateException("undo 2");
        })).isInstanceOf(IllegalStateException.class).hasMessage("undo 2");

        assertThat(committedIds()).containsExactly(1);
        assertThat(hooks).containsExactly("commit 1", "rollback 2");
    }

    @Test
    void nestedSavepointsRollBackOnlyTheirOwnWork() throws Exception {
        db.atomic(() -> {
            insertWithHooks(1);
            db.atomic(() -> {
                insertWithHooks(2);
                try {
                    db.atomic(() -> {
                        insertWithHooks(3);
                        throw new IllegalStateException("undo 3");
                    });
                } catch (IllegalStateException expected) {
                    // the enclosing savepoint goes on
                }
                insertWithHooks(4);
            });
            insertWithHooks(5);
        });

        assertThat(committedIds()).containsExactly(1, 2, 4, 5);
        assertThat(hooks).containsExactly("rollback 3", "commit 1", "commit 2", "commit 4", "commit 5");
    }

    @Test
    void swallowedStatementErrorRollsBackTheBlockAndThrowsOnExit() throws Exception {
        db.atomic(() -> insert(1));
        Throwable thrown = thrownBy(() -> db.atomic(() -> {
            insertWithHooks(2);
            try {
                insert(1);
            } catch (SQLException duplicate) {
                // swallowed: the block must still not commit 2
            }
        }));

        assertThat(thrown).isInstanceOf(TransactionManagementException.class);
        assertThat(committedIds()).containsExactly(1);
        assertThat(hooks).containsExactly("rollback 2");
    }

    /**
     * pgjdbc would name (server-prepare) a statement after 5 executions on one connection (its
     * statement cache counts them across prepareStatement calls); through PgBouncer 1.18 in
     * transaction mode the name would be unknown on the next transaction's backend.
     * prepareThreshold=0 keeps every statement unnamed, so this works whatever backend runs it.
     * A pool of one connection makes all 30 blocks prepare the statement on the same client
     * connection. (A connection taken outside the blocks cannot be used inside them: atomic4j
     * refuses it, its statements would commit on their own.)
     */
    @Test
    void theSamePreparedStatementRunsInManyTransactionsOnWhicheverBackend() throws Exception {
        Set<Integer> backends = new HashSet<>();
        try (Database single = open(bouncedUrl, 1)) {
            theSameStatementInManyTransactions(single, backends);
        }
        assertThat(committedIds()).hasSize(30);
        System.out.println("PgBouncer: one client connection's 30 transactions ran on backends " + backends);
    }

    private void theSameStatementInManyTransactions(Database single, Set<Integer> backends) throws Exception {
        for (int round = 0; round < 3; round++) {
            // Other clients hold server connections meanwhile, so this one's transactions move between backends.
            try (Database other = open(bouncedUrl, PgBouncer.SERVER_CONNECTIONS)) {
                ExecutorService pool = Executors.newFixedThreadPool(2);
                try {
                    AtomicBoolean stop = new AtomicBoolean();
                    List<Future<?>> load = new ArrayList<>();
                    for (int i = 0; i < 2; i++) {
                        load.add(pool.submit(() -> {
                            for (int n = 0; n < 2_000 && !stop.get(); n++) {
                                other.atomic(() -> backendPid(other));
                            }
                            return null;
                        }));
                    }
                    try {
                        for (int i = 0; i < 10; i++) {
                            int id = round * 10 + i;
                            single.atomic(() -> {
                                backends.add(backendPid(single));
                                try (Connection connection = single.connection();
                                     PreparedStatement insert = connection.prepareStatement("INSERT INTO item (id, name) VALUES (?, 'p')")) {
                                    insert.setInt(1, id);
                                    insert.executeUpdate();
                                }
                            });
                        }
                    } finally {
                        stop.set(true);
                    }
                    for (Future<?> future : load) {
                        future.get(60, TimeUnit.SECONDS);
                    }
                } finally {
                    pool.shutdownNow();
                }
            }
        }
    }

    private static int backendPid(Database db) throws SQLException {
        try (Connection connection = db.connection(); Statement statement = connection.createStatement();
             ResultSet row = statement.executeQuery("SELECT pg_backend_pid()")) {
            row.next();
            return row.getInt(1);
        }
    }

    /**
     * The isolation level asked for a block must be the one its transaction runs at, whichever
     * backend PgBouncer picks; and no other client's transaction may inherit it.
     */
    @Test
    void isolationAskedForABlockIsTheOneItsTransactionRunsAt() throws Exception {
        List<String> wrong = new CopyOnWriteArrayList<>();
        AtomicInteger checked = new AtomicInteger();
        try (Database other = open(bouncedUrl, 2)) {
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<?>> futures = new ArrayList<>();
                for (int worker = 0; worker < 4; worker++) {
                    boolean serializable = worker % 2 == 0;
                    Database target = serializable ? db : other;
                    futures.add(pool.submit(() -> {
                        for (int n = 0; n < 200; n++) {
                            AtomicOptions options = serializable
                                    ? AtomicOptions.defaults().isolation(Isolation.SERIALIZABLE) : AtomicOptions.defaults();
                            String level = target.atomic(options, () -> isolation(target));
                            checked.incrementAndGet();
                            String expected = serializable ? "serializable" : "read committed";
                            if (!expected.equals(level)) {
                                wrong.add("asked " + expected + ", ran at " + level);
                            }
                        }
                        return null;
                    }));
                }
                for (Future<?> future : futures) {
                    future.get(120, TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdownNow();
            }
        }
        System.out.println("PgBouncer isolation: " + checked + " blocks checked, " + wrong.size() + " at the wrong level");
        assertThat(wrong).as("blocks whose transaction ran at another isolation level").isEmpty();
    }

    private static String isolation(Database db) throws SQLException {
        try (Connection connection = db.connection(); Statement statement = connection.createStatement();
             ResultSet row = statement.executeQuery("SELECT current_setting('transaction_isolation')")) {
            row.next();
            return row.getString(1);
        }
    }

    @Test
    void serverConnectionKilledInsideABlockFailsItCleanlyAndTheNextBlockWorks() throws Exception {
        db.atomic(() -> insert(1));
        Throwable thrown = thrownBy(() -> db.atomic(() -> {
            insertWithHooks(2);
            assertThat(TestDatabase.POSTGRES.killConnections(directUrl)).isPositive();
            insert(3);
        }));

        assertThat(thrown).isInstanceOf(SQLException.class);
        assertThat(io.atomic4j.SqlErrors.classify((SQLException) thrown)).isEqualTo(ErrorKind.CONNECTION);
        assertThat(hooks).containsExactly("rollback 2");
        db.atomic(() -> insert(4));
        assertThat(committedIds()).containsExactly(1, 4);
    }

    @Test
    void retryReRunsABlockWhoseServerConnectionWasKilledBeforeCommit() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        db.atomic(AtomicOptions.defaults().retry(RetryPolicy.transientErrors(3)), () -> {
            insertWithHooks(1);
            if (attempts.incrementAndGet() == 1) {
                TestDatabase.POSTGRES.killConnections(directUrl);
                insert(2);
            }
        });

        assertThat(attempts).hasValue(2);
        assertThat(committedIds()).containsExactly(1);
        assertThat(hooks).containsExactly("rollback 1", "commit 1");
    }

    /**
     * The client's connection to PgBouncer is cut after its COMMIT went through, while other
     * clients keep every server connection busy: the outcome is looked up by transaction id on
     * whatever backend the fresh connection gets, never by the lost backend's process id alone.
     */
    @Test
    void commitLostAfterReachingTheServerIsResolvedAsCommittedBehindThePooler() throws Exception {
        try (FaultProxy proxy = FaultProxy.to("127.0.0.1", bouncer.port()); Background load = new Background()) {
            Database through = open(bouncedUrl.replace(":" + bouncer.port() + "/", ":" + proxy.port() + "/"), 1);
            try {
                through.atomic(() -> insert(through, 1));
                through.atomic(() -> {
                    insert(through, 2);
                    through.onCommit(() -> hooks.add("commit 2"));
                    through.onRollback(() -> hooks.add("rollback 2"));
                    proxy.cutOnClientBytes("COMMIT", Cut.AFTER_FORWARD);
                });
                assertThat(proxy.triggeredCuts()).isEqualTo(1);
                through.atomic(() -> insert(through, 3));
            } finally {
                through.close();
            }
            load.stopAndCheck();
        }
        assertThat(hooks).containsExactly("commit 2");
        assertThat(committedIds()).containsExactly(1, 2, 3);
    }

    @Test
    void commitLostBeforeReachingTheServerIsResolvedAsNotCommittedBehindThePooler() throws Exception {
        try (FaultProxy proxy = FaultProxy.to("127.0.0.1", bouncer.port()); Background load = new Background()) {
            Database through = open(bouncedUrl.replace(":" + bouncer.port() + "/", ":" + proxy.port() + "/"), 1);
            try {
                through.atomic(() -> insert(through, 1));
                Throwable thrown = thrownBy(() -> through.atomic(() -> {
                    insert(through, 2);
                    through.onCommit(() -> hooks.add("commit 2"));
                    through.onRollback(() -> hooks.add("rollback 2"));
                    proxy.cutOnClientBytes("COMMIT", Cut.BEFORE_FORWARD);
                }));
                assertThat(thrown).isExactlyInstanceOf(DatabaseException.class).hasMessageContaining("did not commit");
                through.atomic(() -> insert(through, 3));
            } finally {
                through.close();
            }
            load.stopAndCheck();
        }
        assertThat(hooks).containsExactly("rollback 2");
        assertThat(committedIds()).containsExactly(1, 3);
    }

    /** Two threads of short writing transactions through PgBouncer, so that server connections change hands. */
    private final class Background implements AutoCloseable {
        private final Database other = open(bouncedUrl, 2);
        private final ExecutorService pool = Executors.newFixedThreadPool(2);
        private final AtomicBoolean stop = new AtomicBoolean();
        private final List<Future<?>> futures = new ArrayList<>();
        private final CountDownLatch running = new CountDownLatch(2);

        Background() throws InterruptedException {
            for (int worker = 0; worker < 2; worker++) {
                int base = 1_000_000 * (worker + 1);
                futures.add(pool.submit(() -> {
                    running.countDown();
                    for (int n = 0; n < 100_000 && !stop.get(); n++) {
                        int id = base + n;
                        other.atomic(() -> {
                            insert(other, id);
                            try (Connection connection = other.connection(); Statement statement = connection.createStatement()) {
                                statement.execute("DELETE FROM item WHERE id = " + id);
                            }
                        });
                    }
                    return null;
                }));
            }
            assertThat(running.await(30, TimeUnit.SECONDS)).isTrue();
        }

        void stopAndCheck() throws Exception {
            stop.set(true);
            for (Future<?> future : futures) {
                future.get(60, TimeUnit.SECONDS);
            }
        }

        @Override
        public void close() {
            stop.set(true);
            pool.shutdownNow();
            other.close();
        }
    }

    /**
     * Transfers from 6 threads through PgBouncer while every server connection is killed 5
     * times (pg_terminate_backend, paced by committed transfers): the invariants hold and the
     * figures are reported.
     */
    @Test
    void bankTransfersThroughThePoolerSurviveKilledServerConnections() throws Exception {
        try (Connection connection = DriverManager.getConnection(directUrl)) {
            BankLoad.createSchema(connection);
        }
        db.close();
        db = open(bouncedUrl, 6);
        Database load = db;
        BankLoad bank = new BankLoad(worker -> load, 6, 400, Duration.ofSeconds(60),
                RetryPolicy.transientErrors(5).backoff(Duration.ofMillis(5), Duration.ofMillis(100)), 100);
        ExecutorService injector = Executors.newSingleThreadExecutor();
        int faults = 5;
        AtomicInteger killed = new AtomicInteger();
        try {
            Future<?> faultsDone = injector.submit(() -> {
                for (int fault = 0; fault < faults; fault++) {
                    if (!bank.progress.tryAcquire(60, TimeUnit.SECONDS)) {
                        return null;    // the load ended first
                    }
                    killed.addAndGet(TestDatabase.POSTGRES.killConnections(directUrl));
                }
                return null;
            });
            bank.run();
            faultsDone.get(60, TimeUnit.SECONDS);
        } finally {
            injector.shutdownNow();
        }
        BankLoad.Unknowns unknowns;
        try (Connection connection = DriverManager.getConnection(directUrl)) {
            unknowns = bank.check(connection);
        }
        BankLoad.report("pgbouncer-transaction-mode: " + bank.figures(unknowns) + " faults=" + faults
                + " serverConnectionsKilled=" + killed + " invariants=ok");
        assertThat(bank.committed).isNotEmpty();
        assertThat(killed.get()).as("server connections killed").isPositive();
    }
}
