package io.atomic4j.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.atomic4j.Database;
import io.atomic4j.Databases;
import io.atomic4j.OnCommitFailedException;
import io.atomic4j.testing.TestDatabase;
import jakarta.servlet.Filter;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletResponse;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.slf4j.LoggerFactory;

/**
 * What a client sees of a per-request transaction, on one servlet container: the response is
 * held until the COMMIT, so a failed COMMIT (a deferred foreign key, checked at COMMIT by SQLite
 * and PostgreSQL) becomes an error response that carries none of the servlet's bytes, whatever
 * the servlet flushed. Each container runs this suite unchanged through a subclass.
 */
abstract class ResponseHoldingContract {
    /** Bytes that must never reach the client of a request that did not commit. */
    private static final String HELD = "HELD-BY-ATOMIC4J";

    private final List<AutoCloseable> toClose = new ArrayList<>();
    private DataSource plain;
    /** What hooks and servlets report; read by the test thread after the response arrived. */
    private final List<String> events = new CopyOnWriteArrayList<>();

    abstract Containers container();

    /**
     * Without holding, a failed COMMIT after a flush: does the container cut the 200's body off
     * (Jetty, Tomcat), or end it normally so the client sees a complete success (Undertow)?
     */
    abstract boolean cutsAStartedResponseOffOnError();

