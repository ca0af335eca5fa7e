package io.atomic4j;

/**
 * A body of work run inside an atomic block that returns nothing.
 *
 * <p>The type parameter lets a body throw its own checked exception, which comes out of
 * {@link Database#atomic(Block)} unchanged:
 * <pre>{@code db.atomic(() -> Files.writeString(path, "x"));   // throws IOException}</pre>
 *
 * @param <E> the checked exception the body may throw ({@link RuntimeException} for none)
 */
@FunctionalInterface
public interface Block<E extends Exception> {
    /** Runs the body. */
    void run() throws E;
}
