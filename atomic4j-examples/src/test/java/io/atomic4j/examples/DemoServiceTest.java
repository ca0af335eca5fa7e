package io.atomic4j.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.atomic4j.testing.TestDatabase;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The demo service on a free port, driven over HTTP like a user with curl, on every database;
 * each test then reads the rows on a connection of its own.
 */
class DemoServiceTest {
    /** Welcome mails go out just after the commit, on an outbox worker. */
    private static final Duration MAIL_WAIT = Duration.ofSeconds(30);

    private final HttpClient client = HttpClient.newHttpClient();
    private DemoService service;
    private DataSource plain;
    private DemoConfig config;

    @AfterEach
    void stop() {
        if (service != null) {
            service.close();
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void enrollmentWritesOneProcedureUserRowAndOneStateRowPerProcedure(TestDatabase kind) throws Exception {
        start(kind);

        Reply reply = post("/procedure-lists/1/enrollments", "{\"user\": \"alice\"}");

        assertThat(reply.status).isEqualTo(201);
        assertThat(reply.json.path("message").asText()).isEqualTo("alice is enrolled in 'Onboarding' with 4 procedures to do.");
        assertThat(strings("SELECT user_name FROM procedure_user")).containsExactly("alice");
        assertThat(strings("SELECT s.state FROM procedure_state s JOIN procedure_user u ON u.id = s.procedure_user_id "
                + "WHERE u.user_name = 'alice'")).containsExactly("todo", "todo", "todo", "todo");
        JsonNode enrollments = get("/enrollments/alice").json.path("enrollments");
        assertThat(enrollments).hasSize(1);
        assertThat(enrollments.get(0).path("states")).hasSize(4);
        assertThat(enrollments.get(0).path("states").get(0).path("procedure").asText()).isEqualTo("Sign the contract");
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void enrollingTwiceAnswers409AndKeepsTheFirstEnrollment(TestDatabase kind) throws Exception {
        start(kind);
        post("/procedure-lists/1/enrollments", "{\"user\": \"alice\"}");

        Reply again = post("/procedure-lists/1/enrollments", "{\"user\": \"alice\"}");

        assertThat(again.status).isEqualTo(409);
        assertThat(again.json.path("message").asText()).isEqualTo("alice is already enrolled in 'Onboarding'.");
        assertThat(count("procedure_user")).isEqualTo(1);
        assertThat(count("procedure_state")).isEqualTo(4);
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void databaseFailingMidEnrollmentLeavesNoRowsAndSaysSo(TestDatabase kind) throws Exception {
        start(kind);
        assertThat(post("/faults", "{\"failAfterStatements\": 2}").status).isEqualTo(200);

        Reply failed = post("/procedure-lists/1/enrollments", "{\"user\": \"bob\"}");

        assertThat(failed.status).isEqualTo(503);
        assertThat(failed.json.path("outcome").asText()).isEqualTo("rolled back");
        assertThat(failed.json.path("error").asText()).contains("statement 3").contains("INSERT INTO procedure_state");
        assertThat(texts(failed.json.path("steps")))
                .contains("inserted procedure_user #1 (bob in 'Onboarding')", "the transaction was rolled back");
        assertThat(failed.json.path("databaseNowHolds").path("procedure_user").asInt(-1)).isZero();
        assertThat(count("procedure_user")).isZero();
        assertThat(count("procedure_state")).isZero();

        // The fault fires once: the next request finds the database back.
        assertThat(post("/procedure-lists/1/enrollments", "{\"user\": \"bob\"}").status).isEqualTo(201);
        assertThat(count("procedure_state")).isEqualTo(4);
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void bulkEnrollmentSkipsTheUserAlreadyEnrolledAndKeepsTheOthers(TestDatabase kind) throws Exception {
        start(kind);
        post("/procedure-lists/1/enrollments", "{\"user\": \"alice\"}");

        Reply reply = post("/procedure-lists/1/bulk-enrollments", "{\"users\": [\"carol\", \"alice\", \"dave\"]}");

        assertThat(reply.status).isEqualTo(201);
        assertThat(texts(reply.json.path("enrolled"))).containsExactly("carol", "dave");
        assertThat(reply.json.path("skipped").get(0).path("user").asText()).isEqualTo("alice");
        assertThat(strings("SELECT user_name FROM procedure_user ORDER BY user_name")).containsExactly("alice", "carol", "dave");
        assertThat(count("procedure_state")).isEqualTo(12);
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void databaseFailingInBulkEnrollmentRollsBackEveryUser(TestDatabase kind) throws Exception {
        start(kind);
        // carol: read, insert, batch; dave: read, insert, then the batch fails.
        post("/faults", "{\"failAfterStatements\": 5}");

        Reply reply = post("/procedure-lists/1/bulk-enrollments", "{\"users\": [\"carol\", \"dave\"]}");

        assertThat(reply.status).isEqualTo(503);
        assertThat(count("procedure_user")).isZero();
        assertThat(count("procedure_state")).isZero();
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void paidRegistrationStoresThePaymentIdAndSendsTheWelcomeAfterCommit(TestDatabase kind) throws Exception {
        start(kind);

        Reply reply = post("/registrations", "{\"email\": \"erin@example.com\", \"name\": \"Erin\"}");

        assertThat(reply.status).isEqualTo(201);
        assertThat(strings("SELECT payment_id FROM users WHERE email = 'erin@example.com'")).containsExactly("pay_0001");
        assertThat(count("unpaid_users")).isZero();
        assertThat(service.mailbox().awaitSent(1, MAIL_WAIT)).containsExactly("to erin@example.com: Welcome to the demo, Erin!");
        assertThat(texts(get("/outbox").json)).containsExactly("to erin@example.com: Welcome to the demo, Erin!");
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void registrationWhileTheProviderIsDownStoresAnUnpaidUser(TestDatabase kind) throws Exception {
        start(kind);
        post("/faults", "{\"paymentProvider\": \"down\"}");

        Reply reply = post("/registrations", "{\"email\": \"frank@example.com\", \"name\": \"Frank\"}");

        assertThat(reply.status).isEqualTo(201);
        assertThat(reply.json.path("registration").path("unpaid").asBoolean()).isTrue();
        assertThat(strings("SELECT u.email FROM users u JOIN unpaid_users p ON p.user_id = u.id"))
                .containsExactly("frank@example.com");
        assertThat(strings("SELECT payment_id FROM users")).containsOnlyNulls();
        assertThat(service.payments().ledger()).isEmpty();
        assertThat(service.mailbox().awaitSent(1, MAIL_WAIT)).hasSize(1);
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void databaseFailingAfterTheChargeRefundsItAndSendsNothing(TestDatabase kind) throws Exception {
        start(kind);
        post("/faults", "{\"failAfterStatements\": 1}");

        Reply reply = post("/registrations", "{\"email\": \"grace@example.com\", \"name\": \"Grace\"}");

        assertThat(reply.status).isEqualTo(503);
        assertThat(texts(reply.json.path("steps"))).endsWith("the transaction was rolled back", "onRollback hook: refunded pay_0001");
        assertThat(count("users")).isZero();
        assertThat(service.payments().ledger())
                .containsExactly("charged pay_0001 EUR 10.00 to grace@example.com", "refunded pay_0001");
        assertThat(service.mailbox().sent()).isEmpty();
        assertThat(count("atomic4j_outbox")).as("no task left for a rolled-back registration").isZero();
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void registeringAnEmailTwiceAnswers409WithoutCharging(TestDatabase kind) throws Exception {
        start(kind);
        post("/registrations", "{\"email\": \"erin@example.com\", \"name\": \"Erin\"}");

        Reply again = post("/registrations", "{\"email\": \"erin@example.com\", \"name\": \"Erin again\"}");

        assertThat(again.status).isEqualTo(409);
        assertThat(strings("SELECT name FROM users")).containsExactly("Erin");
        assertThat(service.payments().ledger()).hasSize(1);
        assertThat(service.mailbox().awaitSent(1, MAIL_WAIT)).hasSize(1);
    }

    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = "SQLITE")
    void malformedRequestsAreExplainedInPlainWords(TestDatabase kind) throws Exception {
        start(kind);

        Reply notJson = post("/procedure-lists/1/enrollments", "alice");
        Reply noUser = post("/procedure-lists/1/enrollments", "{\"name\": \"alice\"}");
        Reply noList = post("/procedure-lists/9/enrollments", "{\"user\": \"alice\"}");
        Reply badFault = post("/faults", "{\"failAfterStatements\": -1}");
        Reply unknown = get("/nothing-here");

        assertThat(notJson.status).isEqualTo(400);
        assertThat(notJson.json.path("message").asText()).startsWith("The request body is not valid JSON");
        assertThat(noUser.status).isEqualTo(400);
        assertThat(noUser.json.path("message").asText()).contains("\"user\"");
        assertThat(noList.status).isEqualTo(404);
        assertThat(noList.json.path("message").asText()).isEqualTo("There is no procedure list 9. GET /procedure-lists shows the lists.");
        assertThat(badFault.status).isEqualTo(400);
        assertThat(unknown.status).isEqualTo(404);
        assertThat(count("procedure_user")).isZero();
    }

    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = "SQLITE")
    void restartKeepsTheDataAndSeedsOnlyOnce(TestDatabase kind) throws Exception {
        start(kind);
        post("/procedure-lists/1/enrollments", "{\"user\": \"alice\"}");
        service.close();

        service = DemoService.start(config);

        assertThat(get("/procedure-lists").json).hasSize(2);
        assertThat(count("procedures")).isEqualTo(7);
        assertThat(count("procedure_user")).isEqualTo(1);
    }

    // ---------------------------------------------------------------- helpers

    private record Reply(int status, JsonNode json) {
    }

    private void start(TestDatabase kind) throws Exception {
        String url = kind.newDatabaseUrl("demo");
        plain = kind.newPlainDataSource(url);
        config = new DemoConfig(url, kind.user(), kind.password(), 0);
        service = DemoService.start(config);
    }

    private Reply post(String path, String body) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(service.uri().resolve(path))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    private Reply get(String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(service.uri().resolve(path)).GET().build());
    }

    private Reply send(HttpRequest request) throws IOException, InterruptedException {
        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("application/json"));
        return new Reply(response.statusCode(), Json.MAPPER.readTree(response.body()));
    }

    private static List<String> texts(JsonNode array) {
        List<String> texts = new ArrayList<>();
        array.forEach(item -> texts.add(item.asText()));
        return texts;
    }

    private int count(String table) throws SQLException {
        return Integer.parseInt(strings("SELECT COUNT(*) FROM " + table).get(0));
    }

    /** The first column of every row, read on a connection of the test's own. */
    private List<String> strings(String sql) throws SQLException {
        try (Connection connection = plain.getConnection();
             PreparedStatement statement = connection.prepareStatement(sql);
             ResultSet rows = statement.executeQuery()) {
            List<String> values = new ArrayList<>();
            while (rows.next()) {
                values.add(rows.getString(1));
            }
            return values;
        }
    }
}
