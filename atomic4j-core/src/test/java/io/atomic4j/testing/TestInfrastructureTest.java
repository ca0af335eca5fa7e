package io.atomic4j.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Proves the shared test infrastructure: the four databases, the fault proxy, server control. */
class TestInfrastructureTest {

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void everyDatabaseAnswersSelectOne(TestDatabase db) throws SQLException {
        try (Connection connection = db.newPlainDataSource().getConnection()) {
            assertThat(queryInt(connection, "SELECT 1")).isEqualTo(1);
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void newDatabaseUrlGivesAnEmptyDatabase(TestDatabase db) throws SQLException {
        String first = db.newDatabaseUrl("Infra-Empty");
        try (Connection connection = db.newPlainDataSource(first).getConnection()) {
            assertThat(userTables(connection)).isEmpty();
            execute(connection, "CREATE TABLE only_here (id INT PRIMARY KEY)");
            assertThat(userTables(connection)).containsExactly("only_here");
        }
        String second = db.newDatabaseUrl("Infra-Empty");
        assertThat(second).isNotEqualTo(first);
        try (Connection connection = db.newPlainDataSource(second).getConnection()) {
            assertThat(userTables(connection)).isEmpty();
        }
    }

    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = {"POSTGRES", "MARIADB"})
    void serversAllowManyConnections(TestDatabase db) throws SQLException {
        String sql = db == TestDatabase.POSTGRES ? "SELECT current_setting('max_connections')::int" : "SELECT @@max_connections";
        try (Connection connection = db.newPlainDataSource().getConnection()) {
            assertThat(queryInt(connection, sql)).isGreaterThanOrEqualTo(200);
        }
    }

    @Test
    void postgresCommitsDurablyUnlessToldOtherwise() throws SQLException {
        String expected = "false".equals(System.getProperty(PostgresServer.DURABLE_PROPERTY)) ? "off" : "on";
        try (Connection connection = TestDatabase.POSTGRES.newPlainDataSource().getConnection()) {
            assertThat(queryString(connection, "SHOW fsync")).isEqualTo(expected);
            assertThat(queryString(connection, "SHOW synchronous_commit")).isEqualTo(expected);
        }
    }

    @Test
    void sqliteWaitsForLocksAndUsesWal() throws SQLException {
        try (Connection connection = TestDatabase.SQLITE.newPlainDataSource().getConnection()) {
            assertThat(queryInt(connection, "PRAGMA busy_timeout")).isEqualTo(SqliteFiles.BUSY_TIMEOUT_MILLIS);
            assertThat(queryString(connection, "PRAGMA journal_mode")).isEqualToIgnoringCase("wal");
            assertThat(queryInt(connection, "PRAGMA foreign_keys")).isEqualTo(1);
        }
    }

    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = {"POSTGRES", "MARIADB"})
    void proxyPassesTrafficAndCutAllBreaksTheNextStatement(TestDatabase db) throws SQLException {
        try (FaultProxy proxy = db.newFaultProxy()) {
            Connection connection = DriverManager.getConnection(db.jdbcUrlThrough(proxy));
            try {
                assertThat(queryInt(connection, "SELECT 41 + 1")).isEqualTo(42);
                assertThat(proxy.connections()).isEqualTo(1);
                assertThat(proxy.openConnections()).isEqualTo(1);

                assertThat(proxy.cutAll()).isEqualTo(1);

                assertConnectionFailure(() -> queryInt(connection, "SELECT 1"));
                assertThat(proxy.cuts()).isEqualTo(1);
                try (Connection again = DriverManager.getConnection(db.jdbcUrlThrough(proxy))) {
                    assertThat(queryInt(again, "SELECT 1")).isEqualTo(1);
                }
            } finally {
                closeBroken(connection);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = {"POSTGRES", "MARIADB"})
    void commitCutAfterForwardIsCommittedThoughTheClientSawAnError(TestDatabase db) throws Exception {
        String url = db.newDatabaseUrl("infra_commit_after");
        try (Connection direct = db.newPlainDataSource(url).getConnection()) {
            execute(direct, "CREATE TABLE t (id INT PRIMARY KEY)");
        }
        try (FaultProxy proxy = db.newFaultProxy()) {
            Connection connection = DriverManager.getConnection(db.jdbcUrlThrough(url, proxy));
            try {
                connection.setAutoCommit(false);
                // More commits than pgjdbc's prepareThreshold: COMMIT must still travel as text.
                for (int id = 1; id <= 7; id++) {
                    execute(connection, "INSERT INTO t VALUES (" + id + ")");
                    connection.commit();
                }
                execute(connection, "INSERT INTO t VALUES (100)");
                proxy.cutOnClientBytes("COMMIT", FaultProxy.Cut.AFTER_FORWARD);

                assertConnectionFailure(connection::commit);

                assertThat(proxy.awaitTriggeredCut(Duration.ofSeconds(10))).isTrue();
                assertThat(proxy.triggeredCuts()).isEqualTo(1);
            } finally {
                closeBroken(connection);
            }
        }
        try (Connection direct = db.newPlainDataSource(url).getConnection()) {
            assertThat(queryInt(direct, "SELECT count(*) FROM t WHERE id = 100")).isEqualTo(1);
        }
    }

    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = {"POSTGRES", "MARIADB"})
    void statementCutBeforeForwardNeverReachesTheServer(TestDatabase db) throws Exception {
        String url = db.newDatabaseUrl("infra_before");
        try (Connection direct = db.newPlainDataSource(url).getConnection()) {
            execute(direct, "CREATE TABLE t (id INT PRIMARY KEY)");
        }
        try (FaultProxy proxy = db.newFaultProxy()) {
            Connection connection = DriverManager.getConnection(db.jdbcUrlThrough(url, proxy));
            try {
                proxy.cutOnClientBytes("VALUES (200)", FaultProxy.Cut.BEFORE_FORWARD);
                execute(connection, "INSERT INTO t VALUES (199)"); // not the marker: passes

                assertConnectionFailure(() -> execute(connection, "INSERT INTO t VALUES (200)"));

                assertThat(proxy.triggeredCuts()).isEqualTo(1);
            } finally {
                closeBroken(connection);
            }
        }
        try (Connection direct = db.newPlainDataSource(url).getConnection()) {
            assertThat(queryInt(direct, "SELECT count(*) FROM t")).isEqualTo(1);
            assertThat(queryInt(direct, "SELECT max(id) FROM t")).isEqualTo(199);
        }
    }

    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = {"POSTGRES", "MARIADB"})
    void refusedConnectionsFailToConnect(TestDatabase db) throws SQLException {
        try (FaultProxy proxy = db.newFaultProxy()) {
            proxy.refuseNew(true);
            assertConnectionFailure(() -> DriverManager.getConnection(db.jdbcUrlThrough(proxy)).close());
            assertThat(proxy.refusedConnections()).isEqualTo(1);

            proxy.refuseNew(false);
            try (Connection connection = DriverManager.getConnection(db.jdbcUrlThrough(proxy))) {
                assertThat(queryInt(connection, "SELECT 1")).isEqualTo(1);
            }
        }
    }

