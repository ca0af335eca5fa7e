package io.atomic4j.examples;

import java.util.ArrayList;
import java.util.List;

/**
 * An in-process stand-in for a payment API (seed 002). It is outside the database, so a charge
 * made inside a transaction that later rolls back stays made: the registration refunds it from an
 * {@code onRollback} hook. {@code POST /faults {"paymentProvider": "down"}} takes it down.
 * Thread-safe.
 */
public final class PaymentProvider {
    /** The registration fee, in cents. */
    public static final int FEE_CENTS = 1_000;

    private final List<String> ledger = new ArrayList<>();
    private boolean down;
    private int nextId = 1;

    /** What the provider answers while it is down. */
    public static final class Unavailable extends Exception {
        private static final long serialVersionUID = 1L;

        Unavailable(String message) {
            super(message);
        }
    }

    /** Charges the fee and returns the payment id ("pay_0001"). */
    public synchronized String charge(String email) throws Unavailable {
        if (down) {
            throw new Unavailable("payment provider unavailable (HTTP 503 from the stand-in)");
        }
        String paymentId = String.format("pay_%04d", nextId++);
        ledger.add("charged " + paymentId + " " + euros(FEE_CENTS) + " to " + email);
        return paymentId;
    }

    /** Gives the money of {@code paymentId} back. */
    public synchronized void refund(String paymentId) {
        ledger.add("refunded " + paymentId);
    }

    public synchronized void setDown(boolean down) {
        this.down = down;
    }

    public synchronized boolean isDown() {
        return down;
    }

    /** Every charge and refund, oldest first. */
    public synchronized List<String> ledger() {
        return List.copyOf(ledger);
    }

    static String euros(int cents) {
        return String.format("EUR %d.%02d", cents / 100, cents % 100);
    }
}
