package io.atomic4j.examples;

import io.atomic4j.Database;
import io.atomic4j.Databases;
import io.atomic4j.outbox.Outbox;
import io.atomic4j.servlet.AtomicRequestsFilter;
import com.fasterxml.jackson.databind.JsonNode;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServlet;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.jdbi.v3.core.Jdbi;

/**
 * The demo service: the seed scenarios as JSON over HTTP on embedded Jetty, every request in one
 * transaction. The wiring is the point of the demo:
 * <pre>{@code
 * Database db = Database.builder(url).atomicRequests(true).build();     // Django: ATOMIC_REQUESTS
 * Jdbi jdbi = Jdbi.create(db.dataSource());                             // JDBI joins the request's transaction
 * context.addFilter(new FilterHolder(new AtomicRequestsFilter(Databases.of(db))), "/*", REQUEST);
 * }</pre>
 * Close it to stop the server and the pool.
 */
public final class DemoService implements AutoCloseable {
    private final Database db;
    private final Server server;
    private final URI uri;
    private final FaultSwitch faults;
    private final PaymentProvider payments;
    private final Mailbox mailbox;
    private final Outbox outbox;
    private final ExecutorService mailWorkers;
    private final AtomicBoolean dropNextHandOver;

    private DemoService(Database db, Server server, URI uri, FaultSwitch faults, PaymentProvider payments, Mailbox mailbox,
                        Outbox outbox, ExecutorService mailWorkers, AtomicBoolean dropNextHandOver) {
        this.db = db;
        this.server = server;
        this.uri = uri;
        this.faults = faults;
        this.payments = payments;
        this.mailbox = mailbox;
        this.outbox = outbox;
        this.mailWorkers = mailWorkers;
        this.dropNextHandOver = dropNextHandOver;
    }

    /** Opens the database (creating the schema and sample data if needed) and starts serving. */
    public static DemoService start(DemoConfig config) throws Exception {
        return start(config, new PaymentProvider(), new Mailbox());
    }

