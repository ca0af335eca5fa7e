package io.atomic4j.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.atomic4j.testing.TestDatabase;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What a newcomer sees when the demo cannot start (one line that says what to do) and the fault
 * switch's and the body checks' answers, over real HTTP.
 */
class DemoStartupTest {

    @Test
    void aBusyPortIsOneLineThatSaysWhatToDo() throws Exception {
        try (ServerSocket busy = new ServerSocket(0)) {
            DemoConfig config = DemoConfig.sqlite(java.nio.file.Files.createTempDirectory("demo-busy").resolve("d.db"),
                    busy.getLocalPort());
            Throwable failure = startFailure(config);
            String line = StartupProblem.explain(failure, config);
            assertThat(line).startsWith("Port " + busy.getLocalPort() + " is already in use").contains("PORT=")
                    .doesNotContain("\n");
        }
    }

    @Test
    void aBadPortSaysWhatIsAllowed() {
        assertThatThrownBy(() -> DemoConfig.fromEnvironment(Map.of("PORT", "70000")))
                .hasMessageContaining("from 0 to 65535").hasMessageContaining("'70000'");
    }

    @Test
    void aUrlWithoutADriverNamesTheUrlRedactedAndTheMissingDriver() throws Exception {
        DemoConfig config = new DemoConfig("jdbc:nosuchdb://db.example:1/demo?password=hunter2", null, null, 0);
        String line = StartupProblem.explain(startFailure(config), config);
        assertThat(line).startsWith("No JDBC driver for DATABASE_URL jdbc:nosuchdb://db.example:1/demo")
                .doesNotContain("hunter2").doesNotContain("..");
    }

    @Test
    void aServerThatIsDownNamesTheUrlAndSaysSo() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        DemoConfig config = new DemoConfig("jdbc:postgresql://localhost:" + closedPort + "/demo", "demo", "s3cret-pw", 0);
        String line = StartupProblem.explain(startFailure(config), config);
        assertThat(line).startsWith("Could not connect to the database at jdbc:postgresql://localhost:" + closedPort + "/demo")
                .contains("Is the server running").doesNotContain("s3cret-pw").doesNotContain("..");
    }

    @Test
    void theFaultSwitchRefusesAFractionAndTheBodyCheckReadsWell() throws Exception {
        String url = TestDatabase.SQLITE.newDatabaseUrl("demo_startup");
        try (DemoService service = DemoService.start(new DemoConfig(url, null, null, 0))) {
            HttpClient client = HttpClient.newHttpClient();
            HttpResponse<String> fraction = client.send(HttpRequest.newBuilder(service.uri().resolve("/faults"))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"failAfterStatements\": 1.5}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(fraction.statusCode()).isEqualTo(400);
            assertThat(Json.MAPPER.readTree(fraction.body()).path("message").asText()).contains("whole number").contains("1.5");

            HttpResponse<String> noEmail = client.send(HttpRequest.newBuilder(service.uri().resolve("/registrations"))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"name\": \"Erin\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            JsonNode json = Json.MAPPER.readTree(noEmail.body());
            assertThat(noEmail.statusCode()).isEqualTo(400);
            assertThat(json.path("message").asText()).startsWith("The body needs the text field \"email\"");
        }
    }

    @Test
    void everyErrorIsJsonOfOneShape() throws Exception {
        String url = TestDatabase.SQLITE.newDatabaseUrl("demo_errors");
        try (DemoService service = DemoService.start(new DemoConfig(url, null, null, 0))) {
            HttpClient client = HttpClient.newHttpClient();
            String big = "{\"user\": \"" + "a".repeat(Json.MAX_BODY_BYTES) + "\"}";
            assertError(client.send(HttpRequest.newBuilder(service.uri().resolve("/procedure-lists/1/enrollments"))
                    .POST(HttpRequest.BodyPublishers.ofString(big)).build(), HttpResponse.BodyHandlers.ofString()),
                    413, "64 KiB");
            assertError(client.send(HttpRequest.newBuilder(service.uri().resolve("/procedure-lists"))
                    .DELETE().build(), HttpResponse.BodyHandlers.ofString()), 405, "DELETE /procedure-lists is not supported");
            assertError(client.send(HttpRequest.newBuilder(service.uri().resolve("/procedure-lists"))
                    .method("BREW", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString()),
                    501, "BREW is not known");
            assertError(client.send(HttpRequest.newBuilder(service.uri().resolve("/nothing-here")).GET().build(),
                    HttpResponse.BodyHandlers.ofString()), 404, "/nothing-here");
        }
    }

    private static void assertError(HttpResponse<String> response, int status, String text) throws Exception {
        assertThat(response.statusCode()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
        JsonNode json = Json.MAPPER.readTree(response.body());
        assertThat(json.path("message").asText()).contains(text);
        assertThat(json.has("outcome")).isTrue();
    }

    private static Throwable startFailure(DemoConfig config) {
        try {
            DemoService.start(config).close();
        } catch (Exception e) {
            return e;
        }
        throw new AssertionError("the demo started on " + config);
    }
}
