package io.atomic4j;

/**
 * The API was used in a way the transaction model forbids (Django's
 * {@code TransactionManagementError}), or the current transaction is broken and must end.
 * The message says what happened on which database and what to do instead.
 */
public class TransactionManagementException extends DatabaseException {
    private static final long serialVersionUID = 1L;

    public TransactionManagementException(String message) {
        super(message, ErrorKind.OTHER, null);
    }

    public TransactionManagementException(String message, Throwable cause) {
        super(message, ErrorKind.OTHER, cause);
    }
}
