package io.atomic4j.mongodb.wire;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.bson.BsonArray;
import org.bson.BsonDocument;
import org.bson.BsonDouble;
import org.bson.BsonInt32;
import org.bson.BsonString;

/**
 * A command failure as mongod reports it: {@code {ok: 0, errmsg, code, codeName, errorLabels}}.
 * Thrown inside the server and turned into the reply by {@link #toReply()}.
 */
final class CommandError extends Exception {
    static final String TRANSIENT_TRANSACTION_ERROR = "TransientTransactionError";

    /** codeName for the codes this server produces or tests inject; from mongod's error_codes.yml. */
    private static final Map<Integer, String> CODE_NAMES = Map.ofEntries(
            Map.entry(2, "BadValue"),
            Map.entry(6, "HostUnreachable"),
            Map.entry(9, "FailedToParse"),
            Map.entry(14, "TypeMismatch"),
            Map.entry(20, "IllegalOperation"),
            Map.entry(24, "LockTimeout"),
            Map.entry(43, "CursorNotFound"),
            Map.entry(50, "MaxTimeMSExpired"),
            Map.entry(59, "CommandNotFound"),
            Map.entry(66, "ImmutableField"),
            Map.entry(72, "InvalidOptions"),
            Map.entry(73, "InvalidNamespace"),
            Map.entry(89, "NetworkTimeout"),
            Map.entry(91, "ShutdownInProgress"),
            Map.entry(112, "WriteConflict"),
            Map.entry(189, "PrimarySteppedDown"),
            Map.entry(225, "TransactionTooOld"),
            Map.entry(251, "NoSuchTransaction"),
            Map.entry(256, "TransactionCommitted"),
            Map.entry(263, "OperationNotSupportedInTransaction"),
            Map.entry(9001, "SocketException"),
            Map.entry(10107, "NotWritablePrimary"),
            Map.entry(11000, "DuplicateKey"),
            Map.entry(11600, "InterruptedAtShutdown"),
            Map.entry(11601, "Interrupted"),
            Map.entry(13436, "NotPrimaryOrSecondary"));

    private final int code;
    private final Set<String> labels = new LinkedHashSet<>();
    private boolean labelsExact;

    CommandError(int code, String message, String... labels) {
        super(message, null, false, false);
        this.code = code;
        this.labels.addAll(Set.of(labels));
    }

    static String codeName(int code) {
        return CODE_NAMES.getOrDefault(code, "Location" + code);
    }

    static CommandError badValue(String message) {
        return new CommandError(2, message);
    }

    /** mongod's text for a write that touches a document another open transaction has written. */
    static CommandError writeConflict() {
        return new CommandError(112, "Write conflict during plan execution and yielding is disabled. :: Please retry your "
                + "operation or multi-document transaction.", TRANSIENT_TRANSACTION_ERROR);
    }

    static CommandError noSuchTransaction(long txnNumber) {
        return new CommandError(251, "Transaction with txnNumber " + txnNumber + " has been aborted.",
                TRANSIENT_TRANSACTION_ERROR);
    }

    int code() {
        return code;
    }

    /** Adds a label the server computes; no-op once the labels were fixed by a fail point. */
    CommandError withLabel(String label) {
        if (!labelsExact) {
            labels.add(label);
        }
        return this;
    }

    /** A fail point's errorLabels: exactly these, nothing added later (as mongod's failCommand). */
    CommandError exactLabels(List<String> exact) {
        labels.clear();
        labels.addAll(exact);
        labelsExact = true;
        return this;
    }

    BsonDocument toReply() {
        BsonDocument reply = new BsonDocument("ok", new BsonDouble(0))
                .append("errmsg", new BsonString(getMessage()))
                .append("code", new BsonInt32(code))
                .append("codeName", new BsonString(codeName(code)));
        if (!labels.isEmpty()) {
            BsonArray array = new BsonArray();
            labels.forEach(label -> array.add(new BsonString(label)));
            reply.append("errorLabels", array);
        }
        return reply;
    }
}
