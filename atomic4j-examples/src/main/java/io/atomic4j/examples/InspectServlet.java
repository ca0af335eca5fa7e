package io.atomic4j.examples;

import io.atomic4j.servlet.NonAtomicRequests;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;

/**
 * What the world outside the transaction sees: {@code GET /tables} (committed row counts, read
 * by {@link Inspector} on its own connection), {@code GET /outbox} (welcome messages sent; {@code ?atLeast=N} waits for N) and
 * {@code GET /payments} (the provider's ledger). No per-request transaction: nothing to roll back.
 */
@NonAtomicRequests
final class InspectServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private final transient Inspector inspector;
    private final transient Mailbox mailbox;
    private final transient PaymentProvider payments;

    InspectServlet(Inspector inspector, Mailbox mailbox, PaymentProvider payments) {
        this.inspector = inspector;
        this.mailbox = mailbox;
        this.payments = payments;
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        switch (request.getServletPath()) {
            case "/tables":
                Json.write(response, 200, inspector.rowCounts());
                break;
            case "/outbox":
                // ?atLeast=N waits (up to 10 s) for N messages: they go out just after the commit.
                String atLeast = request.getParameter("atLeast");
                try {
                    Json.write(response, 200, atLeast == null ? mailbox.sent()
                            : mailbox.awaitSent(Integer.parseInt(atLeast), Duration.ofSeconds(10)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    Json.write(response, 200, mailbox.sent());
                }
                break;
            case "/payments":
                Json.write(response, 200, payments.ledger());
                break;
            default:
                throw Paths.unknown(request);
        }
    }
}
