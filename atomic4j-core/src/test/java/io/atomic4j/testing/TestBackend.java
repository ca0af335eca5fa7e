package io.atomic4j.testing;

import java.sql.SQLException;

/**
 * What {@link TestDatabase} needs from one kind of database. One instance per kind per JVM,
 * created on first use; implementations are thread-safe.
 */
interface TestBackend {
    /** The database shared by every test of the run. */
    String jdbcUrl();

    String user();

    String password();

    /** Creates a new, empty database called {@code name} and returns its URL (same credentials as {@link #jdbcUrl()}). */
    String newDatabaseUrl(String name) throws SQLException;
}
