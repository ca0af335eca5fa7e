package io.atomic4j;

/** What kind of failure a database error is; see {@link SqlErrors#classify(java.sql.SQLException)}. */
public enum ErrorKind {
    /** A constraint was violated (unique, foreign key, not null, check). */
    INTEGRITY,
    /** The transaction could not be serialized with a concurrent one; retry the whole transaction. */
    SERIALIZATION,
    /** The transaction was chosen as a deadlock victim; retry the whole transaction. */
    DEADLOCK,
    /** A lock could not be obtained in time (lock timeout, NOWAIT, SQLITE_BUSY). */
    LOCK_TIMEOUT,
    /** The connection to the server failed or was closed. */
    CONNECTION,
    /** The statement was cancelled (statement timeout or a cancel request). */
    QUERY_CANCELED,
    /** Bad data: a value out of range, too long, or of the wrong format. */
    DATA,
    /** The SQL is invalid, or names something that does not exist. */
    SYNTAX,
    /** Anything else. */
    OTHER
}
