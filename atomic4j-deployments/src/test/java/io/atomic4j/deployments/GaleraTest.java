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
import org.junit.jupiter.api.Test;

/**
 * Bank transfers written on all three nodes of a MariaDB Galera cluster at once: transfers on
 * different nodes touching the same account conflict at certification, which the writer sees at
 * COMMIT as a deadlock (1213, SQLSTATE 40001) and {@code RetryPolicy.transientErrors} re-runs.
 * Node 3 is killed mid-run and restarted (it rejoins by a state transfer) while the load goes on.
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
            int[] faults = new int[2];
            Future<?> faultsDone = injector.submit(() -> {
                if (bank.progress.tryAcquire(3, 120, TimeUnit.SECONDS)) {
                    cluster.nodes.get(2).kill();
                    faults[0]++;
                    if (bank.progress.tryAcquire(3, 120, TimeUnit.SECONDS)) {
                        cluster.nodes.get(2).start(false);
                        faults[1]++;
                    }
                }
                return null;
            });
            bank.run();
            faultsDone.get(300, TimeUnit.SECONDS);
            if (!cluster.nodes.get(2).isRunning()) {
                cluster.nodes.get(2).start(false);      // the load ended before the restart: rejoin for the checks
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
            BankLoad.report("galera-3-nodes: " + bank.figures(unknowns) + " nodeKills=" + faults[0] + " nodeRestarts="
                    + faults[1] + " certificationFailures=" + (after[0] - before[0]) + " bruteForceAborts="
                    + (after[1] - before[1]) + " invariants=ok allNodesEqual=ok");
            assertThat(faults[0]).as("node killed while the load ran").isOne();
            assertThat(bank.committed).isNotEmpty();
        } finally {
            injector.shutdownNow();
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
