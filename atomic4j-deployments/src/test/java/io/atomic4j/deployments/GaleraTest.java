package io.atomic4j.deployments;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.atomic4j.Database;
import io.atomic4j.RetryPolicy;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Bank transfers written on all three nodes of a MariaDB Galera cluster at once: transfers on
 * different nodes touching the same account conflict at certification, which the writer sees at
 * COMMIT as a deadlock (1213, SQLSTATE 40001) and {@code RetryPolicy.transientErrors} re-runs.
 * Node 3 is killed (SIGKILL) mid-run and restarted with its own data directory; it rejoins by an
 * incremental state transfer from the others' gcache, usually while the load still runs.
 */
class GaleraTest {
    @Test
    void bankTransfersOnAllThreeNodesSurviveCertificationConflictsAndAKilledNode() throws Exception {
        List<HikariDataSource> pools = new ArrayList<>();
        List<Database> nodes = new ArrayList<>();
        ExecutorService injector = Executors.newSingleThreadExecutor();
        try (GaleraCluster cluster = GaleraCluster.start()) {
            try (Connection connection = DriverManager.getConnection(cluster.nodes.get(0).jdbcUrl(""));
                 Statement statement = connection.createStatement()) {
                statement.execute("CREATE DATABASE bank");
            }
            try (Connection connection = DriverManager.getConnection(cluster.nodes.get(0).jdbcUrl("bank"))) {
                BankLoad.createSchema(connection);
            }
            for (GaleraCluster.Node node : cluster.nodes) {
                HikariConfig config = new HikariConfig();
                config.setJdbcUrl(node.jdbcUrl("bank"));
                config.setMaximumPoolSize(2);
                config.setConnectionTimeout(2_000);     // a worker of a dead node fails fast instead of hanging
                config.setInitializationFailTimeout(-1);
                HikariDataSource pool = new HikariDataSource(config);
                pools.add(pool);
                nodes.add(Database.wrap("node" + node.index, pool));
            }
            long[] before = certificationCounters(cluster);
            BankLoad bank = new BankLoad(worker -> nodes.get(worker % 3), 6, 500, Duration.ofSeconds(90),
                    RetryPolicy.transientErrors(10).backoff(Duration.ofMillis(5), Duration.ofMillis(500)), 100);
            GaleraCluster.Node victim = cluster.nodes.get(2);
            AtomicBoolean loadRunning = new AtomicBoolean(true);
            // Written by the injector, read after faultsDone.get(): [killed, killed during the load, restarted,
            // restarted during the load, kill time (System.nanoTime), restart time to Synced (ms)].
            long[] faults = new long[6];
            AtomicBoolean ist = new AtomicBoolean();
            Future<?> faultsDone = injector.submit(() -> {
                if (bank.progress.tryAcquire(3, 120, TimeUnit.SECONDS)) {
                    faults[4] = System.nanoTime();
                    victim.kill();
                    faults[0] = 1;
                    faults[1] = loadRunning.get() ? 1 : 0;
                    if (bank.progress.tryAcquire(3, 120, TimeUnit.SECONDS)) {
                        long restart = System.nanoTime();
                        victim.start(false);
                        faults[2] = 1;
                        faults[3] = loadRunning.get() ? 1 : 0;
                        faults[5] = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - restart);
                        ist.set(victim.lastStartUsedIst());
                    }
                }
                return null;
            });
            try {
                bank.run();
            } finally {
                loadRunning.set(false);
                bank.progress.release(1_000);       // an injector still waiting for progress goes on at once
            }
            faultsDone.get(400, TimeUnit.SECONDS);
            if (!victim.isRunning()) {
                victim.start(false);                // the load ended before the restart: rejoin for the checks
            }

            BankLoad.Unknowns unknowns;
            try (Connection connection = syncedConnection(cluster.nodes.get(0))) {
                unknowns = bank.check(connection);
            }
            String reference = totals(cluster.nodes.get(0));
            for (GaleraCluster.Node node : cluster.nodes) {
                assertThat(totals(node)).as("node %d holds what node 1 holds", node.index).isEqualTo(reference);
            }
            long[] after = certificationCounters(cluster);
            BankLoad.report("galera-3-nodes: " + bank.figures(unknowns) + " conflictReruns=" + (bank.blockRuns() - bank.attempted())
                    + " certificationFailures=" + (after[0] - before[0]) + " bruteForceAborts=" + (after[1] - before[1])
                    + " nodeKills=" + faults[0] + " (during load " + faults[1] + ") killToFirstCommitMs="
                    + bank.millisToFirstCommitAfter(faults[4]) + " nodeRestarts=" + faults[2] + " (during load "
                    + faults[3] + ", Synced again in " + faults[5] + " ms, by " + (ist.get() ? "IST" : "SST") + ") invariants=ok allNodesEqual=ok");
            assertThat(faults[1]).as("node 3 killed while the load ran").isOne();
            assertThat(bank.committed).isNotEmpty();
        } finally {
            injector.shutdownNow();
            nodes.forEach(Database::close);
            pools.forEach(HikariDataSource::close);
        }
    }

    /** A connection whose reads wait until the node has applied everything the cluster committed before them. */
    private static Connection syncedConnection(GaleraCluster.Node node) throws SQLException {
        Connection connection = DriverManager.getConnection(node.jdbcUrl("bank"));
        try (Statement statement = connection.createStatement()) {
            statement.execute("SET SESSION wsrep_sync_wait = 1");
        }
        return connection;
    }

    private static String totals(GaleraCluster.Node node) throws SQLException {
        try (Connection connection = syncedConnection(node); Statement statement = connection.createStatement();
             ResultSet row = statement.executeQuery("SELECT (SELECT SUM(balance) FROM account), (SELECT COUNT(*) FROM transfer),"
                     + " (SELECT COALESCE(SUM(id), 0) FROM transfer)")) {
            row.next();
            return "balance " + row.getLong(1) + ", transfers " + row.getLong(2) + ", id sum " + row.getLong(3);
        }
    }

    /** Certification failures and brute-force aborts, summed over the running nodes. */
    private static long[] certificationCounters(GaleraCluster cluster) throws SQLException {
        long[] counters = new long[2];
        for (GaleraCluster.Node node : cluster.nodes) {
            try (Connection connection = DriverManager.getConnection(node.jdbcUrl("")); Statement statement = connection.createStatement();
                 ResultSet rows = statement.executeQuery("SHOW GLOBAL STATUS WHERE Variable_name IN "
                         + "('wsrep_local_cert_failures', 'wsrep_local_bf_aborts')")) {
                while (rows.next()) {
                    counters["wsrep_local_cert_failures".equals(rows.getString(1)) ? 0 : 1] += rows.getLong(2);
                }
            }
        }
        return counters;
    }
}
