package io.atomic4j.examples;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Stands in for a mail server: the messages "sent", in order. Registrations enqueue the welcome
 * message in the atomic4j outbox, whose handler sends it here after the commit, off the request
 * thread; so a rolled-back registration sends nothing, and a crash between the commit and the
 * mail only delays it. Like a real mail server it outlives a restart of the service.
 * Thread-safe.
 */
public final class Mailbox {
    private final List<String> sent = new ArrayList<>();

    public synchronized void send(String to, String text) {
        sent.add("to " + to + ": " + text);
        notifyAll();
    }

    public synchronized List<String> sent() {
        return List.copyOf(sent);
    }

    /**
     * The messages sent, once there are at least {@code count} or {@code timeout} has passed:
     * mails go out just after the commit, on an outbox worker.
     */
    public synchronized List<String> awaitSent(int count, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (long left = timeout.toNanos(); sent.size() < count && left > 0; left = deadline - System.nanoTime()) {
            wait(Math.max(1, left / 1_000_000));
        }
        return new ArrayList<>(sent);
    }
}
