package io.atomic4j.outbox;

/**
 * The work behind one task name, registered with {@link Outbox.Builder#handler}. It runs after
 * the commit on an outbox worker thread, never on the committing thread.
 * <pre>{@code
 * OutboxHandler welcome = task -> mailer.welcome(task.id(), task.payload());
 * }</pre>
 *
 * <p>Returning normally marks the task done. Throwing records the error and schedules another
 * attempt with backoff, up to the configured maximum; after that the task stays in the table as
 * failed ({@link Outbox#failed(int)}, {@link Outbox#requeue(String)}). Delivery is at least once:
 * a crash after the handler returned and before the done mark runs it again, with the same
 * {@link OutboxTask#id()}. Handlers may run concurrently on several threads and instances, each
 * task on one of them at a time.
 */
@FunctionalInterface
public interface OutboxHandler {
    /** Does the task's work; an exception means "try again later". */
    void handle(OutboxTask task) throws Exception;
}
