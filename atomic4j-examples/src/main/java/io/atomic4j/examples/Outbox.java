package io.atomic4j.examples;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Stands in for a mail server: the messages "sent", in order. Registrations send the welcome
 * message from an {@code onCommit} hook, so a rolled-back registration sends nothing.
 * Thread-safe.
 */
public final class Outbox {
    private final List<String> sent = new CopyOnWriteArrayList<>();

    public void send(String to, String text) {
        sent.add("to " + to + ": " + text);
    }

    public List<String> sent() {
        return List.copyOf(sent);
    }
}
