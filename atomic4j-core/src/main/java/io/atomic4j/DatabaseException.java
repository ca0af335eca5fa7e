package io.atomic4j;

/**
 * A failure of atomic4j's own work with the database (starting, committing or rolling back a
 * transaction, taking a savepoint), or a misuse of the API. Errors of the caller's own
 * statements are never wrapped: they come out as the driver threw them.
 */
public class DatabaseException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ErrorKind kind;

    public DatabaseException(String message, ErrorKind kind, Throwable cause) {
        super(message, cause);
        this.kind = kind == null ? ErrorKind.OTHER : kind;
    }

    /** The kind of failure, from the SQL error that caused it; {@link ErrorKind#OTHER} for misuse. */
    public ErrorKind kind() {
        return kind;
    }
}
