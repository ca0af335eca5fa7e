package io.atomic4j.outbox;

import java.util.Objects;

/**
 * One task of an {@link Outbox}, as a handler or {@link Outbox#failed(int)} sees it.
 * <pre>{@code
 * Outbox.builder(db)
 *     .handler("welcome-mail", (OutboxTask task) -> mailer.welcome(task.id(), task.payload()))
 *     .start();
 * }</pre>
 *
 * <p>{@link #id()} is assigned at {@link Outbox#enqueue} and never changes, across attempts,
 * crashes and instances: it is the idempotency key that makes at-least-once delivery
 * effectively exactly-once (pass it to the mail or payment API, or record it in the same
 * transaction as the handler's own writes). Immutable and thread-safe.
 */
public final class OutboxTask {
    private final String id;
    private final String name;
    private final String payload;
    private final int attempt;
    private final String lastError;

    OutboxTask(String id, String name, String payload, int attempt, String lastError) {
        this.id = id;
        this.name = name;
        this.payload = payload;
        this.attempt = attempt;
        this.lastError = lastError;
    }

    /** The task's id, stable across attempts and instances: use it as the idempotency key. */
    public String id() {
        return id;
    }

    /** The handler name given to {@link Outbox#enqueue(String, String)}. */
    public String name() {
        return name;
    }

    /** The payload given to {@link Outbox#enqueue(String, String)}, unchanged (may be null). */
    public String payload() {
        return payload;
    }

    /**
     * Which attempt this is, from 1. A process that died while holding the task counts as an
     * attempt, so a task that crashes its JVM also stops after the configured maximum.
     */
    public int attempt() {
        return attempt;
    }

    /** The last handler failure recorded for this task (class, message, top frames), or null. */
    public String lastError() {
        return lastError;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof OutboxTask task && id.equals(task.id) && attempt == task.attempt;
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, attempt);
    }

    @Override
    public String toString() {
        return "OutboxTask[" + name + " " + id + ", attempt " + attempt + "]";
    }
}