    /**
     * Like {@link #start(DemoConfig)} with the outside world given: the payment provider and the
     * mail server outlive a restart of the service (the tour restarts it after a crash).
     */
    static DemoService start(DemoConfig config, PaymentProvider payments, Mailbox mailbox) throws Exception {
        createSqliteDirectory(config.jdbcUrl());
        FaultSwitch faults = FaultSwitch.create();
        // The service reaches the real database through the fault switch's driver (see POST /faults).
        MetricsServlet metrics = new MetricsServlet();
        Database.Builder builder = Database.builder(faults.jdbcUrl(config.jdbcUrl())).atomicRequests(true)
                .listener(metrics.listener());
        if (config.user() != null) {
            builder.user(config.user());
        }
        if (config.password() != null) {
            builder.password(config.password());
        }
        if (config.jdbcUrl().startsWith("jdbc:sqlite:") && !config.jdbcUrl().contains("transaction_mode")) {
            // Writing blocks take SQLite's lock at BEGIN, so they wait (busy_timeout) instead of
            // failing with SQLITE_BUSY half-way; atomic4j does this itself for jdbc:sqlite: URLs.
            builder.property("transaction_mode", "IMMEDIATE");
        }
        Database db = builder.build();
        try {
            Jdbi jdbi = Jdbi.create(db.dataSource());
            Schema.createAndSeed(db, jdbi);
            // Welcome mails go through the atomic4j outbox: written in the request's transaction, sent
            // after the commit by a worker, and by the next start if the service dies in between.
            // A lease of 2 s (default 60 s) so the tour's restart sends the orphaned mail quickly.
            ExecutorService mailWorkers = Executors.newFixedThreadPool(2);
            AtomicBoolean dropNextHandOver = new AtomicBoolean();
            Outbox outbox = Outbox.builder(db)
                    .handler(Registrations.WELCOME_MAIL, task -> {
                        JsonNode mail = Json.MAPPER.readTree(task.payload());
                        mailbox.send(mail.get("email").asText(), "Welcome to the demo, " + mail.get("name").asText() + "!");
                    })
                    .executor(command -> {
                        if (!dropNextHandOver.getAndSet(false)) {
                            mailWorkers.execute(command);
                        }
                    })
                    .lease(Duration.ofSeconds(2))
                    .pollInterval(Duration.ofMillis(200))
                    .start();
            ProcedureLists lists = new ProcedureLists(db, jdbi);
            Registrations registrations = new Registrations(db, jdbi, payments, outbox);
            Inspector inspector = new Inspector(config.jdbcUrl(), config.user(), config.password());

            ServletContextHandler context = new ServletContextHandler();
            context.setContextPath("/");
            // Outermost: renders errors after the per-request transaction rolled back.
            addFilter(context, new ErrorResponseFilter(inspector));
            addFilter(context, AtomicRequestsFilter.builder(Databases.of(db))
                    .slowRequestWarning(Duration.ofMillis(500))
                    .build());
            addServlet(context, new ProcedureListsServlet(db, lists), "/procedure-lists", "/procedure-lists/*");
            addServlet(context, new EnrollmentsServlet(lists), "/enrollments/*");
            addServlet(context, new RegistrationsServlet(registrations), "/registrations", "/users");
            addServlet(context, new FaultsServlet(faults, payments), "/faults");
            addServlet(context, new InspectServlet(inspector, mailbox, payments), "/tables", "/outbox", "/payments");
            addServlet(context, metrics, "/metrics");
            addServlet(context, new IndexServlet(config.displayUrl()), "/");

            Server server = new Server();
            ServerConnector connector = new ServerConnector(server);
            connector.setPort(config.port());
            server.addConnector(connector);
            server.setHandler(context);
            server.start();
            URI uri = URI.create("http://localhost:" + connector.getLocalPort() + "/");
            return new DemoService(db, server, uri, faults, payments, mailbox, outbox, mailWorkers, dropNextHandOver);
        } catch (Exception | Error e) {
            db.close();
            throw e;
        }
    }

    private static void addFilter(ServletContextHandler context, Filter filter) {
        context.addFilter(new FilterHolder(filter), "/*", EnumSet.of(DispatcherType.REQUEST));
    }

    private static void addServlet(ServletContextHandler context, HttpServlet servlet, String... paths) {
        ServletHolder holder = new ServletHolder(servlet);
        for (String path : paths) {
            context.addServlet(holder, path);
        }
    }

    /** SQLite creates the file but not its directory ({@code ./data/} on a fresh clone). */
    private static void createSqliteDirectory(String jdbcUrl) throws IOException {
        if (!jdbcUrl.startsWith("jdbc:sqlite:")) {
            return;
        }
        String file = jdbcUrl.substring("jdbc:sqlite:".length());
        int query = file.indexOf('?');
        file = query < 0 ? file : file.substring(0, query);
        if (file.isEmpty() || file.startsWith(":memory:") || file.startsWith("file:")) {
            return;
        }
        Path parent = Path.of(file).toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
    }

    /** Where the service listens, e.g. http://localhost:8080/. */
    public URI uri() {
        return uri;
    }

    public Database database() {
        return db;
    }

    public FaultSwitch faults() {
        return faults;
    }

    public PaymentProvider payments() {
        return payments;
    }

    /** The mail server stand-in: welcome messages sent. */
    public Mailbox mailbox() {
        return mailbox;
    }

    /**
     * Simulates a crash between the next commit and its welcome mail: the outbox's hand-over of
     * the next task to a worker is dropped, as if the process died right after COMMIT. The task
     * is in the table; the next start of the service sends it once its lease has expired.
     */
    void dropNextMailHandOver() {
        dropNextHandOver.set(true);
    }

    /** Blocks until the server stops. */
    public void join() throws InterruptedException {
        server.join();
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("Could not stop the demo's HTTP server", e);
        } finally {
            outbox.close();
            mailWorkers.shutdown();
            db.close();
        }
    }
}
