package io.atomic4j.examples;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * {@code java -jar atomic4j-examples.jar tour}: starts the service on a throw-away SQLite
 * database, runs every seed scenario over HTTP, and prints for each what was attempted, what the
 * service answered, and what the database (and the outbox and the payment provider) hold
 * afterwards, checked against what the scenario expects.
 */
final class Tour {
    /** The service under tour; replaced when the crash scenario restarts it. */
    private DemoService service;
    private URI base;
    private final PrintStream out;
    private final HttpClient client = HttpClient.newHttpClient();
    private int scenarios;
    private final List<Integer> unexpected = new ArrayList<>();
    /** False once a request of the current scenario answered another status than expected. */
    private boolean statusesAsExpected = true;

    private Tour(DemoService service, PrintStream out) {
        this.service = service;
        this.base = service.uri();
        this.out = out;
    }

    /** The tour prints its own account; the service's warnings would only repeat it. */
    static void quietServiceLog() {
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "error");
        System.setProperty("org.slf4j.simpleLogger.log.io.atomic4j", "error");
    }

    /** Runs every scenario; true when each ended as expected. */
    static boolean run(PrintStream out) throws Exception {
        Path directory = Files.createTempDirectory("atomic4j-tour-");
        try {
            Path file = directory.resolve("tour.db");
            DemoConfig config = DemoConfig.sqlite(file, 0);
            // The payment provider and the mail server are the outside world: they outlive a restart.
            PaymentProvider payments = new PaymentProvider();
            Mailbox mailbox = new Mailbox();
            Tour tour = new Tour(DemoService.start(config, payments, mailbox), out);
            try {
                out.println("atomic4j demo tour: every scenario over HTTP against a throw-away SQLite database");
                out.println("(" + file + "), each request in one transaction (AtomicRequestsFilter).");
                return tour.allScenarios(config, payments, mailbox);
            } finally {
                tour.service.close();
            }
        } finally {
            deleteRecursively(directory);
        }
    }

    private boolean allScenarios(DemoConfig config, PaymentProvider payments, Mailbox mailbox) throws Exception {
        scenario("Enroll alice in 'Onboarding'",
                "One procedure_user row, then one procedure_state row per procedure in a single JDBC batch.");
        request("POST", "/procedure-lists/1/enrollments", "{\"user\": \"alice\"}", 201);
        expect(new int[] {1, 4, 0, 0}, 0, 0);

        scenario("Enroll alice again",
                "The insert fails on the unique key inside a nested block (a savepoint): only it is undone, "
                        + "the service answers 409, and the earlier rows are untouched.");
        request("POST", "/procedure-lists/1/enrollments", "{\"user\": \"alice\"}", 409);
        expect(new int[] {1, 4, 0, 0}, 0, 0);

        scenario("The database fails in the middle of an enrollment",
                "The fault switch lets 2 statements through and cuts the connection at the 3rd: bob's procedure_user "
                        + "row is already written when the procedure_state batch fails. The whole request rolls back.");
        request("POST", "/faults", "{\"failAfterStatements\": 2}", 200);
        request("POST", "/procedure-lists/1/enrollments", "{\"user\": \"bob\"}", 503);
        expect(new int[] {1, 4, 0, 0}, 0, 0);

        scenario("Enroll several users, skipping those already enrolled",
                "Each user gets a nested block: alice's conflict rolls back to her savepoint only; carol and dave stay.");
        request("POST", "/procedure-lists/1/bulk-enrollments", "{\"users\": [\"carol\", \"alice\", \"dave\"]}", 201);
        expect(new int[] {3, 12, 0, 0}, 0, 0);

        scenario("Register erin; the payment provider is up",
                "Insert the user, charge the fee, store the payment id; the welcome message is enqueued in the outbox "
                        + "in the same transaction and sent just after the commit.");
        request("POST", "/registrations", "{\"email\": \"erin@example.com\", \"name\": \"Erin\"}", 201);
        expect(new int[] {3, 12, 1, 0}, 1, 1);

        scenario("Register frank while the payment provider is down",
                "The user is stored anyway, with an unpaid_users row; the welcome message still goes out after the commit.");
        request("POST", "/faults", "{\"paymentProvider\": \"down\"}", 200);
        request("POST", "/registrations", "{\"email\": \"frank@example.com\", \"name\": \"Frank\"}", 201);
        expect(new int[] {3, 12, 2, 1}, 2, 1);

        scenario("The database fails after grace was charged",
                "The provider is up again and the fault switch cuts the connection at the 2nd statement, after the "
                        + "charge: no user row, no welcome message, and the onRollback hook refunds the charge.");
        request("POST", "/faults", "{\"paymentProvider\": \"up\", \"failAfterStatements\": 1}", 200);
        request("POST", "/registrations", "{\"email\": \"grace@example.com\", \"name\": \"Grace\"}", 503);
        expect(new int[] {3, 12, 2, 1}, 2, 3);

        scenario("Register erin twice",
                "The duplicate email fails in a savepoint before any charge: 409, nothing charged, nothing sent.");
        request("POST", "/registrations", "{\"email\": \"erin@example.com\", \"name\": \"Erin again\"}", 409);
        expect(new int[] {3, 12, 2, 1}, 2, 3);

        scenario("The service dies between the commit and the welcome mail",
                "Register heidi; the service stops right after the COMMIT, before the outbox hands the mail to a worker "
                        + "(the tour drops that hand-over, as a kill would). The task committed with the user: the "
                        + "restarted service claims it once its lease (2 s here) has expired, and the mail goes out.");
        service.dropNextMailHandOver();
        request("POST", "/registrations", "{\"email\": \"heidi@example.com\", \"name\": \"Heidi\"}", 201);
        out.println("   (the service dies here, before the mail, and starts again on the same database)");
        service.close();
        service = DemoService.start(config, payments, mailbox);
        base = service.uri();
        expect(new int[] {3, 12, 3, 1}, 3, 4);

        out.println();
        if (unexpected.isEmpty()) {
            out.println("All " + scenarios + " scenarios ended as expected.");
        } else {
            out.println(unexpected.size() + " of " + scenarios + " scenarios did NOT end as expected: " + unexpected + ".");
        }
        return unexpected.isEmpty();
    }

    private void scenario(String title, String what) {
        scenarios++;
        statusesAsExpected = true;
        out.println();
        out.println(scenarios + ". " + title);
        out.println("   " + what);
    }

    private void request(String method, String path, String body, int expectedStatus)
            throws IOException, InterruptedException {
        out.println("   $ curl -s -X " + method + " localhost:8080" + path + " -d '" + body + "'");
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(base.resolve(path))
                .method(method, HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        JsonNode json = Json.MAPPER.readTree(response.body());
        out.println("   -> " + response.statusCode() + " " + json.path("message").asText());
        if (response.statusCode() != expectedStatus) {
            statusesAsExpected = false;
            out.println("   NOT AS EXPECTED: wanted status " + expectedStatus);
        }
        if (json.has("error")) {
            out.println("      error: " + json.get("error").asText());
        }
        for (JsonNode step : json.path("steps")) {
            out.println("      - " + step.asText());
        }
    }

    /** Prints what the database, the outbox and the provider hold, and compares with the expectation. */
    private void expect(int[] rows, int messages, int ledgerEntries) throws IOException, InterruptedException {
        JsonNode tables = get("/tables");
        JsonNode outbox = get("/outbox?atLeast=" + messages); // mails go out just after the commit
        JsonNode ledger = get("/payments");
        StringBuilder held = new StringBuilder("   database holds:");
        boolean asExpected = statusesAsExpected && outbox.size() == messages && ledger.size() == ledgerEntries;
        for (int i = 0; i < Inspector.TABLES.size(); i++) {
            int count = tables.path(Inspector.TABLES.get(i)).asInt(-1);
            held.append(' ').append(Inspector.TABLES.get(i)).append('=').append(count);
            asExpected &= count == rows[i];
        }
        out.println(held);
        out.println("   outbox: " + (outbox.isEmpty() ? "nothing sent" : join(outbox)));
        out.println("   payments: " + (ledger.isEmpty() ? "none" : join(ledger)));
        if (!asExpected) {
            unexpected.add(scenarios);
            out.println("   NOT AS EXPECTED: wanted rows " + Arrays.toString(rows) + ", " + messages
                    + " message(s), " + ledgerEntries + " payment entries");
        }
    }

    private JsonNode get(String path) throws IOException, InterruptedException {
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(base.resolve(path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        return Json.MAPPER.readTree(response.body());
    }

    private static String join(JsonNode array) {
        List<String> items = new ArrayList<>();
        array.forEach(item -> items.add(item.asText()));
        return String.join("; ", items);
    }

    private static void deleteRecursively(Path directory) throws IOException {
        try (Stream<Path> paths = Files.walk(directory)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.delete(path);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
