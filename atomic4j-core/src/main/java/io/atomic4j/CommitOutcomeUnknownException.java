package io.atomic4j;

/**
 * The connection was lost while COMMIT was in flight, and the dialect could not find out
 * whether the transaction committed. The data must be checked before the work is retried.
 * Never retried automatically.
 */
public class CommitOutcomeUnknownException extends DatabaseException {
    private static final long serialVersionUID = 1L;

    public CommitOutcomeUnknownException(String message, Throwable cause) {
        super(message, ErrorKind.CONNECTION, cause);
    }
}
