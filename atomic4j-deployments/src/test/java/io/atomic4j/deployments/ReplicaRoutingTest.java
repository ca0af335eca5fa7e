package io.atomic4j.deployments;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.atomic4j.Database;
import io.atomic4j.ReplicaRouting;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * {@link ReplicaRouting} on a real primary and streaming standby ({@link PostgresCluster},
 * asynchronous): read-only blocks on the replica, writes and reads inside write blocks on the
 * primary, read-your-writes while the replica lags, and a replica skipped when it stops
 * streaming, lags beyond the bound or is down. Health is checked on every read here
 * ({@code checkInterval(ZERO)}), so each routing decision follows the state just set up.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReplicaRoutingTest {
    private static PostgresCluster cluster;
    private static Database primary;
    private static Database replica;
    private static ReplicaRouting routing;
    private static HikariDataSource replicaPool;
    private static final ExecutorService otherThread = Executors.newSingleThreadExecutor();

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = PostgresCluster.start(false);
        try (Connection connection = cluster.primary.connect(); Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE item (id INT PRIMARY KEY)");
        }
        primary = Database.builder(cluster.primary.jdbcUrl()).alias("primary").maxPoolSize(2).build();
        // A replica's pool should give up quickly when the replica is down: checks then cost little.
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(cluster.standby.jdbcUrl());
        config.setMaximumPoolSize(2);
        config.setConnectionTimeout(1_000);
        replicaPool = new HikariDataSource(config);
        replica = Database.wrap("replica", replicaPool);
        routing = ReplicaRouting.builder(primary).replica(replica).maxLag(Duration.ofMinutes(5))
                .checkInterval(Duration.ZERO).build();
    }

    @AfterAll
    static void stopCluster() throws InterruptedException {
        if (routing != null) {
            routing.close();
        }
        otherThread.shutdownNow();
        otherThread.awaitTermination(30, TimeUnit.SECONDS);
        for (Database database : new Database[] {primary, replica}) {
            if (database != null) {
                database.close();
            }
        }
        if (replicaPool != null) {
            replicaPool.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    private static boolean onStandby(Database database) throws SQLException {
        return "t".equals(query(database, "SELECT pg_is_in_recovery()"));
    }

    private static String query(Database database, String sql) throws SQLException {
        try (Connection connection = database.connection(); Statement statement = connection.createStatement();
             ResultSet row = statement.executeQuery(sql)) {
            row.next();
            return row.getString(1);
        }
    }

    private static void execute(Database database, String sql) throws SQLException {
        try (Connection connection = database.connection(); Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    @Test
    @Order(1)
    void readOnlyBlocksGoToTheReplicaAndWritesToThePrimary() throws Exception {
        assertThat(otherThread.submit(() -> routing.read(() -> onStandby(routing.current()))).get(60, TimeUnit.SECONDS))
                .as("a read of a thread that wrote nothing").isTrue();
        boolean[] writeOnStandby = new boolean[1];
        boolean[] readInsideWriteOnStandby = new boolean[1];
        routing.write(() -> {
            execute(routing.current(), "INSERT INTO item VALUES (1)");
            writeOnStandby[0] = onStandby(routing.current());
            readInsideWriteOnStandby[0] = routing.read(() -> onStandby(routing.current())
                    || !"1".equals(query(routing.current(), "SELECT count(*) FROM item WHERE id = 1")));
        });
        assertThat(writeOnStandby[0]).isFalse();
        assertThat(readInsideWriteOnStandby[0]).as("a read inside a write block: on the primary, seeing the write").isFalse();
    }

    @Test
    @Order(2)
    void aThreadReadsItsOwnWritesWhileTheReplicaLagsAndTheReplicaAgainOnceItCaughtUp() throws Exception {
        execute(replica, "SELECT pg_wal_replay_pause()");
        try {
            routing.write(() -> execute(routing.current(), "INSERT INTO item VALUES (2)"));

            assertThat(routing.read(() -> onStandby(routing.current()))).as("own write not replayed yet: primary").isFalse();
            assertThat(routing.read(() -> query(routing.current(), "SELECT count(*) FROM item WHERE id = 2"))).isEqualTo("1");
            assertThat(otherThread.submit(() -> routing.read(() -> onStandby(routing.current())
                    && "0".equals(query(routing.current(), "SELECT count(*) FROM item WHERE id = 2")))).get(60, TimeUnit.SECONDS))
                    .as("another thread still reads the lagging replica").isTrue();
        } finally {
            execute(replica, "SELECT pg_wal_replay_resume()");
        }
        cluster.awaitStandbyCaughtUp();

        assertThat(routing.read(() -> onStandby(routing.current())
                && "1".equals(query(routing.current(), "SELECT count(*) FROM item WHERE id = 2"))))
                .as("caught up: the replica again, with the write").isTrue();
    }

    @Test
    @Order(3)
    void aReplicaFurtherBehindThanTheBoundIsSkipped() throws Exception {
        ReplicaRouting strict = ReplicaRouting.builder(primary).replica(replica).maxLag(Duration.ZERO)
                .checkInterval(Duration.ZERO).build();
        execute(primary, "INSERT INTO item VALUES (3)");
        cluster.awaitStandbyCaughtUp();
        execute(replica, "SELECT pg_wal_replay_pause()");
        try {
            execute(primary, "INSERT INTO item VALUES (4)");
            awaitReceived();
            assertThat(otherThread.submit(() -> strict.read(() -> onStandby(strict.current()))).get(60, TimeUnit.SECONDS))
                    .as("received but not replayed: behind the zero bound").isFalse();
        } finally {
            execute(replica, "SELECT pg_wal_replay_resume()");
        }
        cluster.awaitStandbyCaughtUp();
    }

    /** Waits (bounded) until the standby has received the primary's WAL up to the primary's current position. */
    private static void awaitReceived() throws SQLException {
        String target = cluster.primary.query("SELECT pg_current_wal_lsn()::text");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!"t".equals(cluster.standby.query("SELECT pg_last_wal_receive_lsn() >= '" + target + "'::pg_lsn"))) {
            assertThat(System.nanoTime() - deadline).as("standby received the WAL within 60 s").isNegative();
            LocalProcess.pause(20);
        }
    }

    @Test
    @Order(4)
    void aReplicaThatStoppedStreamingIsSkippedUntilItStreamsAgain() throws Exception {
        cluster.replicationLink.refuseNew(true);
        cluster.replicationLink.cutAll();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!"0".equals(cluster.standby.query("SELECT count(*) FROM pg_stat_wal_receiver WHERE status = 'streaming'"))) {
            assertThat(System.nanoTime() - deadline).as("the standby noticed within 60 s").isNegative();
            LocalProcess.pause(20);
        }
        assertThat(otherThread.submit(() -> routing.read(() -> onStandby(routing.current()))).get(60, TimeUnit.SECONDS))
                .as("not streaming: primary").isFalse();

        cluster.replicationLink.refuseNew(false);
        cluster.awaitStreaming();
        assertThat(otherThread.submit(() -> routing.read(() -> onStandby(routing.current()))).get(60, TimeUnit.SECONDS))
                .as("streaming again: replica").isTrue();
    }

    /** With background checks (the default way): once the check has seen it down, reads go to the primary. */
    @Test
    @Order(5)
    void aReplicaThatIsDownIsSkipped() throws Exception {
        try (ReplicaRouting checked = ReplicaRouting.builder(primary).replica(replica).checkInterval(Duration.ofMillis(50))
                .build()) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (otherThread.submit(() -> checked.forRead()).get(60, TimeUnit.SECONDS) != replica) {
                assertThat(System.nanoTime() - deadline).as("replica checked healthy within 60 s").isNegative();
                LocalProcess.pause(20);
            }
            cluster.standby.kill();
            while (otherThread.submit(() -> checked.forRead()).get(60, TimeUnit.SECONDS) != primary) {
                assertThat(System.nanoTime() - deadline).as("replica seen down within 60 s").isNegative();
                LocalProcess.pause(20);
            }
            assertThat(otherThread.submit(() -> checked.read(() -> query(checked.current(), "SELECT count(*) FROM item")))
                    .get(60, TimeUnit.SECONDS)).as("answered by the primary").isEqualTo("4");
        }
    }
}
