package io.atomic4j.examples;

import io.atomic4j.TransactionListener;
import io.atomic4j.micrometer.AtomicMetrics;
import io.atomic4j.servlet.NonAtomicRequests;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * {@code GET /metrics}: the database's transaction metrics ({@link AtomicMetrics}) in the
 * Prometheus text format, and the live chart the index page shows to a browser
 * ({@code dashboard.html}: commits, rollbacks and retries per second, polling /metrics).
 */
@NonAtomicRequests
final class MetricsServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private static final String TEXT_FORMAT = "text/plain; version=0.0.4; charset=utf-8";

    private final transient PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final transient AtomicMetrics metrics = new AtomicMetrics();

    MetricsServlet() {
        metrics.bindTo(registry);
    }

    /** For {@code Database.Builder.listener}. */
    TransactionListener listener() {
        return metrics;
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        response.setStatus(200);
        response.setContentType(TEXT_FORMAT);
        response.setHeader("Cache-Control", "no-store");
        response.getOutputStream().write(registry.scrape(TEXT_FORMAT).getBytes(StandardCharsets.UTF_8));
    }

    /** A browser asking for the index page gets the chart; API clients keep getting JSON. */
    static boolean wantsPage(HttpServletRequest request) {
        String accept = request.getHeader("Accept");
        return accept != null && accept.contains("text/html");
    }

    static void writePage(HttpServletResponse response) throws IOException {
        response.setStatus(200);
        response.setContentType("text/html; charset=utf-8");
        response.getOutputStream().write(PAGE);
    }

    private static final byte[] PAGE = load();

    private static byte[] load() {
        try (InputStream in = MetricsServlet.class.getResourceAsStream("dashboard.html")) {
            if (in == null) {
                throw new IllegalStateException("dashboard.html is missing from the demo's jar (src/main/resources)");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
