package io.atomic4j.deployments;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.atomic4j.CommitOutcomeUnknownException;
import io.atomic4j.Database;
import io.atomic4j.DatabaseException;
import io.atomic4j.RetryPolicy;
import io.atomic4j.testing.FaultProxy;
import io.atomic4j.testing.FaultProxy.Cut;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A PostgreSQL primary and streaming standby ({@link PostgresCluster}); the primary is killed
 * (SIGKILL to every process of it) and the standby promoted. The client uses pgjdbc's multi-host
 * URL with {@code targetServerType=primary}, so new connections find whichever server is primary.
 *
 * <p>The deterministic tests lose one COMMIT at the failover (a {@link FaultProxy} in front of
 * each server cuts the client's connection and keeps the pool out until the standby is promoted
 * and has handed out transaction ids of its own), then check what atomic4j answered:
 * committed or not only when that is certain, otherwise {@link CommitOutcomeUnknownException}.
 * The load tests run bank transfers across a failover and check the invariants.
 */
class FailoverTest {
    private PostgresCluster cluster;
    private FaultProxy toPrimary;
    private FaultProxy toStandby;
    private HikariDataSource pool;
    private Database db;
    private final List<String> hooks = new CopyOnWriteArrayList<>();
    private final ExecutorService background = Executors.newSingleThreadExecutor();

