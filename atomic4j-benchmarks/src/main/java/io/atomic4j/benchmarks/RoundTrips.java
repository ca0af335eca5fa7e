package io.atomic4j.benchmarks;

import com.zaxxer.hikari.HikariDataSource;
import io.atomic4j.testing.TestDatabase;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.sql.Connection;
import java.sql.Statement;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;

/**
 * Counts what each peer sends per scenario. Servers (PostgreSQL, MariaDB): network round trips,
 * seen by a TCP proxy between the driver and the server (a burst of client bytes after the
 * server's last reply is one round trip). In-process databases (H2, SQLite): the JDBC calls that
 * make the engine run SQL (execute*, commit, rollback, savepoint calls, a change of autocommit),
 * seen by a wrapper between HikariCP and the driver.
 */
final class RoundTrips {
    /** Runs per count; the counts are deterministic, the average only guards against a stray background query. */
    private static final int RUNS = 3;

    private RoundTrips() {
    }

    /** Per scenario, per peer: round trips (or engine calls) per transaction, averaged over a few runs. */
    static Map<String, Map<Peer.Kind, Double>> measure(BenchDatabase database, List<Peer.Kind> peers) throws Exception {
        Map<String, Map<Peer.Kind, Double>> counts = new LinkedHashMap<>();
        boolean server = database.kind().equals("POSTGRES") || database.kind().equals("MARIADB");
        for (Peer.Kind kind : peers) {
            // One connection, so that no pool refill is counted and every transaction reuses warmed-up statements.
            AtomicLong counter = new AtomicLong();
            try (CountingProxy proxy = server ? CountingProxy.to(database.jdbcUrl(), counter) : null) {
                BenchDatabase counted = server ? database.at(proxy.rewrite(database.jdbcUrl())) : database;
                DataSource driver = server ? null : countingDriver(counted, counter);
                try (HikariDataSource pool = counted.newPool(driver, 1); Peer peer = Peer.create(kind, pool, counted)) {
                    BenchDatabase.createSchema(pool);
                    Scenarios scenarios = new Scenarios(peer);
                    for (Map.Entry<String, Scenarios.Scenario> scenario : Scenarios.ALL.entrySet()) {
                        scenario.getValue().run(scenarios);     // connections opened, statements prepared
                        counter.set(0);
                        int runs = scenario.getKey().startsWith("bulk") ? 1 : RUNS;
                        for (int i = 0; i < runs; i++) {
                            scenario.getValue().run(scenarios);
                        }
                        counts.computeIfAbsent(scenario.getKey(), k -> new EnumMap<>(Peer.Kind.class))
                                .put(kind, counter.get() / (double) runs);
                    }
                }
            }
        }
        return counts;
    }

    private static final Set<String> ENGINE_CALLS = Set.of("execute", "executeQuery", "executeUpdate",
            "executeLargeUpdate", "executeBatch", "executeLargeBatch", "commit", "rollback", "setSavepoint",
            "releaseSavepoint");

    /** Unpooled driver connections whose SQL-running calls increment {@code counter}. */
    static DataSource countingDriver(BenchDatabase database, AtomicLong counter) {
        DataSource driver = TestDatabase.valueOf(database.kind()).newPlainDataSource(database.jdbcUrl());
        return (DataSource) Proxy.newProxyInstance(RoundTrips.class.getClassLoader(), new Class<?>[] {DataSource.class},
                (proxy, method, args) -> {
                    Object result = invoke(driver, method, args);
                    return result instanceof Connection connection ? counting(connection, counter) : result;
                });
    }

    private static Connection counting(Connection connection, AtomicLong counter) {
        return (Connection) Proxy.newProxyInstance(RoundTrips.class.getClassLoader(), new Class<?>[] {Connection.class},
                (proxy, method, args) -> {
                    String name = method.getName();
                    if (ENGINE_CALLS.contains(name)
                            || name.equals("setAutoCommit") && (Boolean) args[0] != connection.getAutoCommit()) {
                        counter.incrementAndGet();
                    }
                    Object result = invoke(connection, method, args);
                    return result instanceof Statement statement ? countingStatement(statement, counter) : result;
                });
    }

    private static Statement countingStatement(Statement statement, AtomicLong counter) {
        Class<?>[] interfaces = statement instanceof java.sql.PreparedStatement
                ? new Class<?>[] {java.sql.PreparedStatement.class} : new Class<?>[] {Statement.class};
        return (Statement) Proxy.newProxyInstance(RoundTrips.class.getClassLoader(), interfaces, (proxy, method, args) -> {
            if (ENGINE_CALLS.contains(method.getName())) {
                counter.incrementAndGet();
            }
            return invoke(statement, method, args);
        });
    }

    private static Object invoke(Object target, Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    /** A TCP proxy on 127.0.0.1 that counts request bursts: client bytes after the server last answered. */
    static final class CountingProxy implements AutoCloseable {
        private final ServerSocket listener;
        private final String host;
        private final int port;
        private final AtomicLong roundTrips;

        private CountingProxy(String host, int port, AtomicLong roundTrips) throws IOException {
            this.host = host;
            this.port = port;
            this.roundTrips = roundTrips;
            this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread acceptor = new Thread(this::accept, "round-trip-proxy");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        static CountingProxy to(String jdbcUrl, AtomicLong roundTrips) throws IOException {
            java.util.regex.Matcher hostPort = java.util.regex.Pattern.compile("//([^:/]+):(\\d+)/").matcher(jdbcUrl);
            if (!hostPort.find()) {
                throw new IllegalArgumentException("No host:port in " + jdbcUrl);
            }
            return new CountingProxy(hostPort.group(1), Integer.parseInt(hostPort.group(2)), roundTrips);
        }

        String rewrite(String jdbcUrl) {
            return jdbcUrl.replaceFirst("//[^/]+/", "//127.0.0.1:" + listener.getLocalPort() + "/");
        }

        private void accept() {
            while (!listener.isClosed()) {
                try {
                    Socket client = listener.accept();
                    Socket server = new Socket(host, port);
                    client.setTcpNoDelay(true);
                    server.setTcpNoDelay(true);
                    boolean[] clientsTurn = {false};
                    pump(client, server, () -> {
                        synchronized (clientsTurn) {
                            if (!clientsTurn[0]) {
                                clientsTurn[0] = true;
                                roundTrips.incrementAndGet();
                            }
                        }
                    });
                    pump(server, client, () -> {
                        synchronized (clientsTurn) {
                            clientsTurn[0] = false;
                        }
                    });
                } catch (IOException e) {
                    return;
                }
            }
        }

        /** Copies {@code from} to {@code to}, calling {@code beforeForward} for every chunk read. */
        private static void pump(Socket from, Socket to, Runnable beforeForward) {
            Thread thread = new Thread(() -> {
                byte[] buffer = new byte[65536];
                try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                    int read;
                    while ((read = in.read(buffer)) > 0) {
                        beforeForward.run();
                        out.write(buffer, 0, read);
                        out.flush();
                    }
                } catch (IOException e) {
                    // the other side closed: close both below
                } finally {
                    closeQuietly(from);
                    closeQuietly(to);
                }
            }, "round-trip-pump");
            thread.setDaemon(true);
            thread.start();
        }

        private static void closeQuietly(Socket socket) {
            try {
                socket.close();
            } catch (IOException e) {
                // already closed
            }
        }

        @Override
        public void close() throws IOException {
            listener.close();
        }
    }
}
