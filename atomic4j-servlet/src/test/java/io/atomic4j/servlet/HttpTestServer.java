package io.atomic4j.servlet;

import jakarta.servlet.Filter;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A real embedded servlet container (Jetty 12 unless told otherwise) on a free loopback port with
 * the filter under test in front of the given servlets, and a real HTTP client. An outermost
 * filter keeps the last exception that left the filter under test (error pages do not show it).
 */
final class HttpTestServer implements AutoCloseable {
    private final AutoCloseable stop;
    private final URI base;
    private final AtomicReference<Throwable> lastError;
    private final Semaphore finished;
    private final HttpClient client = HttpClient.newHttpClient();

    private HttpTestServer(AutoCloseable stop, URI base, AtomicReference<Throwable> lastError, Semaphore finished) {
        this.stop = stop;
        this.base = base;
        this.lastError = lastError;
        this.finished = finished;
    }

    static Builder with(Filter filter) {
        return new Builder(filter);
    }

    /** GET {@code path}; returns once the whole response has arrived. */
    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(base.resolve(path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** GET {@code path} without waiting; the future completes with the whole response. */
    CompletableFuture<HttpResponse<String>> getAsync(String path) {
        return client.sendAsync(HttpRequest.newBuilder(base.resolve(path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** GET {@code path}; returns as soon as the status and headers have arrived. */
    HttpResponse<InputStream> getStreaming(String path) throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(base.resolve(path)).GET().build(),
                HttpResponse.BodyHandlers.ofInputStream());
    }

    /**
     * Waits until the filter chain of one more request has returned. The client can have the
     * whole response before that: the filter sends it, then runs the onCommit callbacks.
     */
    void awaitRequestFinished() throws InterruptedException {
        if (!finished.tryAcquire(60, TimeUnit.SECONDS)) {
            throw new AssertionError("no request finished within 60 s");
        }
    }

    /** The last exception that came out of the filter under test, or null. */
    Throwable lastError() {
        return lastError.get();
    }

    @Override
    public void close() throws Exception {
        stop.close();
    }

    static final class Builder {
        private final Filter filter;
        private final List<Filter> outerFilters = new ArrayList<>();
        private final Map<String, HttpServlet> servlets = new LinkedHashMap<>();
        private Containers container = Containers.JETTY;

        private Builder(Filter filter) {
            this.filter = filter;
        }

        Builder on(Containers container) {
            this.container = container;
            return this;
        }

        /** A filter between the error recorder and the filter under test (e.g. one that renders errors). */
        Builder outer(Filter outer) {
            outerFilters.add(outer);
            return this;
        }

        Builder serve(String path, HttpServlet servlet) {
            servlets.put(path, servlet);
            return this;
        }

        HttpTestServer start() throws Exception {
            AtomicReference<Throwable> lastError = new AtomicReference<>();
            Semaphore finished = new Semaphore(0);
            Filter recorder = (request, response, chain) -> {
                try {
                    chain.doFilter(request, response);
                } catch (IOException | ServletException | RuntimeException | Error e) {
                    lastError.set(e);
                    throw e;
                } finally {
                    finished.release();
                }
            };
            List<Filter> filters = new ArrayList<>();
            filters.add(recorder);
            filters.addAll(outerFilters);
            filters.add(filter);
            Containers.Started started = container.start(filters, servlets);
            return new HttpTestServer(started.stop(), started.base(), lastError, finished);
        }
    }
}