    @AfterEach
    void stopEverything() throws InterruptedException {
        background.shutdownNow();
        assertThat(background.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
        if (db != null) {
            db.close();
        }
        if (pool != null) {
            pool.close();
        }
        for (FaultProxy proxy : new FaultProxy[] {toPrimary, toStandby}) {
            if (proxy != null) {
                proxy.close();
            }
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    private static String multiHostUrl(int firstPort, int secondPort) {
        // hostRecheckSeconds=1: pgjdbc remembers for that long that a host was a standby; the default 10 s would
        // keep the promoted one out of reach after the failover.
        return "jdbc:postgresql://127.0.0.1:" + firstPort + ",127.0.0.1:" + secondPort + "/postgres?user=postgres"
                + "&targetServerType=primary&hostRecheckSeconds=1&connectTimeout=5&socketTimeout=60&prepareThreshold=0";
    }

    private Database openThroughProxies(boolean synchronous) throws Exception {
        cluster = PostgresCluster.start(synchronous);
        try (Connection connection = cluster.primary.connect(); Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE item (id INT PRIMARY KEY, name VARCHAR(50))");
            statement.execute("CREATE TABLE filler (id SERIAL PRIMARY KEY)");
        }
        toPrimary = FaultProxy.to("127.0.0.1", cluster.primary.port);
        toStandby = FaultProxy.to("127.0.0.1", cluster.standby.port);
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(multiHostUrl(toPrimary.port(), toStandby.port()));
        config.setMaximumPoolSize(1);
        config.setConnectionTimeout(90_000);      // resolving waits for the promoted standby
        pool = new HikariDataSource(config);
        db = Database.wrap("bank", pool);
        return db;
    }

    private void insert(int id) throws SQLException {
        try (Connection connection = db.connection();
             PreparedStatement statement = connection.prepareStatement("INSERT INTO item (id, name) VALUES (?, ?)")) {
            statement.setInt(1, id);
            statement.setString(2, "item " + id);
            statement.executeUpdate();
        }
        db.onCommit(() -> hooks.add("commit " + id));
        db.onRollback(() -> hooks.add("rollback " + id));
    }

    private String currentXid() throws SQLException {
        try (Connection connection = db.connection(); Statement statement = connection.createStatement();
             ResultSet row = statement.executeQuery("SELECT pg_current_xact_id()::text")) {
            row.next();
            return row.getString(1);
        }
    }

    /**
     * Runs a block writing row 2 whose COMMIT is cut as {@code cut} says, in the background; once
     * cut, waits for {@code beforeKill}, kills the primary, promotes the standby, runs 50
     * transactions there (taking ids the lost transaction may have had) and only then lets the
     * pool reach the new primary. Returns what the block threw (null when it returned normally)
     * and the lost transaction's id.
     */
    private LostCommit loseCommitAtFailover(Cut cut, Step beforeKill) throws Exception {
        AtomicReference<String> xid = new AtomicReference<>();
        CountDownLatch armed = new CountDownLatch(1);
        Future<Throwable> block = background.submit(() -> {
            try {
                db.atomic(() -> {
                    insert(2);
                    xid.set(currentXid());
                    toPrimary.cutOnClientBytes("COMMIT", cut);
                    // Until the failover is over, nobody reaches either server: resolving has to wait for it.
                    toPrimary.refuseNew(true);
                    toStandby.refuseNew(true);
                    armed.countDown();
                });
                return null;
            } catch (Throwable thrown) {
                return thrown;
            }
        });
        assertThat(armed.await(60, TimeUnit.SECONDS)).as("COMMIT about to be sent").isTrue();
        assertThat(toPrimary.awaitTriggeredCut(Duration.ofSeconds(60))).as("COMMIT cut").isTrue();
        beforeKill.run();
        cluster.primary.kill();
        cluster.promoteStandby();
        try (Connection connection = cluster.standby.connect(); Statement statement = connection.createStatement()) {
            for (int i = 0; i < 50; i++) {
                statement.execute("INSERT INTO filler DEFAULT VALUES");
            }
        }
        toStandby.refuseNew(false);
        return new LostCommit(block.get(180, TimeUnit.SECONDS), xid.get());
    }

    record LostCommit(Throwable thrown, String xid) {
    }

    interface Step {
        void run() throws Exception;
    }

    private boolean presentOnNewPrimary(int id) throws SQLException {
        return "1".equals(cluster.standby.query("SELECT count(*) FROM item WHERE id = " + id));
    }

    private String statusOnNewPrimary(String xid) throws SQLException {
        return cluster.standby.query("SELECT pg_xact_status('" + xid + "'::xid8)");
    }

    /**
     * The dangerous case: replication was cut before the transaction wrote, so the new primary
     * never saw its id and handed the same id to one of its own transactions. Asking
     * pg_xact_status there would answer "committed" for a transaction that is absent.
     */
    @Test
    void asyncFailoverAfterReplicationStoppedReportsTheLostCommitUnknownThoughItsIdWasReused() throws Exception {
        openThroughProxies(false);
        db.atomic(() -> insert(1));
        cluster.awaitStandbyCaughtUp();
        cluster.replicationLink.refuseNew(true);
        cluster.replicationLink.cutAll();

        LostCommit lost = loseCommitAtFailover(Cut.AFTER_FORWARD, () -> { });

        assertThat(lost.thrown()).isInstanceOf(CommitOutcomeUnknownException.class);
        assertThat(hooks).containsExactly("commit 1");
        assertThat(presentOnNewPrimary(2)).as("the old primary's commit never reached the new one").isFalse();
        assertThat(statusOnNewPrimary(lost.xid())).as("the id, reused on the new primary, reads as another's commit")
                .isEqualTo("committed");
        BankLoad.report("failover-async-replication-cut: lost COMMIT (committed on the old primary, absent on the new, id "
                + "reused) reported unknown=1 resolved=0");
    }

    /** Even when this transaction did reach the standby, asynchronous replication gives no such promise: unknown. */
    @Test
    void asyncFailoverReportsALostCommitUnknownEvenWhenItReachedTheStandby() throws Exception {
        openThroughProxies(false);
        db.atomic(() -> insert(1));

        LostCommit lost = loseCommitAtFailover(Cut.AFTER_FORWARD, cluster::awaitStandbyCaughtUp);

        assertThat(lost.thrown()).isInstanceOf(CommitOutcomeUnknownException.class);
        assertThat(hooks).containsExactly("commit 1");
        assertThat(presentOnNewPrimary(2)).isTrue();
        BankLoad.report("failover-async-replicated: lost COMMIT (present on the new primary) reported unknown=1 resolved=0");
    }

    /** Synchronous replication: the COMMIT returned only once the standby had it, and the answer there is certain. */
    @Test
    void syncFailoverResolvesACommitThatReachedTheServerAsCommitted() throws Exception {
        openThroughProxies(true);
        db.atomic(() -> insert(1));

        LostCommit lost = loseCommitAtFailover(Cut.AFTER_FORWARD, () -> { });

        assertThat(lost.thrown()).isNull();
        assertThat(hooks).containsExactly("commit 1", "commit 2");
        assertThat(presentOnNewPrimary(2)).isTrue();
        assertThat(statusOnNewPrimary(lost.xid())).isEqualTo("committed");
        BankLoad.report("failover-sync-committed: lost COMMIT resolved committed=1 unknown=0");
    }

    @Test
    void syncFailoverResolvesACommitThatNeverReachedTheServerAsNotCommitted() throws Exception {
        openThroughProxies(true);
        db.atomic(() -> insert(1));

        LostCommit lost = loseCommitAtFailover(Cut.BEFORE_FORWARD, cluster::awaitStandbyCaughtUp);

        assertThat(lost.thrown()).isExactlyInstanceOf(DatabaseException.class).hasMessageContaining("did not commit");
        assertThat(hooks).containsExactly("commit 1", "rollback 2");
        assertThat(presentOnNewPrimary(2)).isFalse();
        BankLoad.report("failover-sync-not-committed: lost COMMIT resolved not-committed=1 unknown=0");
    }

    /**
     * No failover, a crash: the primary dies before its WAL writer wrote the lost transaction's
     * records out, so after crash recovery (same timeline) the server has no trace of the id and
     * hands it out again. Beyond the failover case, the same rule keeps this one unknown.
     */
    @Test
    void crashThatLostTheTransactionsWalReportsTheLostCommitUnknownThoughItsIdWasReused() throws Exception {
        cluster = PostgresCluster.start(false, "wal_writer_delay = '10s'\nwal_writer_flush_after = 0");
        cluster.standby.kill();
        try (Connection connection = cluster.primary.connect(); Statement statement = connection.createStatement()) {
            statement.execute("SELECT pg_drop_replication_slot('standby')");
            statement.execute("CREATE TABLE item (id INT PRIMARY KEY, name VARCHAR(50))");
            statement.execute("CREATE TABLE filler (id SERIAL PRIMARY KEY)");
        }
        toPrimary = FaultProxy.to("127.0.0.1", cluster.primary.port);
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl("jdbc:postgresql://127.0.0.1:" + toPrimary.port() + "/postgres?user=postgres&prepareThreshold=0");
        config.setMaximumPoolSize(1);
        config.setConnectionTimeout(90_000);
        pool = new HikariDataSource(config);
        db = Database.wrap("bank", pool);
        db.atomic(() -> insert(1));

        AtomicReference<String> xid = new AtomicReference<>();
        CountDownLatch armed = new CountDownLatch(1);
        Future<Throwable> block = background.submit(() -> {
            try {
                db.atomic(() -> {
                    insert(2);
                    xid.set(currentXid());
                    toPrimary.cutOnClientBytes("COMMIT", Cut.BEFORE_FORWARD);
                    toPrimary.refuseNew(true);
                    armed.countDown();
                });
                return null;
            } catch (Throwable thrown) {
                return thrown;
            }
        });
        assertThat(armed.await(60, TimeUnit.SECONDS)).isTrue();
        assertThat(toPrimary.awaitTriggeredCut(Duration.ofSeconds(60))).isTrue();
        cluster.primary.kill();
        cluster.restartPrimary();
        try (Connection connection = cluster.primary.connect(); Statement statement = connection.createStatement()) {
            for (int i = 0; i < 50; i++) {
                statement.execute("INSERT INTO filler DEFAULT VALUES");
            }
        }
        toPrimary.refuseNew(false);
        Throwable thrown = block.get(180, TimeUnit.SECONDS);

        assertThat(thrown).isInstanceOf(CommitOutcomeUnknownException.class);
        assertThat(hooks).containsExactly("commit 1");
        assertThat(cluster.primary.query("SELECT count(*) FROM item WHERE id = 2")).isEqualTo("0");
        assertThat(cluster.primary.query("SELECT pg_xact_status('" + xid.get() + "'::xid8)"))
                .as("the id, handed out again after the crash, reads as another's commit").isEqualTo("committed");
        BankLoad.report("crash-lost-wal: lost COMMIT (absent, id reused after crash recovery) reported unknown=1 resolved=0");
    }

    @Test
    void bankTransfersAcrossAnAsynchronousFailover() throws Exception {
        bankTransfersAcrossAFailover(false);
    }

    @Test
    void bankTransfersAcrossASynchronousFailover() throws Exception {
        bankTransfersAcrossAFailover(true);
    }

    /**
     * Four threads of transfers over the multi-host URL; after 400 commits the primary is killed
     * and the standby promoted while they run. Transfers in flight are retried when nothing can
     * have committed; a lost COMMIT is resolved or reported unknown.
     */
    private void bankTransfersAcrossAFailover(boolean synchronous) throws Exception {
        cluster = PostgresCluster.start(synchronous);
        try (Connection connection = cluster.primary.connect()) {
            BankLoad.createSchema(connection);
        }
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(multiHostUrl(cluster.primary.port, cluster.standby.port));
        config.setMaximumPoolSize(4);
        config.setConnectionTimeout(30_000);
        pool = new HikariDataSource(config);
        db = Database.wrap("bank", pool);
        Database load = db;
        BankLoad bank = new BankLoad(worker -> load, 4, 1_500, Duration.ofSeconds(40),
                RetryPolicy.transientErrors(8).backoff(Duration.ofMillis(20), Duration.ofSeconds(1)), 200);
        AtomicInteger failovers = new AtomicInteger();
        long[] failedOverAt = new long[1];
        long[] promotionMillis = new long[1];
        Future<?> failover = background.submit(() -> {
            if (bank.progress.tryAcquire(2, 60, TimeUnit.SECONDS)) {
                cluster.primary.kill();
                failedOverAt[0] = System.nanoTime();      // from here on, a commit can only come from the new primary
                cluster.promoteStandby();
                promotionMillis[0] = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - failedOverAt[0]);
                failovers.incrementAndGet();
            }
            return null;
        });
        bank.run();
        failover.get(120, TimeUnit.SECONDS);
        assertThat(failovers).as("failover injected while the load ran").hasValue(1);

        BankLoad.Unknowns unknowns;
        try (Connection connection = cluster.standby.connect()) {
            // Asynchronous replication may lose what the old primary acknowledged but had not yet sent (PostgreSQL's
            // documented trade-off, not atomic4j's): counted and reported, not failed on.
            unknowns = bank.check(connection, !synchronous);
        }
        long firstCommit = bank.millisToFirstCommitAfter(failedOverAt[0]);
        BankLoad.report("failover-" + (synchronous ? "sync" : "async") + "-bank-load: " + bank.figures(unknowns)
                + " faults=1 failovers=" + failovers + " promotionMs=" + promotionMillis[0] + " failoverToFirstCommitMs=" + firstCommit + " invariants=ok");
        assertThat(firstCommit).as("a transfer committed on the new primary").isNotNegative();
    }
}
