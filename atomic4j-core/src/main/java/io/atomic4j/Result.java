package io.atomic4j;

/**
 * A body of work run inside an atomic block that returns a value.
 * <pre>{@code long id = db.atomic(() -> insertUser(db, "ada"));}</pre>
 *
 * @param <T> the value returned
 * @param <E> the checked exception the body may throw ({@link RuntimeException} for none)
 */
@FunctionalInterface
public interface Result<T, E extends Exception> {
    /** Runs the body and returns its value. */
    T call() throws E;
}
