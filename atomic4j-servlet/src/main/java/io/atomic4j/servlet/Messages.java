package io.atomic4j.servlet;

import io.atomic4j.Database;
import io.atomic4j.Databases;
import java.util.StringJoiner;

/** Every user-facing text of this module, once each. */
final class Messages {
    /** The slow-request warning: method, URI, aliases, milliseconds held, threshold in milliseconds. */
    static final String SLOW_REQUEST = "{} {} held its transaction on {} for {} ms (warning threshold {} ms). Long "
            + "transactions hold locks and pool connections; consider @NonAtomicRequests and shorter "
            + "db.atomic(...) blocks for this servlet.";

    static final String MANY_STATEMENTS = "{} {} ran {} statements in its transaction on '{}' (warning threshold {}). "
            + "A query inside a loop (N+1) is the usual cause; fetch the rows in one query or batch the writes.";

    /** A callback failed after the commit: method, URI, alias; the exception follows. */
    static final String CALLBACK_FAILED = "{} {}: the transaction on '{}' COMMITTED, but an onCommit callback failed; "
            + "the servlet's response stands and the data stays. Repeat or compensate the side effect only.";

    private Messages() {
    }

    /** Django: "You cannot use ATOMIC_REQUESTS with async views." */
    static IllegalStateException asyncRefused(Database[] wrapping) {
        return new IllegalStateException("startAsync() is refused: this request runs in a per-request "
                + "transaction on " + aliases(wrapping) + " (AtomicRequestsFilter), which ends when the servlet "
                + "returns, before any async work would run. Annotate the servlet with @NonAtomicRequests and "
                + "open db.atomic(...) blocks inside the async task instead.");
    }

    /**
     * The held response grew past the limit. An exception, not a switch to streaming: a streamed
     * response cannot report a failed COMMIT on every container, so the request must not commit.
     */
    static IllegalStateException responseTooLarge(String requestLine, String aliases, long size, int limit) {
        return new IllegalStateException(requestLine + " wrote " + size + " bytes of response body, more than the "
                + limit + " bytes that AtomicRequestsFilter holds until the request's transaction on " + aliases
                + " commits; the request is rolled back. Raise AtomicRequestsFilter.builder(...).maxHeldResponseBytes(n), "
                + "or annotate the servlet with @NonAtomicRequests and commit with db.atomic(...) before streaming.");
    }

    /** A typo in {@code @NonAtomicRequests} must not leave the servlet silently inside a transaction. */
    static IllegalStateException unknownOptOut(Class<?> servletClass, String alias, Databases databases) {
        StringJoiner known = new StringJoiner(", ");
        for (Database database : databases.all()) {
            known.add(database.alias());
        }
        return new IllegalStateException("@NonAtomicRequests on " + servletClass.getName() + " names '" + alias
                + "', which is no database. Known aliases: " + known + ".");
    }

    /** "database 'default'" or "databases 'default', 'reports'". */
    static String aliases(Database[] databases) {
        StringBuilder text = new StringBuilder(databases.length == 1 ? "database " : "databases ");
        for (int i = 0; i < databases.length; i++) {
            if (i > 0) {
                text.append(", ");
            }
            text.append('\'').append(databases[i].alias()).append('\'');
        }
        return text.toString();
    }
}
