package io.atomic4j.deployments;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A three-node MariaDB Galera cluster on loopback (Debian packages {@code mariadb-server},
 * {@code galera-4}, {@code rsync}): node 1 bootstraps the cluster, nodes 2 and 3 join it by an
 * rsync state transfer. Every node has its own ports (client, group communication, incremental
 * and full state transfer). A killed node restarted with its data directory recovers its
 * position from InnoDB and rejoins by an incremental state transfer from the others' gcache.
 * Grant tables are skipped, as in the core's MariaDB test server.
 *
 * <p>As root, the servers run as the {@code mysql} user the package creates, their directories
 * handed over to it: the state transfer scripts they start inherit that user. Run as root, the
 * rsync SST's receiving daemon would switch to {@code nobody} (rsyncd's default for a root
 * daemon), be refused the root-owned data files, and the joiner would never get its state.
 */
final class GaleraCluster implements AutoCloseable {
    final List<Node> nodes = new ArrayList<>();
    private final Path directory;

    /** One MariaDB server of the cluster. */
    static final class Node {
        private static final Pattern RECOVERED = Pattern.compile("WSREP: Recovered position: (\\S+)");
        final int index;
        final int port;
        final Path data;
        private final List<String> command;
        private final Path log;
        private LocalProcess process;
        private long logOffset;

        Node(int index, int port, Path data, List<String> command, Path log) {
            this.index = index;
            this.port = port;
            this.data = data;
            this.command = command;
            this.log = log;
        }

        String jdbcUrl(String database) {
            return "jdbc:mariadb://127.0.0.1:" + port + "/" + database + "?user=root";
        }

