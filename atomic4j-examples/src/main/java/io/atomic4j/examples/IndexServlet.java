package io.atomic4j.examples;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.atomic4j.servlet.NonAtomicRequests;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/** {@code GET /}: what the service offers. Any other unmapped path: a 404 in JSON. */
@NonAtomicRequests
final class IndexServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private final String database;

    IndexServlet(String database) {
        this.database = database;
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (!request.getRequestURI().equals("/")) {
            throw Paths.unknown(request);
        }
        if (MetricsServlet.wantsPage(request)) {
            MetricsServlet.writePage(response);
            return;
        }
        ObjectNode endpoints = Json.object()
                .put("GET /procedure-lists", "the procedure lists and their procedures")
                .put("POST /procedure-lists/{id}/enrollments", "{\"user\": \"alice\"}: one procedure_user row + one procedure_state row per procedure")
                .put("POST /procedure-lists/{id}/bulk-enrollments", "{\"users\": [\"bob\", \"carol\"]}: a savepoint per user; already enrolled ones are skipped")
                .put("GET /enrollments/{user}", "the user's enrollments and states")
                .put("POST /registrations", "{\"email\": \"erin@example.com\", \"name\": \"Erin\"}: charge, store, welcome message after commit")
                .put("GET /users", "registered users, paid or unpaid")
                .put("POST /faults", "{\"failAfterStatements\": 2} | {\"paymentProvider\": \"down\"} | {\"clear\": true}")
                .put("GET /faults", "the fault settings")
                .put("GET /tables", "committed row counts, read on a separate connection")
                .put("GET /outbox", "welcome messages sent (only after a commit)")
                .put("GET /payments", "the payment provider's charges and refunds")
                .put("GET /metrics", "transaction metrics, Prometheus text format (a browser at / gets a live chart of them)");
        ObjectNode body = Json.object()
                .put("service", "atomic4j demo: every request runs in one transaction (AtomicRequestsFilter)")
                .put("database", database);
        body.set("endpoints", endpoints);
        Json.write(response, 200, body);
    }
}
