package io.atomic4j.mongodb;

import com.mongodb.MongoException;
import com.mongodb.MongoSocketException;
import io.atomic4j.CommitOutcomeUnknownException;
import io.atomic4j.DatabaseException;
import io.atomic4j.ErrorKind;
import io.atomic4j.TransactionManagementException;
import java.time.Duration;

/**
 * The user-facing texts of the MongoDB module, once each; the texts shared with SQL databases
 * come from the core's {@code Messages}. Each says what happened, on which alias, and what to do.
 */
final class MongoMessages {
    private MongoMessages() {
    }

    /** Django's broken-transaction text, with MongoDB's reason: there is no savepoint to go back to. */
    static TransactionManagementException brokenTransaction(String alias, Throwable cause) {
        return new TransactionManagementException("An error occurred in the current MongoDB transaction on '" + alias
                + "'. You can't run operations until the end of the outermost 'atomic' block, which will abort it. "
                + "MongoDB has no savepoints: a nested block joins the outer transaction, so a failure anywhere in it "
                + "aborts all of it (the first error is the cause). Re-run the whole block instead, e.g. with "
                + "AtomicOptions.retry(RetryPolicy.transientErrors(n)).", cause);
    }

    static TransactionManagementException transactionsNotSupported(String alias, Throwable cause) {
        return new TransactionManagementException("The MongoDB deployment of '" + alias + "' is a standalone server, "
                + "which cannot run transactions (\"Transaction numbers are only allowed on a replica set member or "
                + "mongos\"). Use a replica set or a sharded cluster; a one-member replica set is enough "
                + "(mongod --replSet rs0, then rs.initiate()).", cause);
    }

    static TransactionManagementException optionNotSupported(String alias, String option, String instead) {
        return new TransactionManagementException(option + " is not supported on MongoDB ('" + alias + "'): " + instead);
    }

    static TransactionManagementException savepointsNotSupported(String alias) {
        return new TransactionManagementException("MongoDB has no savepoints ('" + alias + "'): nested atomic blocks "
                + "join the outer transaction.");
    }

    static CommitOutcomeUnknownException commitOutcomeUnknown(String alias, Duration retriedFor, MongoException cause) {
        return new CommitOutcomeUnknownException("The commit of the MongoDB transaction on '" + alias + "' has an "
                + "unknown outcome (" + MongoException.UNKNOWN_TRANSACTION_COMMIT_RESULT_LABEL
                + (retriedFor.isZero() ? "" : ", commit retried for " + retriedFor.toMillis() + " ms")
                + "): it may or may not have committed. Check the data before running the work again.", cause);
    }

    /** atomic4j's own call to the driver (start, commit, abort) failed. */
    static DatabaseException failed(String alias, String what, MongoException cause) {
        return new DatabaseException("Could not " + what + " on MongoDB '" + alias + "': " + cause.getMessage()
                + " (code " + cause.getCode() + (cause.getErrorLabels().isEmpty() ? "" : ", labels " + cause.getErrorLabels())
                + ")", kind(cause), cause);
    }

    static IllegalArgumentException negativeCommitRetryLimit(Duration limit) {
        return new IllegalArgumentException("commitRetryLimit must not be negative, got " + limit);
    }

    private static ErrorKind kind(MongoException error) {
        if (error instanceof MongoSocketException) {
            return ErrorKind.CONNECTION;
        }
        if (error.getCode() == 112 || error.hasErrorLabel(MongoException.TRANSIENT_TRANSACTION_ERROR_LABEL)) {
            return ErrorKind.SERIALIZATION;
        }
        if (error.getCode() == 24 || error.getCode() == 50) {
            return ErrorKind.LOCK_TIMEOUT;
        }
        return ErrorKind.OTHER;
    }
}
