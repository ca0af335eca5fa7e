package io.atomic4j;

/**
 * An atomic block opened with {@link Database#begin()}, for code that cannot use a lambda.
 * <pre>{@code
 * try (AtomicScope scope = db.begin()) {
 *     insertUser(db, "ada");
 *     scope.complete();           // without this, close() rolls the block back
 * }
 * }</pre>
 * A scope belongs to the thread that opened it, and scopes must be closed innermost first.
 */
public interface AtomicScope extends AutoCloseable {
    /** Marks the block as successful: {@link #close()} then commits (or releases the savepoint). */
    void complete();

    /**
     * Ends the block: commits if {@link #complete()} was called, otherwise rolls back.
     * Calling it again does nothing.
     */
    @Override
    void close();
}