    @AfterEach
    void closeEverything() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = {"SQLITE", "POSTGRES"})
    void committedRequestSendsTheHeldStatusHeadersCookiesAndBody(TestDatabase kind) throws Exception {
        Database db = open(kind);
        HttpTestServer server = start(new AtomicRequestsFilter(Databases.of(db)), new Endpoint((request, response) -> {
            insert(db, "a");
            response.setStatus(201);
            response.setHeader("X-Order", "7");
            response.addCookie(new Cookie("session", "s1"));
            response.setContentType("text/plain;charset=UTF-8");
            response.getWriter().print("créé");
            response.flushBuffer();
            response.getWriter().print(" a");
        }));

        HttpResponse<String> response = server.get("page");

        assertThat(response.statusCode()).isEqualTo(201);
        assertThat(response.body()).isEqualTo("créé a");
        assertThat(response.headers().firstValue("X-Order")).hasValue("7");
        assertThat(response.headers().allValues("Set-Cookie")).anySatisfy(c -> assertThat(c).startsWith("session=s1"));
        assertThat(response.headers().firstValue("Content-Length"))
                .hasValue(Integer.toString("créé a".getBytes(StandardCharsets.UTF_8).length));
        assertThat(items()).containsExactly("a");
    }

    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = {"SQLITE", "POSTGRES"})
    void servletThrowingAfterAFlushSendsNoneOfItsResponse(TestDatabase kind) throws Exception {
        Database db = open(kind);
        HttpTestServer server = start(new AtomicRequestsFilter(Databases.of(db)), new Endpoint((request, response) -> {
            insert(db, "a");
            response.setHeader("X-Order", "7");
            response.getWriter().print(HELD);
            response.flushBuffer();
            throw new IllegalStateException("payment declined");
        }));

        HttpResponse<String> response = server.get("page");

        assertThat(response.statusCode()).isEqualTo(500);
        assertThat(response.body()).doesNotContain(HELD);
        assertThat(response.headers().firstValue("X-Order")).isEmpty();
        assertThat(server.lastError()).hasMessage("payment declined");
        assertThat(items()).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = {"SQLITE", "POSTGRES"})
    void failedCommitAfterASmallFlushedResponseAnswers500WithNoneOfIt(TestDatabase kind) throws Exception {
        Database db = open(kind);
        HttpTestServer server = start(new AtomicRequestsFilter(Databases.of(db)), new Endpoint((request, response) -> {
            insert(db, "a");
            violateDeferredForeignKey(db);
            response.setHeader("X-Order", "7");
            response.getWriter().print(HELD);
            response.getWriter().flush();
            response.flushBuffer();
        }));

        HttpResponse<String> response = server.get("page");

        assertThat(response.statusCode()).isEqualTo(500);
        assertThat(response.body()).doesNotContain(HELD);
        assertThat(response.headers().firstValue("X-Order")).isEmpty();
        assertThat(server.lastError()).isNotNull();
        assertThat(items()).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = {"SQLITE", "POSTGRES"})
    void failedCommitAfterALargeFlushedResponseAnswers500WithNoneOfIt(TestDatabase kind) throws Exception {
        Database db = open(kind);
        byte[] chunk = repeat(HELD, 64 * 1024);
        HttpTestServer server = start(new AtomicRequestsFilter(Databases.of(db)), new Endpoint((request, response) -> {
            insert(db, "a");
            violateDeferredForeignKey(db);
            for (int i = 0; i < 16; i++) {   // 1 MiB, far past every container's buffer
                response.getOutputStream().write(chunk);
                response.getOutputStream().flush();
            }
        }));

        HttpResponse<String> response = server.get("page");

        assertThat(response.statusCode()).isEqualTo(500);
        assertThat(response.body()).doesNotContain(HELD);
        assertThat(items()).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = {"SQLITE", "POSTGRES"})
    void failedCommitIsRenderedByTheApplicationsErrorFilter(TestDatabase kind) throws Exception {
        Database db = open(kind);
        Filter jsonErrors = (request, response, chain) -> {
            try {
                chain.doFilter(request, response);
            } catch (Exception e) {
                HttpServletResponse http = (HttpServletResponse) response;
                http.setStatus(500);
                http.setContentType("application/json");
                http.getWriter().print("{\"error\":\"not saved\"}");
            }
        };
        HttpTestServer server = HttpTestServer.with(new AtomicRequestsFilter(Databases.of(db)))
                .on(container())
                .outer(jsonErrors)
                .serve("/page", new Endpoint((request, response) -> {
                    insert(db, "a");
                    violateDeferredForeignKey(db);
                    response.setContentType("text/html");
                    response.getWriter().print(HELD);
                    response.flushBuffer();
                }))
                .start();
        toClose.add(server);

        HttpResponse<String> response = server.get("page");

        assertThat(response.statusCode()).isEqualTo(500);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/json"));
        assertThat(response.body()).isEqualTo("{\"error\":\"not saved\"}");
        assertThat(items()).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = {"SQLITE", "POSTGRES"})
    void responseOverTheLimitFailsAndRollsBackEvenWhenTheServletCatchesIt(TestDatabase kind) throws Exception {
        Database db = open(kind);
        AtomicRequestsFilter filter = AtomicRequestsFilter.builder(Databases.of(db)).maxHeldResponseBytes(1024).build();
        HttpTestServer server = HttpTestServer.with(filter)
                .on(container())
                .serve("/fits", new Endpoint((request, response) -> {
                    insert(db, "fits");
                    response.getOutputStream().write(new byte[1024]);
                }))
                .serve("/over", new Endpoint((request, response) -> {
                    insert(db, "over");
                    try {
                        response.getOutputStream().write(new byte[1025]);
                    } catch (IllegalStateException e) {
                        events.add("servlet caught: " + e.getMessage().substring(0, 20));
                    }
                }))
                .start();
        toClose.add(server);

        HttpResponse<String> fits = server.get("fits");
        HttpResponse<String> over = server.get("over");

        assertThat(fits.statusCode()).isEqualTo(200);
        assertThat(fits.body()).hasSize(1024);
        assertThat(over.statusCode()).isEqualTo(500);
        assertThat(events).containsExactly("servlet caught: GET /over wrote 1025");
        assertThat(server.lastError())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("GET /over wrote 1025 bytes of response body, more than the 1024 bytes")
                .hasMessageContaining("database 'default'")
                .hasMessageContaining("maxHeldResponseBytes")
                .hasMessageContaining("@NonAtomicRequests");
        assertThat(items()).containsExactly("fits");
    }

    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = {"SQLITE", "POSTGRES"})
    void nonAtomicRequestsServletStreamsAfterItsOwnCommit(TestDatabase kind) throws Exception {
        Database db = open(kind);
        CountDownLatch clientHasFirstLine = new CountDownLatch(1);
        HttpTestServer server = start(new AtomicRequestsFilter(Databases.of(db)),
                new Endpoint.NonAtomic((request, response) -> {
                    db.atomic(() -> insert(db, "a"));          // commit first, then stream
                    response.getWriter().println("first");
                    response.flushBuffer();
                    events.add("client had the first line while the servlet ran: "
                            + clientHasFirstLine.await(30, TimeUnit.SECONDS));
                    response.getWriter().println("second");
                }));

        HttpResponse<InputStream> response = server.getStreaming("page");
        List<String> lines = new ArrayList<>();
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            lines.add(reader.readLine());
            clientHasFirstLine.countDown();
            lines.add(reader.readLine());
        }

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(lines).containsExactly("first", "second");
        assertThat(events).containsExactly("client had the first line while the servlet ran: true");
        assertThat(items()).containsExactly("a");
    }

    /**
     * The order chosen: COMMIT, then the held response goes out whole (Content-Length, flushed),
     * then the onCommit callbacks run. A slow callback does not delay the client, and the client
     * never sees success before the COMMIT.
     */
    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = {"SQLITE", "POSTGRES"})
    void onCommitCallbacksRunAfterTheClientHasTheWholeResponse(TestDatabase kind) throws Exception {
        Database db = open(kind);
        CountDownLatch clientHasResponse = new CountDownLatch(1);
        CompletableFuture<Void> callbackDone = new CompletableFuture<>();
        HttpTestServer server = start(new AtomicRequestsFilter(Databases.of(db)), new Endpoint((request, response) -> {
            insert(db, "a");
            db.onCommit(() -> {
                try {
                    events.add("callback sees " + items());
                    events.add("client had the response when the callback ran: "
                            + clientHasResponse.await(30, TimeUnit.SECONDS));
                    callbackDone.complete(null);
                } catch (Throwable e) {
                    callbackDone.completeExceptionally(e);
                }
            });
            response.getWriter().print("saved");
        }));

        HttpResponse<String> response = server.get("page");
        clientHasResponse.countDown();
        callbackDone.get(60, TimeUnit.SECONDS);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("saved");
        assertThat(events).containsExactly("callback sees [a]", "client had the response when the callback ran: true");
    }

    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = {"SQLITE", "POSTGRES"})
    void failingOnCommitCallbackKeepsTheServletsResponseAndLogsAnError(TestDatabase kind) throws Exception {
        Database db = open(kind);
        HttpTestServer server = start(new AtomicRequestsFilter(Databases.of(db)), new Endpoint((request, response) -> {
            insert(db, "a");
            db.onCommit(() -> {
                throw new IllegalStateException("mail server down");
            });
            db.onCommit(() -> events.add("later callback ran"));
            response.getWriter().print("saved");
        }));
        ListAppender<ILoggingEvent> log = captureFilterLog();

        HttpResponse<String> response = server.get("page");
        server.awaitRequestFinished();

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("saved");
        assertThat(server.lastError()).isNull();
        assertThat(items()).containsExactly("a");
        assertThat(events).isEmpty();
        ILoggingEvent error = log.list.stream().filter(e -> e.getLevel() == Level.ERROR).findFirst().orElseThrow();
        assertThat(error.getFormattedMessage())
                .isEqualTo("GET /page: the transaction on 'default' COMMITTED, but an onCommit callback failed; "
                        + "the servlet's response stands and the data stays. Repeat or compensate the side effect only.");
        assertThat(error.getThrowableProxy().getClassName()).isEqualTo(OnCommitFailedException.class.getName());
        assertThat(error.getThrowableProxy().getCause().getMessage()).isEqualTo("mail server down");
    }

    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = {"SQLITE", "POSTGRES"})
    void sendErrorIsHeldUntilTheCommitAndReplacedByA500WhenItFails(TestDatabase kind) throws Exception {
        Database db = open(kind);
        HttpTestServer server = HttpTestServer.with(new AtomicRequestsFilter(Databases.of(db)))
                .on(container())
                .serve("/missing", new Endpoint((request, response) -> {
                    insert(db, "a");
                    response.sendError(404, "no such order");
                }))
                .serve("/broken", new Endpoint((request, response) -> {
                    insert(db, "b");
                    violateDeferredForeignKey(db);
                    response.sendError(404, "no such order");
                }))
                .start();
        toClose.add(server);

        assertThat(server.get("missing").statusCode()).isEqualTo(404);
        assertThat(server.get("broken").statusCode()).isEqualTo(500);
        assertThat(items()).containsExactly("a");
    }

    /** Why holding is the default: without it a flushed response cannot report the failed COMMIT. */
    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = {"SQLITE", "POSTGRES"})
    void withoutHoldingAFlushedResponseAnswers200ThoughTheCommitFailed(TestDatabase kind) throws Exception {
        Database db = open(kind);
        AtomicRequestsFilter filter = AtomicRequestsFilter.builder(Databases.of(db)).holdResponse(false).build();
        HttpTestServer server = start(filter, new Endpoint((request, response) -> {
            insert(db, "a");
            violateDeferredForeignKey(db);
            response.getWriter().print(HELD);
            response.flushBuffer();
        }));

        HttpResponse<InputStream> response = server.getStreaming("page");
        boolean cutOff = false;
        try (InputStream body = response.body()) {
            body.readAllBytes();
        } catch (IOException brokenOff) {
            cutOff = true;
        }

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(cutOff).as("the client can tell the body is incomplete").isEqualTo(cutsAStartedResponseOffOnError());
        assertThat(server.lastError()).isNotNull();
        assertThat(items()).isEmpty();
    }

    // ---------------------------------------------------------------- helpers

    private HttpTestServer start(AtomicRequestsFilter filter, Endpoint servlet) throws Exception {
        HttpTestServer server = HttpTestServer.with(filter).on(container()).serve("/page", servlet).start();
        toClose.add(server);
        return server;
    }

    /** A new database with an {@code item} table and a deferred foreign key that fails at COMMIT. */
    private Database open(TestDatabase kind) throws SQLException {
        String url = kind.newDatabaseUrl("holding");
        plain = kind.newPlainDataSource(url);
        Database database = Database.builder(url)
                .user(kind.user())
                .password(kind.password())
                .atomicRequests(true)
                .build();
        toClose.add(database);
        try (Connection connection = plain.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE item (name VARCHAR(100) NOT NULL PRIMARY KEY)");
            statement.execute("CREATE TABLE parent (id INTEGER PRIMARY KEY)");
            statement.execute("CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER NOT NULL "
                    + "REFERENCES parent(id) DEFERRABLE INITIALLY DEFERRED)");
        }
        return database;
    }

    /** Accepted now, refused at COMMIT: the commit of this request's transaction will fail. */
    private static void violateDeferredForeignKey(Database db) throws SQLException {
        try (Connection connection = db.connection(); Statement statement = connection.createStatement()) {
            statement.executeUpdate("INSERT INTO child (id, parent_id) VALUES (1, 42)");
        }
    }

    private static void insert(Database database, String name) throws SQLException {
        try (Connection connection = database.dataSource().getConnection();
             PreparedStatement statement = connection.prepareStatement("INSERT INTO item (name) VALUES (?)")) {
            statement.setString(1, name);
            statement.executeUpdate();
        }
    }

    /** The committed rows, read on a connection of its own. */
    private List<String> items() {
        try (Connection connection = plain.getConnection();
             Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT name FROM item ORDER BY name")) {
            List<String> names = new ArrayList<>();
            while (rows.next()) {
                names.add(rows.getString(1));
            }
            return names;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] repeat(String text, int size) {
        byte[] pattern = text.getBytes(StandardCharsets.US_ASCII);
        byte[] bytes = new byte[size];
        for (int i = 0; i < size; i++) {
            bytes[i] = pattern[i % pattern.length];
        }
        return bytes;
    }

    private ListAppender<ILoggingEvent> captureFilterLog() {
        Logger logger = (Logger) LoggerFactory.getLogger(AtomicRequestsFilter.class);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        toClose.add(() -> logger.detachAppender(appender));
        return appender;
    }

}
