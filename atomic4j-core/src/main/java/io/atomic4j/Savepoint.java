package io.atomic4j;

/**
 * A savepoint taken with {@link Database#savepoint()} (Django: the id returned by
 * {@code transaction.savepoint()}). It is valid on the thread and transaction that took it.
 */
public interface Savepoint {
    /** The savepoint's name in SQL. */
    String name();
}
