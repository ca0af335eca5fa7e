package io.atomic4j.examples;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.atomic4j.servlet.NonAtomicRequests;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * The fault switch: {@code POST /faults} with {@code {"failAfterStatements": 2}} (the database
 * connection is lost at the 3rd statement from now), {@code {"paymentProvider": "down"}} or
 * {@code "up"}, or {@code {"clear": true}}; {@code GET /faults} shows the settings. It touches no
 * database, so it opts out of the per-request transaction.
 */
@NonAtomicRequests
final class FaultsServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private final transient FaultSwitch faults;
    private final transient PaymentProvider payments;

    FaultsServlet(FaultSwitch faults, PaymentProvider payments) {
        this.faults = faults;
        this.payments = payments;
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Json.write(response, 200, describe("Current fault settings."));
    }

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        ObjectNode body = Json.body(request);
        StringBuilder message = new StringBuilder();
        boolean understood = false;
        if (body.path("clear").asBoolean(false)) {
            faults.clear();
            payments.setDown(false);
            message.append("Cleared: the database and the payment provider work normally. ");
            understood = true;
        }
        JsonNode statements = body.get("failAfterStatements");
        if (statements != null) {
            if (!statements.isIntegralNumber() || !statements.canConvertToInt() || statements.asInt() < 0) {
                throw ApiError.badRequest("\"failAfterStatements\" must be a whole number, 0 or more; got " + statements + ".");
            }
            faults.failAfter(statements.asInt());
            message.append("The database connection will be lost at statement ").append(statements.asInt() + 1)
                    .append(" from now (").append(statements.asInt()).append(" more will work first). ");
            understood = true;
        }
        JsonNode provider = body.get("paymentProvider");
        if (provider != null) {
            String state = provider.asText();
            if (!state.equals("down") && !state.equals("up")) {
                throw ApiError.badRequest("\"paymentProvider\" must be \"down\" or \"up\".");
            }
            payments.setDown(state.equals("down"));
            message.append("The payment provider is ").append(state).append(". ");
            understood = true;
        }
        if (!understood) {
            throw ApiError.badRequest("Send {\"failAfterStatements\": 2}, {\"paymentProvider\": \"down\"} or \"up\", "
                    + "or {\"clear\": true}.");
        }
        Json.write(response, 200, describe(message.toString().trim()));
    }

    private ObjectNode describe(String message) {
        int remaining = faults.remaining();
        ObjectNode body = Json.object().put("message", message);
        body.put("database", remaining < 0 ? "healthy"
                : "the connection will be lost at statement " + (remaining + 1) + " from now");
        body.put("paymentProvider", payments.isDown() ? "down" : "up");
        return body;
    }
}
