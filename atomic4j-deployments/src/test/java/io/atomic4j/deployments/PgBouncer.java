package io.atomic4j.deployments;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * PgBouncer (Debian package {@code pgbouncer}, 1.18 on bookworm) in transaction pooling mode on a
 * free loopback port, in front of one PostgreSQL server. Few server connections
 * ({@link #SERVER_CONNECTIONS}) for more clients, so consecutive transactions of one client
 * connection run on different server backends: what the engine must not rely on.
 *
 * <p>PgBouncer before 1.21 does not support protocol-level prepared statements in transaction
 * mode, so {@link #jdbcUrl} sets {@code prepareThreshold=0}: pgjdbc then sends every statement
 * as an unnamed one (parse, bind, execute in one flight), which any PgBouncer forwards correctly.
 * pgjdbc's {@code extra_float_digits} start-up parameter is one PgBouncer does not track, so it is
 * told to ignore it.
 */
final class PgBouncer implements AutoCloseable {
    /** Server connections per database/user pair. */
    static final int SERVER_CONNECTIONS = 3;

    private final Path directory;
    private final int port;
    private final LocalProcess process;

    private PgBouncer(Path directory, int port, LocalProcess process) {
        this.directory = directory;
        this.port = port;
        this.process = process;
    }

    static PgBouncer start(String serverHost, int serverPort) {
        Path binary = LocalProcess.executable("PgBouncer", "pgbouncer", "/usr/sbin/pgbouncer", "/usr/bin/pgbouncer");
        try {
            Path directory = LocalProcess.temporaryDirectory("atomic4j-pgbouncer-");
            int port = LocalProcess.freePort();
            Files.writeString(directory.resolve("users.txt"), "\"postgres\" \"\"\n");
            Files.writeString(directory.resolve("pgbouncer.ini"), String.join("\n",
                    "[databases]",
                    "* = host=" + serverHost + " port=" + serverPort,
                    "[pgbouncer]",
                    "listen_addr = 127.0.0.1",
                    "listen_port = " + port,
                    "unix_socket_dir =",
                    "auth_type = trust",
                    "auth_file = " + directory.resolve("users.txt"),
                    "pool_mode = transaction",
                    "default_pool_size = " + SERVER_CONNECTIONS,
                    "max_client_conn = 200",
                    "ignore_startup_parameters = extra_float_digits",
                    "server_login_retry = 1",
                    "pidfile = " + directory.resolve("pgbouncer.pid"),
                    ""));
            LocalProcess process = LocalProcess.start("pgbouncer", true, directory.resolve("pgbouncer.log"),
                    List.of(binary.toString(), directory.resolve("pgbouncer.ini").toString()));
            PgBouncer bouncer = new PgBouncer(directory, port, process);
            try {
                process.awaitPort(port, 20);
            } catch (RuntimeException e) {
                bouncer.close();
                throw e;
            }
            return bouncer;
        } catch (IOException e) {
            throw new UncheckedIOException("Could not configure PgBouncer", e);
        }
    }

    int port() {
        return port;
    }

    /** {@code serverUrl} (a PostgreSQL URL on any host and port) pointed at this PgBouncer, with {@code prepareThreshold=0}. */
    String jdbcUrl(String serverUrl) {
        String url = serverUrl.replaceFirst("^jdbc:postgresql://[^/]+/", "jdbc:postgresql://127.0.0.1:" + port + "/");
        return url + (url.contains("?") ? "&" : "?") + "prepareThreshold=0";
    }

    String logTail() {
        return process.logTail();
    }

    @Override
    public void close() {
        process.close();
        LocalProcess.deleteTree(directory);
    }
}
