package io.atomic4j.examples;

import io.atomic4j.Database;
import io.atomic4j.outbox.Outbox;
import java.util.List;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;

/**
 * Seed 002: registering a user calls the payment provider. Paid: the user row gets the payment
 * id. Provider down: the user is stored anyway, plus an {@code unpaid_users} row. Either way the
 * welcome message is enqueued in the atomic4j outbox in the request's transaction, so a
 * registration that rolls back sends nothing and one that commits sends it even if the service
 * dies right after the commit; a charge made before a rollback is refunded by an
 * {@code onRollback} hook.
 * Thread-safe.
 */
final class Registrations {
    record Registration(long userId, String email, String name, String paymentId, boolean unpaid) {
    }

    record User(long id, String email, String name, String paymentId, String unpaidReason) {
    }

    private final Database db;
    private final Jdbi jdbi;
    private final PaymentProvider payments;
    private final Outbox outbox;
    static final String WELCOME_MAIL = "welcome-mail";

    Registrations(Database db, Jdbi jdbi, PaymentProvider payments, Outbox outbox) {
        this.db = db;
        this.jdbi = jdbi;
        this.payments = payments;
        this.outbox = outbox;
    }

    /**
     * Statement 1 inserts the user; then the provider is called; statement 2 stores the payment
     * id, or the unpaid_users row when the provider is down.
     */
    Registration register(String email, String name, Steps steps) {
        long userId;
        try {
            // A savepoint, so a duplicate email answers 409 without marking the request for rollback.
            userId = db.atomic(() -> jdbi.withHandle(handle -> handle
                    .createUpdate("INSERT INTO users (email, name) VALUES (:email, :name)")
                    .bind("email", email).bind("name", name)
                    .executeAndReturnGeneratedKeys("id").mapTo(Long.class).one()));
        } catch (JdbiException e) {
            if (Failures.isIntegrityViolation(e)) {
                throw ApiError.conflict(email + " is already registered; nothing was charged.");
            }
            throw e;
        }
        steps.add("inserted users #" + userId + " (" + email + ")");

        String paymentId = null;
        try {
            paymentId = payments.charge(email);
            String charged = paymentId;
            steps.add("payment provider charged " + PaymentProvider.euros(PaymentProvider.FEE_CENTS) + " as " + charged);
            // The provider is outside the database: if this transaction rolls back, give the money back.
            db.onRollback(() -> {
                payments.refund(charged);
                steps.addByHook("onRollback hook: refunded " + charged);
            });
            jdbi.useHandle(handle -> handle.createUpdate("UPDATE users SET payment_id = :payment WHERE id = :id")
                    .bind("payment", charged).bind("id", userId).execute());
            steps.add("stored payment id " + charged + " on users #" + userId);
        } catch (PaymentProvider.Unavailable down) {
            steps.add("payment provider is down: " + down.getMessage());
            jdbi.useHandle(handle -> handle.createUpdate("INSERT INTO unpaid_users (user_id, reason) VALUES (:id, :reason)")
                    .bind("id", userId).bind("reason", down.getMessage()).execute());
            steps.add("inserted unpaid_users row for users #" + userId);
        }

        outbox.enqueue(WELCOME_MAIL, Json.MAPPER.createObjectNode().put("email", email).put("name", name).toString());
        steps.add("enqueued the welcome message in the outbox, in this transaction: it is sent after the commit, "
                + "even if the service dies first");
        return new Registration(userId, email, name, paymentId, paymentId == null);
    }

    List<User> all() {
        return jdbi.withHandle(handle -> handle
                .createQuery("SELECT u.id, u.email, u.name, u.payment_id, p.reason FROM users u "
                        + "LEFT JOIN unpaid_users p ON p.user_id = u.id ORDER BY u.id")
                .map((rows, context) -> new User(rows.getLong("id"), rows.getString("email"), rows.getString("name"),
                        rows.getString("payment_id"), rows.getString("reason")))
                .list());
    }
}