        void start(boolean bootstrap) {
            try {
                logOffset = Files.exists(log) ? Files.size(log) : 0;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            List<String> arguments = new ArrayList<>(command);
            if (bootstrap) {
                arguments.add("--wsrep-new-cluster");
            } else if (process != null) {
                // After a crash grastate.dat holds no position (seqno -1), and a server started on it asks for a full
                // state transfer (SST). The position is in InnoDB: --wsrep-recover reads it (what the packages'
                // galera_recovery does before a systemd start), and with it the node needs only the missed write sets,
                // by IST from the others' gcache.
                recoveredPosition().ifPresent(position -> arguments.add("--wsrep-start-position=" + position));
            }
            process = LocalProcess.start("mariadbd node " + index, false, log, arguments);
            process.awaitPort(port, 180);
            awaitSynced();
        }

        /** The cluster position InnoDB holds ({@code uuid:seqno}), by a {@code --wsrep-recover} run; empty if it has none. */
        private Optional<String> recoveredPosition() {
            List<String> arguments = new ArrayList<>(command);
            arguments.add("--wsrep-recover");
            Matcher position = RECOVERED.matcher(
                    LocalProcess.run("mariadbd --wsrep-recover (node " + index + ")", false, 180, arguments));
            String found = null;
            while (position.find()) {
                found = position.group(1);
            }
            return Optional.ofNullable(found).filter(p -> !p.endsWith(":-1"));
        }

        /** Whether the node's last start received the cluster's state by an incremental transfer (IST) from gcache. */
        boolean lastStartUsedIst() {
            try {
                byte[] all = Files.readAllBytes(log);
                String sinceStart = new String(all, (int) logOffset, all.length - (int) logOffset, StandardCharsets.UTF_8);
                return sinceStart.contains("IST received");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** SIGKILL to the server (and a state transfer it may be running). */
        void kill() {
            process.killTree();
        }

        boolean isRunning() {
            return process != null && process.isAlive();
        }

        /** Waits (bounded) until the node reports itself Synced with the cluster. */
        void awaitSynced() {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
            while (true) {
                try (Connection connection = DriverManager.getConnection(jdbcUrl(""));
                     Statement statement = connection.createStatement();
                     ResultSet row = statement.executeQuery("SHOW STATUS LIKE 'wsrep_local_state_comment'")) {
                    if (row.next() && "Synced".equals(row.getString(2))) {
                        return;
                    }
                } catch (SQLException starting) {
                    // not accepting connections yet
                }
                if (System.nanoTime() - deadline > 0 || !process.isAlive()) {
                    throw new IllegalStateException("Galera node " + index + " did not reach Synced:\n" + process.logTail());
                }
                LocalProcess.pause(100);
            }
        }
    }

    private GaleraCluster(Path directory) {
        this.directory = directory;
    }

    static GaleraCluster start() throws Exception {
        Path server = LocalProcess.executable("MariaDB", "mariadb-server", "/usr/sbin/mariadbd");
        Path install = LocalProcess.executable("mariadb-install-db", "mariadb-server", "/usr/bin/mariadb-install-db");
        Path provider = LocalProcess.executable("Galera", "galera-4", "/usr/lib/galera/libgalera_smm.so");
        LocalProcess.executable("rsync", "rsync", "/usr/bin/rsync");
        Path directory = LocalProcess.temporaryDirectory("atomic4j-galera-");
        GaleraCluster cluster = new GaleraCluster(directory);
        String user = LocalProcess.ROOT ? "mysql" : System.getProperty("user.name");
        try {
            int[] clientPorts = new int[3];
            int[] groupPorts = new int[3];
            for (int i = 0; i < 3; i++) {
                clientPorts[i] = LocalProcess.freePort();
                groupPorts[i] = LocalProcess.freePort();
            }
            StringBuilder members = new StringBuilder("gcomm://");
            for (int i = 0; i < 3; i++) {
                members.append(i == 0 ? "" : ",").append("127.0.0.1:").append(groupPorts[i]);
            }
            for (int i = 0; i < 3; i++) {
                Path home = directory.resolve("node" + (i + 1));
                Path data = home.resolve("data");
                Files.createDirectories(data);
                LocalProcess.run("mariadb-install-db", false, 180, List.of(install.toString(), "--no-defaults",
                        "--datadir=" + data, "--user=" + System.getProperty("user.name"), "--skip-test-db", "--auth-root-authentication-method=normal"));
                List<String> command = List.of(server.toString(), "--no-defaults", "--user=" + user,
                        "--datadir=" + data, "--port=" + clientPorts[i], "--bind-address=127.0.0.1",
                        "--socket=" + home.resolve("mysqld.sock"), "--pid-file=" + home.resolve("mysqld.pid"),
                        "--skip-grant-tables", "--skip-name-resolve", "--max-connections=200",
                        "--innodb-buffer-pool-size=64M", "--innodb-flush-log-at-trx-commit=2",
                        "--binlog-format=ROW", "--default-storage-engine=InnoDB", "--innodb-autoinc-lock-mode=2",
                        "--wsrep-on=ON", "--wsrep-provider=" + provider, "--wsrep-cluster-name=atomic4j",
                        "--wsrep-cluster-address=" + members, "--wsrep-node-name=node" + (i + 1),
                        "--wsrep-node-address=127.0.0.1:" + groupPorts[i],
                        "--wsrep-node-incoming-address=127.0.0.1:" + clientPorts[i],
                        "--wsrep-provider-options=base_port=" + groupPorts[i] + ";ist.recv_addr=127.0.0.1:"
                                + LocalProcess.freePort() + ";gcache.size=128M",
                        "--wsrep-sst-method=rsync", "--wsrep-sst-receive-address=127.0.0.1:" + LocalProcess.freePort());
                cluster.nodes.add(new Node(i + 1, clientPorts[i], data, command, home.resolve("mariadbd.log")));
            }
            if (LocalProcess.ROOT) {
                LocalProcess.run("chown", false, 60, List.of("chown", "-R", user + ":" + user, directory.toString()));
            }
            cluster.nodes.get(0).start(true);
            cluster.nodes.get(1).start(false);
            cluster.nodes.get(2).start(false);
            return cluster;
        } catch (Exception | Error e) {
            cluster.close();
            throw e;
        }
    }

    @Override
    public void close() {
        for (Node node : nodes) {
            if (node.isRunning()) {
                node.kill();
            }
        }
        LocalProcess.deleteTree(directory);
    }
}
