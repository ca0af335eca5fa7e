package io.atomic4j.mongodb;

import com.mongodb.MongoException;
import com.mongodb.MongoExecutionTimeoutException;
import com.mongodb.client.ClientSession;
import io.atomic4j.internal.engine.Backend;
import java.time.Duration;

/** One thread's MongoDB transaction: a {@link ClientSession} with a transaction started on it. */
final class MongoSession extends Backend.BrokenFlagSession {
    private final String alias;
    final ClientSession clientSession;
    /** How long to keep retrying a commit whose outcome is unknown; zero = only the driver's own single retry. */
    private final Duration commitRetryLimit;
    /** Pause between two commit attempts (the block's RetryPolicy first backoff). */
    private final Duration commitRetryPause;
    /** The driver refuses abortTransaction once commitTransaction was called, whatever its outcome. */
    private boolean commitStarted;

    MongoSession(String alias, ClientSession clientSession, Duration commitRetryLimit, Duration commitRetryPause) {
        this.alias = alias;
        this.clientSession = clientSession;
        this.commitRetryLimit = commitRetryLimit;
        this.commitRetryPause = commitRetryPause;
    }

    /**
     * Commits, retrying while the server says the outcome is unknown (UnknownTransactionCommitResult)
     * for up to the retry limit, as the driver's withTransaction does. A commit is idempotent on the
     * server, so a retry never commits twice.
     */
    @Override
    public void commit() {
        commitStarted = true;
        long start = System.nanoTime();
        while (true) {
            try {
                clientSession.commitTransaction();
                return;
            } catch (MongoException e) {
                if (!e.hasErrorLabel(MongoException.UNKNOWN_TRANSACTION_COMMIT_RESULT_LABEL)) {
                    throw MongoMessages.failed(alias, "commit", e);
                }
                Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
                // The driver's withTransaction does not retry a commit that ran out of its maxTimeMS either.
                if (elapsed.compareTo(commitRetryLimit) >= 0 || e instanceof MongoExecutionTimeoutException) {
                    broken |= MongoBackend.isConnectionLost(e);
                    throw MongoMessages.commitOutcomeUnknown(alias, commitRetryLimit.isZero() ? Duration.ZERO : elapsed, e);
                }
                pause(e);
            }
        }
    }

    private void pause(MongoException unknown) {
        try {
            Thread.sleep(commitRetryPause.toMillis());
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw MongoMessages.commitOutcomeUnknown(alias, Duration.ZERO, unknown);
        }
    }

    @Override
    public void rollback() {
        if (commitStarted || !clientSession.hasActiveTransaction()) {
            return; // a failed commit already ended the transaction on the server
        }
        try {
            clientSession.abortTransaction(); // the driver ignores the server's errors here
        } catch (MongoException e) {
            throw MongoMessages.failed(alias, "abort the transaction", e);
        }
    }

    @Override
    public void savepoint(String name) {
        throw MongoMessages.savepointsNotSupported(alias);
    }

    @Override
    public void rollbackToSavepoint(String name) {
        throw MongoMessages.savepointsNotSupported(alias);
    }

    @Override
    public void releaseSavepoint(String name) {
        throw MongoMessages.savepointsNotSupported(alias);
    }

    /** Ends the session; the driver aborts a transaction still open on it. Never throws. */
    @Override
    public void close() {
        try {
            clientSession.close();
        } catch (RuntimeException e) {
            // best effort: the server times out an abandoned transaction
        }
    }
}
