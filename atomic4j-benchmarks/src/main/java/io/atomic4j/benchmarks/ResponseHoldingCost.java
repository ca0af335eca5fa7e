package io.atomic4j.benchmarks;

import com.sun.management.ThreadMXBean;
import io.atomic4j.Database;
import io.atomic4j.Databases;
import io.atomic4j.servlet.AtomicRequestsFilter;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * What holding the response until the COMMIT costs, against passing it through: one embedded
 * Jetty 12 per mode in this JVM, the same servlet behind each (one INSERT on H2 in memory, then
 * a body of 1 KB, 100 KB or 1 MB written in 8 KB pieces, no Content-Length), requests sent one
 * after another over a keep-alive java.net.http client on loopback.
 * <ul>
 * <li>Latency: client-side time per request. Rounds alternate the two modes in random order;
 *     the figure is the median over rounds of each round's mean, and the ratio is taken per
 *     round, so drift of the machine cancels out.</li>
 * <li>Memory: bytes the request's server thread allocates inside the filter chain
 *     ({@code ThreadMXBean.getThreadAllocatedBytes}), per request. Holding keeps the body in
 *     one growing array, so this is also the most a request holds at once.</li>
 * </ul>
 * Run with {@code java -cp target/classes:$(cat target/class-path.txt) io.atomic4j.benchmarks.ResponseHoldingCost}.
 */
public final class ResponseHoldingCost {
    private static final ThreadMXBean THREADS = (ThreadMXBean) ManagementFactory.getThreadMXBean();
    private static final int[] SIZES = {1024, 100 * 1024, 1024 * 1024};
    private static final int WARM_UP_ROUNDS = 3;
    private static final int ROUNDS = 15;

    private ResponseHoldingCost() {
    }

    public static void main(String[] args) throws Exception {
        THREADS.setThreadAllocatedMemoryEnabled(true);
        try (Database db = Database.builder("jdbc:h2:mem:holding;DB_CLOSE_DELAY=-1").atomicRequests(true).build()) {
            try (Connection connection = db.connection(); Statement statement = connection.createStatement()) {
                statement.execute("CREATE TABLE hit (id BIGINT AUTO_INCREMENT PRIMARY KEY, size INTEGER NOT NULL)");
            }
            Mode held = new Mode("held", AtomicRequestsFilter.builder(Databases.of(db)).build(), db);
            Mode passed = new Mode("pass-through",
                    AtomicRequestsFilter.builder(Databases.of(db)).holdResponse(false).build(), db);
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            try {
                System.out.printf(Locale.ROOT, "| response | pass-through | held | held / pass-through | allocated per request, pass-through | held |%n");
                System.out.printf(Locale.ROOT, "|---|---|---|---|---|---|%n");
                for (int size : SIZES) {
                    measure(client, size, held, passed);
                }
            } finally {
                held.server.stop();
                passed.server.stop();
            }
        }
        System.exit(0);
    }

    private static void measure(HttpClient client, int size, Mode held, Mode passed) throws Exception {
        int requests = size <= 1024 ? 400 : size <= 100 * 1024 ? 150 : 30;
        List<Double> heldMicros = new ArrayList<>();
        List<Double> passedMicros = new ArrayList<>();
        List<Double> ratios = new ArrayList<>();
        for (int round = 0; round < WARM_UP_ROUNDS + ROUNDS; round++) {
            boolean heldFirst = ThreadLocalRandom.current().nextBoolean();
            if (round == WARM_UP_ROUNDS) {
                held.resetAllocation();
                passed.resetAllocation();
            }
            double first = meanMicros(client, heldFirst ? held : passed, size, requests);
            double second = meanMicros(client, heldFirst ? passed : held, size, requests);
            if (round >= WARM_UP_ROUNDS) {
                double h = heldFirst ? first : second;
                double p = heldFirst ? second : first;
                heldMicros.add(h);
                passedMicros.add(p);
                ratios.add(h / p);
            }
        }
        System.out.printf(Locale.ROOT, "| %s | %.0f µs | %.0f µs | %.2f | %s | %s |%n", label(size),
                median(passedMicros), median(heldMicros), median(ratios),
                bytes(passed.allocatedPerRequest()), bytes(held.allocatedPerRequest()));
    }

