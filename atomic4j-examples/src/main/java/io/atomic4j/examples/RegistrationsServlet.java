package io.atomic4j.examples;

import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * {@code POST /registrations {"email": "erin@example.com", "name": "Erin"}} and
 * {@code GET /users}, in the per-request transaction.
 */
final class RegistrationsServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private final transient Registrations registrations;

    RegistrationsServlet(Registrations registrations) {
        this.registrations = registrations;
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (!request.getServletPath().equals("/users")) {
            throw Paths.unknown(request);
        }
        Json.write(response, 200, registrations.all());
    }

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (!request.getServletPath().equals("/registrations")) {
            throw Paths.unknown(request);
        }
        ObjectNode json = Json.body(request);
        String example = "{\"email\": \"erin@example.com\", \"name\": \"Erin\"}";
        String email = Json.text(json, "email", example);
        String name = Json.text(json, "name", example);
        Steps steps = Steps.of(request);
        Registrations.Registration registration = registrations.register(email, name, steps);
        ObjectNode body = Json.object();
        body.put("message", registration.unpaid()
                ? name + " is registered as unpaid (the payment provider is down); the welcome message goes out after the commit."
                : name + " is registered and paid (" + registration.paymentId() + "); the welcome message goes out after the commit.");
        body.set("registration", Json.MAPPER.valueToTree(registration));
        body.set("steps", Json.MAPPER.valueToTree(steps.list()));
        Json.write(response, 201, body);
    }
}
