package io.atomic4j.servlet;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * A real Jetty 12 server on a free loopback port with the filter under test in front of the
 * given servlets, and a real HTTP client. Every holder supports async, so a refusal of
 * {@code startAsync} comes from the filter, not from the container. An outermost filter keeps
 * the last exception that left the filter under test (Jetty's error page does not show it).
 */
final class HttpTestServer implements AutoCloseable {
    private final Server server;
    private final URI base;
    private final AtomicReference<Throwable> lastError;
    private final HttpClient client = HttpClient.newHttpClient();

    private HttpTestServer(Server server, URI base, AtomicReference<Throwable> lastError) {
        this.server = server;
        this.base = base;
        this.lastError = lastError;
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

    /** The last exception that came out of the filter under test, or null. */
    Throwable lastError() {
        return lastError.get();
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }

    static final class Builder {
        private final Filter filter;
        private final Map<String, HttpServlet> servlets = new LinkedHashMap<>();

        private Builder(Filter filter) {
            this.filter = filter;
        }

        Builder serve(String path, HttpServlet servlet) {
            servlets.put(path, servlet);
            return this;
        }

        HttpTestServer start() throws Exception {
            Server server = new Server();
            ServerConnector connector = new ServerConnector(server);
            connector.setHost("127.0.0.1");
            connector.setPort(0);
            server.addConnector(connector);
            ServletContextHandler context = new ServletContextHandler();
            context.setContextPath("/");
            AtomicReference<Throwable> lastError = new AtomicReference<>();
            Filter recorder = (request, response, chain) -> {
                try {
                    chain.doFilter(request, response);
                } catch (IOException | ServletException | RuntimeException | Error e) {
                    lastError.set(e);
                    throw e;
                }
            };
            addFilter(context, recorder);
            addFilter(context, filter);
            servlets.forEach((path, servlet) -> {
                ServletHolder holder = new ServletHolder(servlet);
                holder.setAsyncSupported(true);
                context.addServlet(holder, path);
            });
            server.setHandler(context);
            server.start();
            URI base = URI.create("http://127.0.0.1:" + connector.getLocalPort() + "/");
            return new HttpTestServer(server, base, lastError);
        }

        private static void addFilter(ServletContextHandler context, Filter filter) {
            FilterHolder holder = new FilterHolder(filter);
            holder.setAsyncSupported(true);
            context.addFilter(holder, "/*", EnumSet.of(DispatcherType.REQUEST));
        }
    }
}
