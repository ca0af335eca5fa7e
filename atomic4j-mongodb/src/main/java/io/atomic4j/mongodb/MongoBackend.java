package io.atomic4j.mongodb;

import com.mongodb.MongoException;
import com.mongodb.MongoSocketException;
import com.mongodb.TransactionOptions;
import com.mongodb.client.ClientSession;
import com.mongodb.client.MongoClient;
import com.mongodb.connection.ClusterType;
import io.atomic4j.AtomicOptions;
import io.atomic4j.RetryPolicy;
import io.atomic4j.internal.engine.Backend;
import java.time.Duration;

/**
 * The engine's {@link Backend} over a {@link MongoClient}: a session is a {@link ClientSession}
 * with a transaction started on it. MongoDB has no savepoints, so nested blocks join the
 * transaction. Thread-safe.
 */
final class MongoBackend implements Backend {
    private final String alias;
    private final MongoClient client;
    private final Duration commitRetryLimit;

    MongoBackend(String alias, MongoClient client, Duration commitRetryLimit) {
        this.alias = alias;
        this.client = client;
        this.commitRetryLimit = commitRetryLimit;
    }

    @Override
    public String alias() {
        return alias;
    }

    MongoClient client() {
        return client;
    }

    @Override
    public boolean supportsSavepoints() {
        return false;
    }

    /**
     * @param frontEndSettings the {@link TransactionOptions} of the MongoAtomic that opened the
     *     outermost block, or null for the client's defaults; isolation and readOnly were refused
     *     by MongoAtomic before the block opened
     */
    @Override
    public Session begin(AtomicOptions options, Object frontEndSettings) {
        ClientSession clientSession;
        try {
            clientSession = client.startSession();
        } catch (MongoException e) {
            throw MongoMessages.failed(alias, "start a session", e);
        }
        if (client.getClusterDescription().getType() == ClusterType.STANDALONE) {
            clientSession.close();
            throw MongoMessages.transactionsNotSupported(alias, null);
        }
        try {
            if (frontEndSettings != null) {
                clientSession.startTransaction((TransactionOptions) frontEndSettings);
            } else {
                clientSession.startTransaction(); // the client's defaults
            }
        } catch (MongoException e) {
            clientSession.close();
            throw MongoMessages.failed(alias, "start a transaction", e);
        }
        RetryPolicy retry = options.retry();
        return retry.maxAttempts() > 1 ? new MongoSession(alias, clientSession, commitRetryLimit, retry.firstBackoff())
                : new MongoSession(alias, clientSession, Duration.ZERO, Duration.ZERO);
    }

    /** The server's verdict: a TransientTransactionError label anywhere in the chain means the whole transaction may be run again. */
    @Override
    public boolean isTransient(Throwable error) {
        for (Throwable current = error; current != null; current = current.getCause()) {
            if (current instanceof MongoException
                    && ((MongoException) current).hasErrorLabel(MongoException.TRANSIENT_TRANSACTION_ERROR_LABEL)) {
                return true;
            }
        }
        return false;
    }

    /** A network failure: the transaction on the server is lost to this session. */
    static boolean isConnectionLost(Throwable error) {
        for (Throwable current = error; current != null; current = current.getCause()) {
            if (current instanceof MongoSocketException) {
                return true;
            }
        }
        return false;
    }

    /** mongod's refusal of a transaction on a standalone server (IllegalOperation, code 20). */
    static boolean isStandaloneRefusal(Throwable error) {
        for (Throwable current = error; current != null; current = current.getCause()) {
            if (current instanceof MongoException && ((MongoException) current).getCode() == 20
                    && String.valueOf(current.getMessage()).contains("Transaction numbers")) {
                return true;
            }
        }
        return false;
    }
}