    private static double meanMicros(HttpClient client, Mode mode, int size, int requests) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(mode.base.resolve("body?size=" + size)).GET().build();
        long started = System.nanoTime();
        for (int i = 0; i < requests; i++) {
            HttpResponse<byte[]> response = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
            if (response.statusCode() != 200 || response.body().length != size) {
                throw new IllegalStateException(mode.name + ": status " + response.statusCode() + ", "
                        + response.body().length + " bytes instead of " + size);
            }
        }
        return (System.nanoTime() - started) / 1_000.0 / requests;
    }

    private static double median(List<Double> values) {
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int middle = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    private static String label(int size) {
        return size >= 1024 * 1024 ? size / (1024 * 1024) + " MB" : size / 1024 + " KB";
    }

    private static String bytes(double bytes) {
        return bytes >= 1024 * 1024 ? String.format(Locale.ROOT, "%.2f MB", bytes / (1024 * 1024))
                : String.format(Locale.ROOT, "%.1f KB", bytes / 1024);
    }

    /** One Jetty with one filter configuration, and the allocation its request threads report. */
    private static final class Mode {
        final String name;
        final Server server;
        final URI base;
        final AtomicLong allocated = new AtomicLong();
        final AtomicLong requests = new AtomicLong();

        Mode(String name, AtomicRequestsFilter filter, Database db) throws Exception {
            this.name = name;
            server = new Server();
            ServerConnector connector = new ServerConnector(server);
            connector.setHost("127.0.0.1");
            connector.setPort(0);
            server.addConnector(connector);
            ServletContextHandler context = new ServletContextHandler();
            context.setContextPath("/");
            Filter allocation = (request, response, chain) -> {
                long thread = Thread.currentThread().getId();
                long before = THREADS.getThreadAllocatedBytes(thread);
                chain.doFilter(request, response);
                allocated.addAndGet(THREADS.getThreadAllocatedBytes(thread) - before);
                requests.incrementAndGet();
            };
            context.addFilter(new FilterHolder(allocation), "/*", EnumSet.of(DispatcherType.REQUEST));
            context.addFilter(new FilterHolder(filter), "/*", EnumSet.of(DispatcherType.REQUEST));
            context.addServlet(new ServletHolder(new BodyServlet(db)), "/body");
            server.setHandler(context);
            server.start();
            base = URI.create("http://127.0.0.1:" + connector.getLocalPort() + "/");
        }

        void resetAllocation() {
            allocated.set(0);
            requests.set(0);
        }

        double allocatedPerRequest() {
            return (double) allocated.get() / requests.get();
        }
    }

    /** One INSERT in the request's transaction, then {@code size} bytes in 8 KB writes. */
    private static final class BodyServlet extends HttpServlet {
        private static final long serialVersionUID = 1L;
        private final transient Database db;
        private final byte[] piece = new byte[8192];

        BodyServlet(Database db) {
            this.db = db;
            Arrays.fill(piece, (byte) 'x');
        }

        @Override
        protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
            int size = Integer.parseInt(request.getParameter("size"));
            try (Connection connection = db.connection();
                 PreparedStatement insert = connection.prepareStatement("INSERT INTO hit (size) VALUES (?)")) {
                insert.setInt(1, size);
                insert.executeUpdate();
            } catch (SQLException e) {
                throw new IOException(e);
            }
            response.setContentType("application/octet-stream");
            ServletOutputStream out = response.getOutputStream();
            for (int written = 0; written < size; written += piece.length) {
                out.write(piece, 0, Math.min(piece.length, size - written));
            }
        }
    }
}
