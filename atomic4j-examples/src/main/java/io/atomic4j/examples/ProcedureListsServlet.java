package io.atomic4j.examples;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.atomic4j.Database;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * {@code GET /procedure-lists}, {@code GET /procedure-lists/{id}},
 * {@code POST /procedure-lists/{id}/enrollments {"user": "alice"}} and
 * {@code POST /procedure-lists/{id}/bulk-enrollments {"users": ["bob", "carol"]}}. Each request
 * runs in the per-request transaction of {@code AtomicRequestsFilter}.
 */
final class ProcedureListsServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private final transient Database db;
    private final transient ProcedureLists lists;

    ProcedureListsServlet(Database db, ProcedureLists lists) {
        this.db = db;
        this.lists = lists;
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String[] path = Paths.segments(request);
        if (path.length == 0) {
            Json.write(response, 200, lists.all());
        } else if (path.length == 1) {
            Json.write(response, 200, lists.find(Paths.id(path[0])));
        } else {
            throw Paths.unknown(request);
        }
    }

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String[] path = Paths.segments(request);
        if (path.length == 2 && path[1].equals("enrollments")) {
            enroll(Paths.id(path[0]), request, response);
        } else if (path.length == 2 && path[1].equals("bulk-enrollments")) {
            enrollMany(Paths.id(path[0]), request, response);
        } else {
            throw Paths.unknown(request);
        }
    }

    private void enroll(long listId, HttpServletRequest request, HttpServletResponse response) throws IOException {
        String user = Json.text(Json.body(request), "user", "{\"user\": \"alice\"}");
        Steps steps = Steps.of(request);
        ProcedureLists.Enrollment enrollment = lists.enroll(listId, user, steps);
        ObjectNode body = Json.object();
        body.put("message", user + " is enrolled in '" + enrollment.list() + "' with " + enrollment.states()
                + " procedures to do.");
        body.set("enrollment", Json.MAPPER.valueToTree(enrollment));
        body.set("steps", Json.MAPPER.valueToTree(steps.list()));
        Json.write(response, 201, body);
    }

    /**
     * Each user in a nested block (a savepoint): one who is already enrolled is skipped and the
     * others are kept. Partial rollback where the code asks for it; all-or-nothing otherwise: a
     * database failure still rolls back the whole request.
     */
    private void enrollMany(long listId, HttpServletRequest request, HttpServletResponse response) throws IOException {
        JsonNode users = Json.body(request).get("users");
        if (users == null || !users.isArray() || users.isEmpty()) {
            throw ApiError.badRequest("The body needs a \"users\" array, for example {\"users\": [\"bob\", \"carol\"]}.");
        }
        Steps steps = Steps.of(request);
        ArrayNode enrolled = Json.MAPPER.createArrayNode();
        ArrayNode skipped = Json.MAPPER.createArrayNode();
        for (JsonNode user : users) {
            String name = user.asText();
            try {
                db.atomic(() -> lists.enroll(listId, name, steps));
                enrolled.add(name);
            } catch (ApiError conflict) {
                steps.add("rolled back to the savepoint for " + name + ": " + conflict.getMessage());
                skipped.add(Json.object().put("user", name).put("reason", conflict.getMessage()));
            }
        }
        ObjectNode body = Json.object();
        body.put("message", "Enrolled " + enrolled.size() + ", skipped " + skipped.size() + ".");
        body.set("enrolled", enrolled);
        body.set("skipped", skipped);
        body.set("steps", Json.MAPPER.valueToTree(steps.list()));
        Json.write(response, 201, body);
    }
}
