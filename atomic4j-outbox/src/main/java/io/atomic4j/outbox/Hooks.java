package io.atomic4j.outbox;

/**
 * Test seams: the crash tests stop a child JVM at exactly these points (and kill it there).
 * Not API; set through the package-private {@code Outbox.Builder.hooks}.
 */
interface Hooks {
    Hooks NONE = new Hooks() { };

    /** On the worker thread, after the handler returned and before the done mark. */
    default void afterHandler(OutboxTask task) {
    }

    /** On the worker thread, after the done mark ({@code marked} false: the lease had been taken over). */
    default void afterDone(OutboxTask task, boolean marked) {
    }

    /** On the worker thread, after a failure was recorded. */
    default void afterFailure(OutboxTask task, Exception error) {
    }
}
