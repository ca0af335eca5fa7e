package io.atomic4j.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * SQLite databases as files in one temporary directory, deleted when the JVM exits.
 * Every URL sets busy_timeout, so a connection that finds the database locked waits (up to
 * {@link #BUSY_TIMEOUT_MILLIS}) instead of failing at once with SQLITE_BUSY, and WAL, so
 * readers do not block the writer. Foreign keys are enforced, as on the other databases.
 */
final class SqliteFiles implements TestBackend {
    static final int BUSY_TIMEOUT_MILLIS = 10_000;
    private static final String SETTINGS =
            "?journal_mode=WAL&busy_timeout=" + BUSY_TIMEOUT_MILLIS + "&foreign_keys=true";

    private static final class Holder {
        static final SqliteFiles INSTANCE = new SqliteFiles();
    }

    private final Path directory;
    private final String sharedUrl;

    private SqliteFiles() {
        try {
            directory = Files.createTempDirectory("atomic4j-sqlite-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        TempDirectories.deleteOnExit(directory, null);
        sharedUrl = urlFor("atomic4j");
    }

    static SqliteFiles instance() {
        return Holder.INSTANCE;
    }

    private String urlFor(String name) {
        return "jdbc:sqlite:" + directory.resolve(name + ".db") + SETTINGS;
    }

    @Override
    public String jdbcUrl() {
        return sharedUrl;
    }

    @Override
    public String user() {
        return "";
    }

    @Override
    public String password() {
        return "";
    }

    /** A file that does not exist yet: SQLite creates it, empty, on the first connection. */
    @Override
    public String newDatabaseUrl(String name) {
        return urlFor(name);
    }
}
