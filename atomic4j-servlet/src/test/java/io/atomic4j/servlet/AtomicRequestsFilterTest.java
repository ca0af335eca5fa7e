package io.atomic4j.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.atomic4j.Database;
import io.atomic4j.Databases;
import io.atomic4j.TransactionManagementException;
import io.atomic4j.testing.TestDatabase;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletException;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.slf4j.LoggerFactory;

/**
 * The filter over real HTTP (embedded Jetty 12, java.net.http client) on every database; each
 * test reads the rows afterwards behind atomic4j's back.
 */
class AtomicRequestsFilterTest {
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private final Map<Database, DataSource> plainAccess = new HashMap<>();
    /** What hooks and servlets report; read by the test thread after the response arrived. */
    private final List<String> events = new CopyOnWriteArrayList<>();

    @AfterEach
    void closeEverything() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    // ---------------------------------------------------------------- one database

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void servletRunsInsideAnAtomicBlock(TestDatabase kind) throws Exception {
        Database db = open(kind, "default", true);
        HttpTestServer server = start(new AtomicRequestsFilter(Databases.of(db)),
                "/check", new Endpoint((request, response) -> response.getWriter().print(db.inAtomicBlock())));

        HttpResponse<String> response = server.get("check");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("true");
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void normalReturnCommitsTheServletsRows(TestDatabase kind) throws Exception {
        Database db = open(kind, "default", true);
        HttpTestServer server = start(new AtomicRequestsFilter(Databases.of(db)),
                "/insert", new Endpoint((request, response) -> {
                    insert(db, "a");
                    insert(db, "b");
                }));

        assertThat(server.get("insert").statusCode()).isEqualTo(200);
        assertThat(items(db)).containsExactly("a", "b");
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void exceptionRollsBackAndReachesTheContainerUnchanged(TestDatabase kind) throws Exception {
        Database db = open(kind, "default", true);
        ServletException thrown = new ServletException("payment declined");
        HttpTestServer server = start(new AtomicRequestsFilter(Databases.of(db)),
                "/fail", new Endpoint((request, response) -> {
                    insert(db, "a");
                    throw thrown;
                }));

        assertThat(server.get("fail").statusCode()).isEqualTo(500);
        assertThat(server.lastError()).isSameAs(thrown);
        assertThat(items(db)).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void errorStatusWithoutAnExceptionCommitsAsInDjango(TestDatabase kind) throws Exception {
        Database db = open(kind, "default", true);
        HttpTestServer server = start(new AtomicRequestsFilter(Databases.of(db)),
                "/unavailable", new Endpoint((request, response) -> {
                    insert(db, "a");
                    response.setStatus(503);
                }));

        assertThat(server.get("unavailable").statusCode()).isEqualTo(503);
        assertThat(items(db)).containsExactly("a");
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void rollbackOnServerErrorRollsBackA5xxWithoutAnException(TestDatabase kind) throws Exception {
        Database db = open(kind, "default", true);
        AtomicRequestsFilter filter = AtomicRequestsFilter.builder(Databases.of(db)).rollbackOnServerError(true).build();
        HttpTestServer server = HttpTestServer.with(filter)
                .serve("/unavailable", new Endpoint((request, response) -> {
                    insert(db, "a");
                    db.onCommit(() -> events.add("committed"));
                    response.sendError(503, "try later");
                }))
                .serve("/missing", new Endpoint((request, response) -> {
                    insert(db, "b");
                    response.setStatus(404);
                }))
                .start();
        toClose.add(server);

        assertThat(server.get("unavailable").statusCode()).isEqualTo(503);
        assertThat(server.get("missing").statusCode()).isEqualTo(404);

        assertThat(items(db)).containsExactly("b");
        assertThat(events).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void onCommitHooksRunAfterTheCommit(TestDatabase kind) throws Exception {
        Database db = open(kind, "default", true);
        HttpTestServer server = start(new AtomicRequestsFilter(Databases.of(db)),
                "/insert", new Endpoint((request, response) -> {
                    insert(db, "a");
                    // A separate connection sees the row only once the request's transaction committed.
                    db.onCommit(() -> events.add("hook sees " + items(db)));
                    response.getWriter().print("inserted");
                }));

        HttpResponse<String> response = server.get("insert");
        server.awaitRequestFinished();

        assertThat(response.body()).isEqualTo("inserted");
        assertThat(events).containsExactly("hook sees [a]");
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void rolledBackRequestDiscardsOnCommitHooksAndRunsOnRollbackHooks(TestDatabase kind) throws Exception {
        Database db = open(kind, "default", true);
        HttpTestServer server = start(new AtomicRequestsFilter(Databases.of(db)),
                "/fail", new Endpoint((request, response) -> {
                    insert(db, "a");
                    db.onCommit(() -> events.add("welcome mail sent"));
                    db.onRollback(() -> events.add("rolled back"));
                    throw new IllegalStateException("boom");
                }));

        assertThat(server.get("fail").statusCode()).isEqualTo(500);
        assertThat(events).containsExactly("rolled back");
        assertThat(items(db)).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void swallowedStatementErrorStillRollsBackTheRequest(TestDatabase kind) throws Exception {
        Database db = open(kind, "default", true);
        HttpTestServer server = start(new AtomicRequestsFilter(Databases.of(db)),
                "/swallow", new Endpoint((request, response) -> {
                    insert(db, "a");
                    try {
                        insert(db, "a");   // duplicate key
                    } catch (SQLException ignored) {
                        events.add("caught duplicate");
                    }
                    response.getWriter().print("looks fine");
                }));

        assertThat(server.get("swallow").statusCode()).isEqualTo(500);
        assertThat(events).containsExactly("caught duplicate");
        assertThat(server.lastError()).isInstanceOf(TransactionManagementException.class);
        assertThat(items(db)).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void failingOnCommitHookKeepsTheServletsResponseAndTheData(TestDatabase kind) throws Exception {
        Database db = open(kind, "default", true);
        HttpTestServer server = start(new AtomicRequestsFilter(Databases.of(db)),
                "/insert", new Endpoint((request, response) -> {
                    insert(db, "a");
                    db.onCommit(() -> {
                        throw new IllegalStateException("mail server down");
                    });
                    response.setStatus(201);
                }));

        assertThat(server.get("insert").statusCode()).isEqualTo(201);
        server.awaitRequestFinished();
        assertThat(server.lastError()).isNull();
        assertThat(items(db)).containsExactly("a");
    }

    /**
     * With several databases the first alias commits first and runs its callbacks then; one that
     * fails there must not roll back the aliases that have not committed yet.
     */
    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void failingOnCommitHookOfTheFirstAliasLetsTheOthersCommit(TestDatabase kind) throws Exception {
        Database first = open(kind, "default", true);
        Database second = open(kind, "other", true);
        HttpTestServer server = start(new AtomicRequestsFilter(Databases.of(first, second)),
                "/both", new Endpoint((request, response) -> {
                    insert(first, "a");
                    insert(second, "b");
                    first.onCommit(() -> {
                        throw new IllegalStateException("mail server down");
                    });
                    second.onCommit(() -> events.add("other committed"));
                    response.getWriter().print("saved");
                }));

        HttpResponse<String> response = server.get("both");
        server.awaitRequestFinished();

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("saved");
        assertThat(events).containsExactly("other committed");
        assertThat(items(first)).containsExactly("a");
        assertThat(items(second)).containsExactly("b");
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void nonAtomicRequestsServletRunsInAutocommit(TestDatabase kind) throws Exception {
        Database db = open(kind, "default", true);
        HttpTestServer server = start(new AtomicRequestsFilter(Databases.of(db)),
                "/import", new Endpoint.NonAtomic((request, response) -> {
                    events.add("in block: " + db.inAtomicBlock());
                    insert(db, "a");
                    throw new IllegalStateException("import failed half-way");
                }));

        assertThat(server.get("import").statusCode()).isEqualTo(500);
        assertThat(events).containsExactly("in block: false");
        assertThat(items(db)).containsExactly("a");
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void startAsyncInsideAPerRequestBlockIsRefusedAndRollsBack(TestDatabase kind) throws Exception {
        Database db = open(kind, "default", true);
        HttpTestServer server = start(new AtomicRequestsFilter(Databases.of(db)),
                "/async", new Endpoint((request, response) -> {
                    insert(db, "a");
                    events.add("async supported: " + request.isAsyncSupported());
                    request.startAsync();
                }));

        assertThat(server.get("async").statusCode()).isEqualTo(500);
        assertThat(events).containsExactly("async supported: false");
        assertThat(server.lastError())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("startAsync() is refused")
                .hasMessageContaining("database 'default'")
                .hasMessageContaining("@NonAtomicRequests");
        assertThat(items(db)).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void nonAtomicRequestsServletMayGoAsync(TestDatabase kind) throws Exception {
        Database db = open(kind, "default", true);
        HttpTestServer server = start(new AtomicRequestsFilter(Databases.of(db)),
                "/async", new Endpoint.NonAtomic((request, response) -> {
                    AsyncContext async = request.startAsync();
                    async.start(() -> {
                        try {
                            db.atomic(() -> insert(db, "from async task"));
                            async.getResponse().getWriter().print("done");
                        } catch (Exception e) {
                            events.add("async task failed: " + e);
                        } finally {
                            async.complete();
                        }
                    });
                }));

        HttpResponse<String> response = server.get("async");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("done");
        assertThat(events).isEmpty();
        assertThat(items(db)).containsExactly("from async task");
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void slowRequestWarningNamesTheRequestAndTheDatabase(TestDatabase kind) throws Exception {
        Database db = open(kind, "default", true);
        AtomicRequestsFilter filter = AtomicRequestsFilter.builder(Databases.of(db))
                .slowRequestWarning(Duration.ZERO)
                .build();
        HttpTestServer server = HttpTestServer.with(filter)
                .serve("/insert", new Endpoint((request, response) -> insert(db, "a")))
                .serve("/outside", new Endpoint.NonAtomic((request, response) -> insert(db, "b")))
                .start();
        toClose.add(server);
        ListAppender<ILoggingEvent> log = captureFilterLog();

        server.get("insert?x=1");
        server.get("outside");

        assertThat(log.list).hasSize(1);
        ILoggingEvent warning = log.list.get(0);
        assertThat(warning.getLevel()).isEqualTo(Level.WARN);
        assertThat(warning.getFormattedMessage())
                .startsWith("GET /insert held its transaction on database 'default' for ")
                .contains("(warning threshold 0 ms)");
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void manyStatementsWarningNamesTheRequestTheDatabaseAndTheCount(TestDatabase kind) throws Exception {
        Database db = open(kind, "default", true);
        AtomicRequestsFilter filter = AtomicRequestsFilter.builder(Databases.of(db))
                .manyStatementsWarning(2)
                .build();
        HttpTestServer server = HttpTestServer.with(filter)
                .serve("/two", new Endpoint((request, response) -> {
                    insert(db, "a");
                    insert(db, "b");
                }))
                .serve("/three", new Endpoint((request, response) -> {
                    insert(db, "c");
                    insert(db, "d");
                    insert(db, "e");
                }))
                .start();
        toClose.add(server);
        ListAppender<ILoggingEvent> log = captureFilterLog();

        server.get("two");
        server.get("three");

        assertThat(log.list).hasSize(1);
        assertThat(log.list.get(0).getLevel()).isEqualTo(Level.WARN);
        assertThat(log.list.get(0).getFormattedMessage())
                .startsWith("GET /three ran 3 statements in its transaction on 'default' (warning threshold 2)");
        assertThat(items(db)).containsExactlyInAnyOrder("a", "b", "c", "d", "e");
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void unknownAliasInNonAtomicRequestsIsAnErrorNamingTheKnownOnes(TestDatabase kind) throws Exception {
        Database db = open(kind, "default", true);
        HttpTestServer server = start(new AtomicRequestsFilter(Databases.of(db)),
                "/typo", new Endpoint.NonAtomicOnTypo((request, response) -> insert(db, "a")));

        assertThat(server.get("typo").statusCode()).isEqualTo(500);
        assertThat(server.lastError())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(Endpoint.NonAtomicOnTypo.class.getName())
                .hasMessageContaining("'reprots'")
                .hasMessageContaining("Known aliases: default");
        assertThat(items(db)).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void concurrentRequestsEachHaveTheirOwnTransaction(TestDatabase kind) throws Exception {
        Database db = open(kind, "default", true);
        int requests = 8;
        CyclicBarrier allInside = new CyclicBarrier(requests);
        HttpTestServer server = start(new AtomicRequestsFilter(Databases.of(db)),
                "/work", new Endpoint((request, response) -> {
                    int number = Integer.parseInt(request.getParameter("n"));
                    // Every request is inside its block before any of them writes.
                    allInside.await(30, TimeUnit.SECONDS);
                    insert(db, "r" + number);
                    if (number % 2 == 1) {
                        throw new IllegalStateException("odd request " + number + " fails");
                    }
                }));

        List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
        for (int n = 0; n < requests; n++) {
            responses.add(server.getAsync("work?n=" + n));
        }

        for (int n = 0; n < requests; n++) {
            assertThat(responses.get(n).get(60, TimeUnit.SECONDS).statusCode()).isEqualTo(n % 2 == 0 ? 200 : 500);
        }
        assertThat(items(db)).containsExactly("r0", "r2", "r4", "r6");
    }

    // ---------------------------------------------------------------- several databases

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void firstAliasIsInnermostSoItCommitsFirst(TestDatabase kind) throws Exception {
        Database first = open(kind, "default", true);
        Database second = open(kind, "other", true);
        HttpTestServer server = start(new AtomicRequestsFilter(Databases.of(first, second)),
                "/both", new Endpoint((request, response) -> {
                    insert(first, "a");
                    insert(second, "b");
                    second.onCommit(() -> events.add("other committed"));
                    first.onCommit(() -> events.add("default committed"));
                }));

        assertThat(server.get("both").statusCode()).isEqualTo(200);
        server.awaitRequestFinished();   // the last alias's callbacks run after the response is sent
        assertThat(events).containsExactly("default committed", "other committed");
        assertThat(items(first)).containsExactly("a");
        assertThat(items(second)).containsExactly("b");
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void exceptionRollsBackEveryDatabase(TestDatabase kind) throws Exception {
        Database first = open(kind, "default", true);
        Database second = open(kind, "other", true);
        HttpTestServer server = start(new AtomicRequestsFilter(Databases.of(first, second)),
                "/both", new Endpoint((request, response) -> {
                    insert(first, "a");
                    insert(second, "b");
                    throw new IllegalStateException("boom");
                }));

        assertThat(server.get("both").statusCode()).isEqualTo(500);
        assertThat(items(first)).isEmpty();
        assertThat(items(second)).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void nonAtomicRequestsOnOneAliasKeepsTheOtherBlock(TestDatabase kind) throws Exception {
        Database first = open(kind, "default", true);
        Database second = open(kind, "other", true);
        HttpTestServer server = start(new AtomicRequestsFilter(Databases.of(first, second)),
                "/report", new Endpoint.NonAtomicOnOther((request, response) -> {
                    events.add("default " + first.inAtomicBlock() + ", other " + second.inAtomicBlock());
                    insert(first, "a");
                    insert(second, "b");
                    throw new IllegalStateException("boom");
                }));

        assertThat(server.get("report").statusCode()).isEqualTo(500);
        assertThat(events).containsExactly("default true, other false");
        assertThat(items(first)).isEmpty();
        assertThat(items(second)).containsExactly("b");
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void databaseWithoutAtomicRequestsIsNotWrapped(TestDatabase kind) throws Exception {
        Database first = open(kind, "default", true);
        Database second = open(kind, "other", false);
        HttpTestServer server = start(new AtomicRequestsFilter(Databases.of(first, second)),
                "/check", new Endpoint((request, response) ->
                        response.getWriter().print(first.inAtomicBlock() + "," + second.inAtomicBlock())));

        assertThat(server.get("check").body()).isEqualTo("true,false");
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void aliasesOptionChoosesTheDatabasesThatWrapRequests(TestDatabase kind) throws Exception {
        Database first = open(kind, "default", true);
        Database second = open(kind, "other", false);
        AtomicRequestsFilter filter = AtomicRequestsFilter.builder(Databases.of(first, second)).aliases("other").build();
        HttpTestServer server = start(filter,
                "/check", new Endpoint((request, response) ->
                        response.getWriter().print(first.inAtomicBlock() + "," + second.inAtomicBlock())));

        assertThat(server.get("check").body()).isEqualTo("false,true");
    }

    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = "SQLITE")
    void builderRefusesAnUnknownAliasAndANegativeThreshold(TestDatabase kind) throws Exception {
        Database db = open(kind, "default", true);
        AtomicRequestsFilter.Builder builder = AtomicRequestsFilter.builder(Databases.of(db));

        assertThatThrownBy(() -> builder.aliases("default", "reports"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("No database 'reports'. Known aliases: default.");
        assertThatThrownBy(() -> builder.slowRequestWarning(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("zero or more");
    }

    /**
     * The documented limit: databases commit one after another, first alias first. A deferred
     * foreign key makes the outer alias fail at COMMIT (PostgreSQL and SQLite check deferred
     * constraints at commit; H2 and MariaDB have none).
     */
    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = {"SQLITE", "POSTGRES"})
    void laterAliasFailingToCommitLeavesTheFirstAliasCommitted(TestDatabase kind) throws Exception {
        Database first = open(kind, "default", true);
        Database second = open(kind, "other", true);
        execute(second, "CREATE TABLE parent (id INTEGER PRIMARY KEY)",
                "CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER NOT NULL "
                        + "REFERENCES parent(id) DEFERRABLE INITIALLY DEFERRED)");
        HttpTestServer server = start(new AtomicRequestsFilter(Databases.of(first, second)),
                "/both", new Endpoint((request, response) -> {
                    insert(first, "a");
                    first.onCommit(() -> events.add("default committed"));
                    second.onCommit(() -> events.add("other committed"));
                    try (Connection connection = second.connection();
                         Statement statement = connection.createStatement()) {
                        statement.executeUpdate("INSERT INTO child (id, parent_id) VALUES (1, 42)");
                    }
                }));

        assertThat(server.get("both").statusCode()).isEqualTo(500);
        assertThat(server.lastError()).isNotNull();
        assertThat(events).containsExactly("default committed");
        assertThat(items(first)).containsExactly("a");
        assertThat(count(second, "child")).isZero();
    }

    // ---------------------------------------------------------------- helpers

    private HttpTestServer start(AtomicRequestsFilter filter, String path, Endpoint servlet) throws Exception {
        HttpTestServer server = HttpTestServer.with(filter).serve(path, servlet).start();
        toClose.add(server);
        return server;
    }

    /** A new empty database of this kind with an {@code item} table, behind a pooled Database. */
    private Database open(TestDatabase kind, String alias, boolean atomicRequests) throws SQLException {
        String url = kind.newDatabaseUrl("requests_" + alias);
        DataSource plain = kind.newPlainDataSource(url);
        Database database = Database.builder(url)
                .alias(alias)
                .user(kind.user())
                .password(kind.password())
                .atomicRequests(atomicRequests)
                .build();
        toClose.add(database);
        plainAccess.put(database, plain);
        execute(database, "CREATE TABLE item (name VARCHAR(100) NOT NULL PRIMARY KEY)");
        return database;
    }

    private void execute(Database database, String... statements) throws SQLException {
        try (Connection connection = plainAccess.get(database).getConnection();
             Statement statement = connection.createStatement()) {
            for (String sql : statements) {
                statement.execute(sql);
            }
        }
    }

    /** Inserts through atomic4j, as application code would: {@code db.dataSource()}. */
    private static void insert(Database database, String name) throws SQLException {
        try (Connection connection = database.dataSource().getConnection();
             PreparedStatement statement = connection.prepareStatement("INSERT INTO item (name) VALUES (?)")) {
            statement.setString(1, name);
            statement.executeUpdate();
        }
    }

    /** The committed rows, read on a connection of its own. */
    private List<String> items(Database database) {
        try (Connection connection = plainAccess.get(database).getConnection();
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

    private int count(Database database, String table) throws SQLException {
        try (Connection connection = plainAccess.get(database).getConnection();
             Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT COUNT(*) FROM " + table)) {
            rows.next();
            return rows.getInt(1);
        }
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
