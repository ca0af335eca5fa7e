package io.atomic4j;

/**
 * The transaction <b>committed</b>, but one of its {@code onCommit} callbacks (registered
 * without {@code robust}) then threw; that exception is the cause. The callbacks registered after
 * the failing one did not run. The data is in the database: do not re-run the work; retry or
 * compensate the side effect only. Never retried by a {@link RetryPolicy}, and the servlet
 * filter does not turn it into "nothing was saved".
 *
 * <p>Deliberately not a {@link DatabaseException}: nothing went wrong in the database.
 */
public class OnCommitFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String alias;

    public OnCommitFailedException(String alias, Throwable cause) {
        super("The transaction on database '" + alias + "' committed, but an onCommit callback failed: " + cause
                + ". The committed data stays; callbacks registered after this one did not run. Do not re-run the "
                + "transaction; repeat or compensate only the side effect (or register it with onCommit(callback, true) "
                + "to have failures logged and the other callbacks run).", cause);
        this.alias = alias;
    }

    /** The alias of the database whose transaction committed. */
    public String alias() {
        return alias;
    }
}