    @Test
    void markerSplitAcrossReadsIsFoundAndTheRestIsNotForwarded() throws Exception {
        try (ServerSocket echoListener = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"));
             FaultProxy proxy = FaultProxy.to("127.0.0.1", echoListener.getLocalPort());
             Socket client = new Socket("127.0.0.1", proxy.port())) {
            proxy.cutOnClientBytes("COMMIT", FaultProxy.Cut.BEFORE_FORWARD);
            try (Socket echo = echoListener.accept()) {
                OutputStream toProxy = client.getOutputStream();
                InputStream fromProxy = client.getInputStream();
                // Waiting for the echo guarantees that the proxy read "xCOM" on its own.
                toProxy.write("xCOM".getBytes(StandardCharsets.US_ASCII));
                echoBack(echo, 4);
                assertThat(new String(fromProxy.readNBytes(4), StandardCharsets.US_ASCII)).isEqualTo("xCOM");

                toProxy.write("MIT;".getBytes(StandardCharsets.US_ASCII));

                assertThat(echo.getInputStream().read()).as("server side sees the end of the stream").isEqualTo(-1);
                assertThatThrownBy(() -> fromProxy.read()).isInstanceOf(IOException.class).hasMessageContaining("reset");
                assertThat(proxy.triggeredCuts()).isEqualTo(1);
            }
        }
    }

