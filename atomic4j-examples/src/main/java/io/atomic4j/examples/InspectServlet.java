package io.atomic4j.examples;

import io.atomic4j.servlet.NonAtomicRequests;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * What the world outside the transaction sees: {@code GET /tables} (committed row counts, read
 * by {@link Inspector} on its own connection), {@code GET /outbox} (welcome messages sent) and
 * {@code GET /payments} (the provider's ledger). No per-request transaction: nothing to roll back.
 */
@NonAtomicRequests
final class InspectServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private final transient Inspector inspector;
    private final transient Outbox outbox;
    private final transient PaymentProvider payments;

    InspectServlet(Inspector inspector, Outbox outbox, PaymentProvider payments) {
        this.inspector = inspector;
        this.outbox = outbox;
        this.payments = payments;
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        switch (request.getServletPath()) {
            case "/tables":
                Json.write(response, 200, inspector.rowCounts());
                break;
            case "/outbox":
                Json.write(response, 200, outbox.sent());
                break;
            case "/payments":
                Json.write(response, 200, payments.ledger());
                break;
            default:
                throw Paths.unknown(request);
        }
    }
}