    @Test
    void closeStopsEveryProxyThread() throws Exception {
        TestDatabase db = TestDatabase.POSTGRES;
        String prefix;
        List<Connection> open = new ArrayList<>();
        try (FaultProxy proxy = db.newFaultProxy()) {
            prefix = "fault-proxy-" + proxy.port() + "-";
            for (int i = 0; i < 3; i++) {
                open.add(DriverManager.getConnection(db.jdbcUrlThrough(proxy)));
            }
            assertThat(proxyThreads(prefix)).hasSize(1 + 2 * 3);
        } finally {
            for (Connection connection : open) {
                closeBroken(connection);
            }
        }
        assertThat(proxyThreads(prefix)).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = {"POSTGRES", "MARIADB"})
    void killConnectionsBreaksEveryOtherSessionOfTheDatabase(TestDatabase db) throws SQLException {
        String url = db.newDatabaseUrl("infra_kill");
        Connection first = db.newPlainDataSource(url).getConnection();
        Connection second = db.newPlainDataSource(url).getConnection();
        try (Connection elsewhere = db.newPlainDataSource().getConnection()) {
            assertThat(queryInt(first, "SELECT 1") + queryInt(second, "SELECT 1")).isEqualTo(2);

            assertThat(db.killConnections(url)).isEqualTo(2);

            assertSessionEnded(db, () -> queryInt(first, "SELECT 1"));
            assertSessionEnded(db, () -> queryInt(second, "SELECT 1"));
            assertThat(queryInt(elsewhere, "SELECT 1")).isEqualTo(1);
        } finally {
            closeBroken(first);
            closeBroken(second);
        }
    }

    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = {"POSTGRES", "MARIADB"})
    void stoppedServerRefusesConnectionsAndComesBackWithItsData(TestDatabase db) throws SQLException {
        String url = db.newDatabaseUrl("infra_restart");
        try (Connection connection = db.newPlainDataSource(url).getConnection()) {
            execute(connection, "CREATE TABLE t (id INT PRIMARY KEY)");
            execute(connection, "INSERT INTO t VALUES (1)");
        }
        int port = db.port();
        Connection beforeStop = db.newPlainDataSource(url).getConnection();
        db.stopServer();
        try {
            assertConnectionFailure(() -> db.newPlainDataSource(url).getConnection().close());
            assertSessionEnded(db, () -> queryInt(beforeStop, "SELECT 1"));
        } finally {
            closeBroken(beforeStop);
            db.startServer();
        }
        assertThat(db.port()).isEqualTo(port);
        try (Connection connection = db.newPlainDataSource(url).getConnection()) {
            assertThat(queryInt(connection, "SELECT count(*) FROM t")).isEqualTo(1);
        }
    }

    // ---- helpers

    private interface SqlAction {
        void run() throws SQLException;
    }

    /** pgjdbc reports a lost or refused connection as 08006/08001, MariaDB Connector/J as 08000. */
    private static void assertConnectionFailure(SqlAction action) {
        assertThatThrownBy(action::run)
                .isInstanceOf(SQLException.class)
                .satisfies(e -> assertThat(((SQLException) e).getSQLState()).as("SQLSTATE of %s", e).startsWith("08"));
    }

    /**
     * A session the server ended (terminated backend, fast shutdown, KILL): PostgreSQL sends
     * 57P01 "terminating connection due to administrator command" before closing, which pgjdbc
     * reports on the next statement; MariaDB just closes the socket (08000).
     */
    private static void assertSessionEnded(TestDatabase db, SqlAction action) {
        assertThatThrownBy(action::run)
                .isInstanceOf(SQLException.class)
                .satisfies(e -> assertThat(((SQLException) e).getSQLState())
                        .as("SQLSTATE of %s", e)
                        .matches(db == TestDatabase.POSTGRES ? "57P01|08\\d{3}" : "08\\d{3}"));
    }

    /** Closes a connection whose socket the proxy has reset; the driver may complain, which is expected. */
    private static void closeBroken(Connection connection) {
        try {
            connection.close();
        } catch (SQLException expected) {
            // pgjdbc: "Unable to close connection properly" after a reset.
        }
    }

    private static void echoBack(Socket echo, int length) throws IOException {
        byte[] received = echo.getInputStream().readNBytes(length);
        echo.getOutputStream().write(received);
    }

    private static List<String> proxyThreads(String prefix) {
        List<String> names = new ArrayList<>();
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            if (thread.getName().startsWith(prefix) && thread.isAlive()) {
                names.add(thread.getName());
            }
        }
        return names;
    }

    private static List<String> userTables(Connection connection) throws SQLException {
        DatabaseMetaData metaData = connection.getMetaData();
        List<String> tables = new ArrayList<>();
        try (ResultSet rows = metaData.getTables(connection.getCatalog(), connection.getSchema(), "%", new String[] {"TABLE"})) {
            while (rows.next()) {
                tables.add(rows.getString("TABLE_NAME").toLowerCase(java.util.Locale.ROOT));
            }
        }
        return tables;
    }

    private static void execute(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    private static int queryInt(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement(); ResultSet rows = statement.executeQuery(sql)) {
            assertThat(rows.next()).isTrue();
            return rows.getInt(1);
        }
    }

    private static String queryString(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement(); ResultSet rows = statement.executeQuery(sql)) {
            assertThat(rows.next()).isTrue();
            return rows.getString(1);
        }
    }
}
