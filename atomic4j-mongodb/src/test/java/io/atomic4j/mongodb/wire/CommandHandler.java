package io.atomic4j.mongodb.wire;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.bson.BsonArray;
import org.bson.BsonBoolean;
import org.bson.BsonDateTime;
import org.bson.BsonDocument;
import org.bson.BsonDouble;
import org.bson.BsonInt32;
import org.bson.BsonInt64;
import org.bson.BsonNull;
import org.bson.BsonObjectId;
import org.bson.BsonString;
import org.bson.BsonValue;
import org.bson.types.ObjectId;

/**
 * Runs one command document and returns the reply document: the handshake, the session and
 * transaction bookkeeping (mongod's per-session txnNumber state), then the CRUD commands over a
 * {@link DataStore.View}. Thread-safe: everything past the handshake runs holding the store's monitor.
 */
final class CommandHandler {
    static final int MAX_WIRE_VERSION = 21; // MongoDB 7.0
    private static final String RETRYABLE_WRITE_ERROR = "RetryableWriteError";
    /** mongod's ErrorCodes::isRetriableError: the client may retry a write or commit that failed with these. */
    private static final Set<Integer> RETRIABLE_CODES = Set.of(6, 7, 89, 91, 133, 134, 189, 262, 9001, 10107, 11600, 11602,
            13435, 13436);
    private static final Set<String> WRITE_COMMANDS = Set.of("insert", "update", "delete", "findAndModify");
    private static final Set<String> NOT_IN_TRANSACTION = Set.of("count", "create", "drop", "dropDatabase");
    private static final ObjectId ELECTION_ID = new ObjectId("7fffffff0000000000000001");

    /** The state mongod keeps per logical session: its newest txnNumber and what became of it. */
    private static final class ServerSession {
        /** Highest txnNumber seen on this session (a transaction's or a retryable write's); -1 before any. */
        long txnNumber = -1;
        /** What happened to transaction {@code txnNumber}; NONE when that number was a retryable write. */
        TransactionState state = TransactionState.NONE;
        /** The open transaction while state is IN_PROGRESS. */
        DataStore.Transaction transaction;
        /** Reply of retryable write {@code txnNumber}, replayed when the driver retries it. */
        BsonDocument retryableWriteReply;
    }

    private enum TransactionState { NONE, IN_PROGRESS, COMMITTED, ABORTED }

    private final DataStore store;
    private final boolean standalone;
    private final String setName;
    private final String address;
    private final Map<BsonDocument, ServerSession> sessions = new HashMap<>();

    CommandHandler(DataStore store, boolean standalone, String setName, String address) {
        this.store = store;
        this.standalone = standalone;
        this.setName = setName;
        this.address = address;
    }

    /**
     * The reply to {@code command}.
     *
     * @param injected the error a fail point injects, raised where mongod's failCommand raises it
     *                 (after the session is checked out, before the command runs); null for none
     */
    BsonDocument handle(BsonDocument command, int connectionId, CommandError injected) {
        String name = command.getFirstKey();
        try {
            switch (name) {
                case "hello":
                case "isMaster":
                case "ismaster":
                    throwIfPresent(injected);
                    return hello(command, connectionId);
                case "ping":
                    throwIfPresent(injected);
                    return ok();
                case "buildInfo":
                case "buildinfo":
                    throwIfPresent(injected);
                    return ok().append("version", new BsonString("7.0.0"))
                            .append("versionArray", new BsonArray(List.of(new BsonInt32(7), new BsonInt32(0),
                                    new BsonInt32(0), new BsonInt32(0))));
                case "endSessions":
                    throwIfPresent(injected);
                    return endSessions(command.getArray("endSessions"));
                default:
                    synchronized (store) {
                        return inSession(name, command, injected);
                    }
            }
        } catch (CommandError error) {
            return error.toReply();
        } catch (RuntimeException malformed) {
            return new CommandError(9, "WireServer could not run " + name + ": " + malformed).toReply();
        }
    }

    void reset() {
        synchronized (store) {
            sessions.clear();
            store.reset();
        }
    }

    private static void throwIfPresent(CommandError injected) throws CommandError {
        if (injected != null) {
            throw injected;
        }
    }

    // ---------------------------------------------------------------- handshake

    private BsonDocument hello(BsonDocument command, int connectionId) {
        BsonDocument reply = new BsonDocument();
        if (command.getBoolean("helloOk", BsonBoolean.FALSE).getValue()) {
            reply.append("helloOk", BsonBoolean.TRUE);
        }
        reply.append(command.getFirstKey().equals("hello") ? "isWritablePrimary" : "ismaster", BsonBoolean.TRUE);
        if (!standalone) {
            reply.append("hosts", new BsonArray(List.of(new BsonString(address))))
                    .append("setName", new BsonString(setName))
                    .append("setVersion", new BsonInt32(1))
                    .append("electionId", new BsonObjectId(ELECTION_ID))
                    .append("primary", new BsonString(address))
                    .append("me", new BsonString(address))
                    .append("secondary", BsonBoolean.FALSE);
        }
        return reply.append("maxBsonObjectSize", new BsonInt32(16 * 1024 * 1024))
                .append("maxMessageSizeBytes", new BsonInt32(48_000_000))
                .append("maxWriteBatchSize", new BsonInt32(100_000))
                .append("localTime", new BsonDateTime(System.currentTimeMillis()))
                .append("logicalSessionTimeoutMinutes", new BsonInt32(30))
                // Present so the driver skips its getLastError round trip for the connection id.
                .append("connectionId", new BsonInt32(connectionId))
                .append("minWireVersion", new BsonInt32(0))
                .append("maxWireVersion", new BsonInt32(MAX_WIRE_VERSION))
                .append("readOnly", BsonBoolean.FALSE)
                .append("ok", new BsonDouble(1));
    }

    private BsonDocument endSessions(BsonArray lsids) {
        synchronized (store) {
            for (BsonValue lsid : lsids) {
                ServerSession session = sessions.remove(lsid.asDocument());
                if (session != null) {
                    abortOpen(session);
                }
            }
        }
        return ok();
    }

    // ---------------------------------------------------------------- sessions and transactions

    private BsonDocument inSession(String name, BsonDocument command, CommandError injected) throws CommandError {
        BsonDocument lsid = command.getDocument("lsid", null);
        boolean transactional = command.containsKey("autocommit");
        boolean hasTxnNumber = command.containsKey("txnNumber");
        if ((transactional || hasTxnNumber) && standalone) {
            // mongod's exact text (IllegalOperation) for session transaction numbers on a standalone.
            throw new CommandError(20, "Transaction numbers are only allowed on a replica set member or mongos");
        }
        if (transactional) {
            if (lsid == null || !hasTxnNumber) {
                throw new CommandError(72, "'autocommit' may only be given with lsid and txnNumber");
            }
            return inTransaction(name, command, session(lsid), command.getNumber("txnNumber").longValue(), injected);
        }
        if (hasTxnNumber) {
            if (lsid == null) {
                throw new CommandError(72, "txnNumber requires lsid");
            }
            return retryableWrite(name, command, session(lsid), command.getNumber("txnNumber").longValue(), injected);
        }
        throwIfPresent(injected);
        return run(name, command, store.autocommit());
    }

    private ServerSession session(BsonDocument lsid) {
        return sessions.computeIfAbsent(lsid, id -> new ServerSession());
    }

    private BsonDocument inTransaction(String name, BsonDocument command, ServerSession session, long txnNumber,
                                       CommandError injected) throws CommandError {
        boolean commitOrAbort = name.equals("commitTransaction") || name.equals("abortTransaction");
        try {
            boolean start = command.getBoolean("startTransaction", BsonBoolean.FALSE).getValue();
            if (checkOut(session, txnNumber)) {
                if (start && !commitOrAbort) {
                    session.transaction = store.begin();
                    session.state = TransactionState.IN_PROGRESS;
                }
            } else if (start) {
                throw new CommandError(251, "Given transaction number " + txnNumber
                        + " does not match any in-progress transactions. It was already started.");
            }
            if (name.equals("commitTransaction")) {
                return commit(session, txnNumber, injected);
            }
            if (name.equals("abortTransaction")) {
                return abort(session, txnNumber, injected);
            }
            requireInProgress(session, txnNumber);
            try {
                throwIfPresent(injected);
                BsonDocument reply = run(name, command, session.transaction);
                if (reply.containsKey("writeErrors")) {
                    abortOpen(session); // mongod aborts the transaction on a write error
                }
                return reply;
            } catch (CommandError error) {
                abortOpen(session);
                throw error;
            }
        } catch (CommandError error) {
            throw labelled(error, true, commitOrAbort);
        }
    }

    /**
     * mongod's txnNumber rule when a command checks the session out: an older number is refused; a
     * newer one aborts whatever the session had open and becomes current. True when it was newer.
     */
    private boolean checkOut(ServerSession session, long txnNumber) throws CommandError {
        if (txnNumber < session.txnNumber) {
            throw new CommandError(225, "txnNumber " + txnNumber + " is refused because a newer txnNumber "
                    + session.txnNumber + " has already started on this session.");
        }
        if (txnNumber == session.txnNumber) {
            return false;
        }
        abortOpen(session);
        session.txnNumber = txnNumber;
        session.state = TransactionState.NONE;
        session.retryableWriteReply = null;
        return true;
    }

    private BsonDocument commit(ServerSession session, long txnNumber, CommandError injected) throws CommandError {
        switch (session.state) {
            case IN_PROGRESS:
                throwIfPresent(injected); // the transaction stays open: a retried commit can still succeed
                store.commit(session.transaction);
                session.transaction = null;
                session.state = TransactionState.COMMITTED;
                return ok();
            case COMMITTED:
                throwIfPresent(injected);
                return ok(); // a retried commit of a committed transaction succeeds again
            default:
                throw CommandError.noSuchTransaction(txnNumber);
        }
    }

    private BsonDocument abort(ServerSession session, long txnNumber, CommandError injected) throws CommandError {
        switch (session.state) {
            case IN_PROGRESS:
                throwIfPresent(injected);
                abortOpen(session);
                return ok();
            case COMMITTED:
                throw new CommandError(256, "Transaction " + txnNumber + " has been committed.");
            default:
                throw CommandError.noSuchTransaction(txnNumber);
        }
    }

    private static void requireInProgress(ServerSession session, long txnNumber) throws CommandError {
        if (session.state == TransactionState.COMMITTED) {
            throw new CommandError(256, "Transaction " + txnNumber + " has been committed.");
        }
        if (session.state != TransactionState.IN_PROGRESS) {
            throw CommandError.noSuchTransaction(txnNumber);
        }
    }

    private void abortOpen(ServerSession session) {
        if (session.state == TransactionState.IN_PROGRESS) {
            store.abort(session.transaction);
            session.transaction = null;
            session.state = TransactionState.ABORTED;
        }
    }

    private BsonDocument retryableWrite(String name, BsonDocument command, ServerSession session, long txnNumber,
                                        CommandError injected) throws CommandError {
        try {
            checkOut(session, txnNumber);
            throwIfPresent(injected);
            if (session.retryableWriteReply != null) {
                return session.retryableWriteReply; // the driver's retry of a write that already happened
            }
            BsonDocument reply = run(name, command, store.autocommit());
            session.retryableWriteReply = reply;
            return reply;
        } catch (CommandError error) {
            throw labelled(error, false, WRITE_COMMANDS.contains(name));
        }
    }

    /** The labels mongod adds (error_labels.cpp), unless a fail point fixed them. */
    private static CommandError labelled(CommandError error, boolean inTransaction, boolean retryable) {
        int code = error.code();
        boolean retriable = RETRIABLE_CODES.contains(code);
        if (inTransaction && (code == 112 || code == 24 || code == 251 || (!retryable && retriable))) {
            error.withLabel(CommandError.TRANSIENT_TRANSACTION_ERROR);
        }
        if (retryable && retriable) {
            error.withLabel(RETRYABLE_WRITE_ERROR);
        }
        return error;
    }

    // ---------------------------------------------------------------- CRUD

    private BsonDocument run(String name, BsonDocument command, DataStore.View view) throws CommandError {
        if (view.inTransaction() && NOT_IN_TRANSACTION.contains(name)) {
            throw new CommandError(263, "Cannot run '" + name + "' in a multi-document transaction.");
        }
        String database = command.getString("$db", new BsonString("test")).getValue();
        switch (name) {
            case "insert":
                return insert(command, namespace(database, command, name), view);
            case "find":
                return cursor(namespace(database, command, name), find(command, namespace(database, command, name), view));
            case "update":
                return update(command, namespace(database, command, name), view);
            case "delete":
                return delete(command, namespace(database, command, name), view);
            case "findAndModify":
                return findAndModify(command, namespace(database, command, name), view);
            case "count": {
                List<BsonDocument> found = matching(view, namespace(database, command, name),
                        command.getDocument("query", new BsonDocument()));
                return ok().append("n", new BsonInt32(window(found, command.getNumber("skip", new BsonInt32(0)).intValue(),
                        command.getNumber("limit", new BsonInt32(0)).intValue()).size()));
            }
            case "aggregate":
                return aggregate(command, namespace(database, command, name), view);
            case "create":
                store.create(namespace(database, command, name));
                return ok();
            case "drop":
                store.drop(namespace(database, command, name));
                return ok();
            case "dropDatabase":
                store.dropDatabase(database);
                return ok();
            case "killCursors":
                return ok().append("cursorsKilled", command.getArray("cursors", new BsonArray()))
                        .append("cursorsNotFound", new BsonArray()).append("cursorsAlive", new BsonArray())
                        .append("cursorsUnknown", new BsonArray());
            case "getMore":
                throw new CommandError(43, "cursor id " + command.get("getMore")
                        + " not found (WireServer returns every result in the first batch)");
            default:
                throw new CommandError(59, "no such command: '" + name + "' (not implemented by WireServer)");
        }
    }

    private static String namespace(String database, BsonDocument command, String name) throws CommandError {
        BsonValue collection = command.get(name);
        if (collection == null || !collection.isString()) {
            throw new CommandError(73, name + " needs a collection name (WireServer has no database-level " + name + ")");
        }
        return database + "." + collection.asString().getValue();
    }

    private BsonDocument insert(BsonDocument command, String namespace, DataStore.View view) throws CommandError {
        boolean ordered = command.getBoolean("ordered", BsonBoolean.TRUE).getValue();
        BsonArray writeErrors = new BsonArray();
        int inserted = 0;
        BsonArray documents = command.getArray("documents", new BsonArray());
        for (int index = 0; index < documents.size(); index++) {
            BsonDocument document = documents.get(index).asDocument();
            if (!document.containsKey("_id")) {
                document.put("_id", new BsonObjectId());
            }
            document = Updates.withIdFirst(document);
            if (!insertOne(view, namespace, document)) {
                writeErrors.add(duplicateKey(index, namespace, document.get("_id")));
                if (ordered) {
                    break;
                }
                continue;
            }
            inserted++;
        }
        return writeReply(inserted, writeErrors);
    }

    /** Inserts unless the _id exists; false on a duplicate. */
    private static boolean insertOne(DataStore.View view, String namespace, BsonDocument document) throws CommandError {
        BsonValue id = document.get("_id");
        if (view.get(namespace, id) != null) {
            return false;
        }
        view.prepareWrite(namespace, id);
        if (view.get(namespace, id) != null) {
            return false; // inserted by a transaction we waited for
        }
        view.put(namespace, document);
        return true;
    }

    private static BsonDocument duplicateKey(int index, String namespace, BsonValue id) {
        return new BsonDocument("index", new BsonInt32(index)).append("code", new BsonInt32(11000))
                .append("errmsg", new BsonString("E11000 duplicate key error collection: " + namespace
                        + " index: _id_ dup key: { _id: " + id + " }"));
    }

    private static BsonDocument writeError(int index, CommandError error) {
        return new BsonDocument("index", new BsonInt32(index)).append("code", new BsonInt32(error.code()))
                .append("errmsg", new BsonString(error.getMessage()));
    }

    private static BsonDocument writeReply(int n, BsonArray writeErrors) {
        BsonDocument reply = new BsonDocument("n", new BsonInt32(n));
        if (!writeErrors.isEmpty()) {
            reply.append("writeErrors", writeErrors);
        }
        return reply.append("ok", new BsonDouble(1));
    }

    /** Errors that end the whole command rather than one statement of it, as mongod reports them. */
    private static boolean endsCommand(CommandError error) {
        return error.code() == 112 || error.code() == 50 || error.code() == 11601;
    }

    private BsonDocument update(BsonDocument command, String namespace, DataStore.View view) throws CommandError {
        boolean ordered = command.getBoolean("ordered", BsonBoolean.TRUE).getValue();
        BsonArray writeErrors = new BsonArray();
        BsonArray upserted = new BsonArray();
        int matched = 0;
        int modified = 0;
        BsonArray statements = command.getArray("updates", new BsonArray());
        for (int index = 0; index < statements.size(); index++) {
            BsonDocument statement = statements.get(index).asDocument();
            BsonDocument filter = statement.getDocument("q", new BsonDocument());
            BsonValue change = statement.get("u");
            boolean multi = statement.getBoolean("multi", BsonBoolean.FALSE).getValue();
            try {
                int matchedHere = 0;
                for (BsonDocument candidate : matching(view, namespace, filter)) {
                    BsonDocument[] beforeAndAfter = updateOne(view, namespace, candidate.get("_id"), filter, change);
                    if (beforeAndAfter == null) {
                        continue;
                    }
                    matchedHere++;
                    if (beforeAndAfter[0] != beforeAndAfter[1]) {
                        modified++;
                    }
                    if (!multi) {
                        break;
                    }
                }
                matched += matchedHere;
                if (matchedHere == 0 && statement.getBoolean("upsert", BsonBoolean.FALSE).getValue()) {
                    BsonDocument document = upsert(view, namespace, filter, change);
                    upserted.add(new BsonDocument("index", new BsonInt32(index)).append("_id", document.get("_id")));
                }
            } catch (CommandError error) {
                if (endsCommand(error)) {
                    throw error;
                }
                writeErrors.add(writeError(index, error));
                if (ordered) {
                    break;
                }
            }
        }
        BsonDocument reply = writeReply(matched + upserted.size(), writeErrors);
        reply.put("nModified", new BsonInt32(modified));
        if (!upserted.isEmpty()) {
            reply.put("upserted", upserted);
        }
        return reply;
    }

    /**
     * Updates the document with this _id if it still matches: {before, after} (the same object when
     * the update changed nothing, so nothing was written), or null when it no longer matches.
     */
    private static BsonDocument[] updateOne(DataStore.View view, String namespace, BsonValue id, BsonDocument filter,
                                            BsonValue change) throws CommandError {
        while (true) {
            BsonDocument current = view.get(namespace, id);
            if (current == null || !Queries.matches(current, filter)) {
                return null;
            }
            BsonDocument updated = Updates.apply(current, change, false);
            if (updated.equals(current)) {
                return new BsonDocument[] {current, current};
            }
            view.prepareWrite(namespace, id);
            if (view.get(namespace, id) == current) {
                view.put(namespace, updated);
                return new BsonDocument[] {current, updated};
            }
            // An autocommit write waited for a transaction that changed the document: evaluate again.
        }
    }

    private static BsonDocument upsert(DataStore.View view, String namespace, BsonDocument filter, BsonValue change)
            throws CommandError {
        BsonDocument document = Updates.withIdFirst(Updates.apply(Updates.upsertSeed(filter), change, true));
        if (!insertOne(view, namespace, document)) {
            throw new CommandError(11000, duplicateKey(0, namespace, document.get("_id")).getString("errmsg").getValue());
        }
        return document;
    }

    private BsonDocument delete(BsonDocument command, String namespace, DataStore.View view) throws CommandError {
        boolean ordered = command.getBoolean("ordered", BsonBoolean.TRUE).getValue();
        BsonArray writeErrors = new BsonArray();
        int deleted = 0;
        BsonArray statements = command.getArray("deletes", new BsonArray());
        for (int index = 0; index < statements.size(); index++) {
            BsonDocument statement = statements.get(index).asDocument();
            BsonDocument filter = statement.getDocument("q", new BsonDocument());
            boolean justOne = statement.getNumber("limit", new BsonInt32(0)).intValue() == 1;
            try {
                for (BsonDocument candidate : matching(view, namespace, filter)) {
                    if (deleteOne(view, namespace, candidate.get("_id"), filter) != null) {
                        deleted++;
                        if (justOne) {
                            break;
                        }
                    }
                }
            } catch (CommandError error) {
                if (endsCommand(error)) {
                    throw error;
                }
                writeErrors.add(writeError(index, error));
                if (ordered) {
                    break;
                }
            }
        }
        return writeReply(deleted, writeErrors);
    }

    /** Deletes the document with this _id if it still matches; returns it, or null. */
    private static BsonDocument deleteOne(DataStore.View view, String namespace, BsonValue id, BsonDocument filter)
            throws CommandError {
        BsonDocument current = view.get(namespace, id);
        if (current == null || !Queries.matches(current, filter)) {
            return null;
        }
        view.prepareWrite(namespace, id);
        current = view.get(namespace, id);
        if (current == null || !Queries.matches(current, filter)) {
            return null;
        }
        view.remove(namespace, id);
        return current;
    }

    private BsonDocument findAndModify(BsonDocument command, String namespace, DataStore.View view) throws CommandError {
        BsonDocument filter = command.getDocument("query", new BsonDocument());
        List<BsonDocument> candidates = matching(view, namespace, filter);
        if (command.isDocument("sort")) {
            candidates.sort(Queries.sort(command.getDocument("sort")));
        }
        BsonDocument projection = command.getDocument("fields", null);
        boolean returnNew = command.getBoolean("new", BsonBoolean.FALSE).getValue();
        BsonDocument lastError = new BsonDocument();
        BsonValue value = BsonNull.VALUE;
        if (command.getBoolean("remove", BsonBoolean.FALSE).getValue()) {
            BsonDocument removed = null;
            for (BsonDocument candidate : candidates) {
                removed = deleteOne(view, namespace, candidate.get("_id"), filter);
                if (removed != null) {
                    break;
                }
            }
            lastError.append("n", new BsonInt32(removed == null ? 0 : 1));
            if (removed != null) {
                value = Queries.project(removed, projection);
            }
        } else {
            BsonValue change = command.get("update");
            BsonDocument[] beforeAndAfter = null;
            for (BsonDocument candidate : candidates) {
                beforeAndAfter = updateOne(view, namespace, candidate.get("_id"), filter, change);
                if (beforeAndAfter != null) {
                    break;
                }
            }
            if (beforeAndAfter != null) {
                lastError.append("n", new BsonInt32(1)).append("updatedExisting", BsonBoolean.TRUE);
                value = Queries.project(beforeAndAfter[returnNew ? 1 : 0], projection);
            } else if (command.getBoolean("upsert", BsonBoolean.FALSE).getValue()) {
                BsonDocument document = upsert(view, namespace, filter, change);
                lastError.append("n", new BsonInt32(1)).append("updatedExisting", BsonBoolean.FALSE)
                        .append("upserted", document.get("_id"));
                if (returnNew) {
                    value = Queries.project(document, projection);
                }
            } else {
                lastError.append("n", new BsonInt32(0)).append("updatedExisting", BsonBoolean.FALSE);
            }
        }
        return new BsonDocument("lastErrorObject", lastError).append("value", value).append("ok", new BsonDouble(1));
    }

    private static List<BsonDocument> matching(DataStore.View view, String namespace, BsonDocument filter) throws CommandError {
        List<BsonDocument> found = new ArrayList<>();
        for (BsonDocument document : view.documents(namespace)) {
            if (Queries.matches(document, filter)) {
                found.add(document);
            }
        }
        return found;
    }

    private static List<BsonDocument> find(BsonDocument command, String namespace, DataStore.View view) throws CommandError {
        List<BsonDocument> found = matching(view, namespace, command.getDocument("filter", new BsonDocument()));
        if (command.isDocument("sort")) {
            found.sort(Queries.sort(command.getDocument("sort")));
        }
        found = window(found, command.getNumber("skip", new BsonInt32(0)).intValue(),
                Math.abs(command.getNumber("limit", new BsonInt32(0)).intValue()));
        BsonDocument projection = command.getDocument("projection", null);
        found.replaceAll(document -> Queries.project(document, projection));
        return found;
    }

    private static List<BsonDocument> window(List<BsonDocument> documents, int skip, int limit) {
        int from = Math.min(Math.max(skip, 0), documents.size());
        int to = limit > 0 ? Math.min(documents.size(), from + limit) : documents.size();
        return new ArrayList<>(documents.subList(from, to));
    }

    /** A cursor reply with every result in the first batch and cursor id 0, so the driver never sends getMore. */
    private static BsonDocument cursor(String namespace, List<BsonDocument> batch) {
        return new BsonDocument("cursor", new BsonDocument("firstBatch", new BsonArray(batch))
                .append("id", new BsonInt64(0))
                .append("ns", new BsonString(namespace)))
                .append("ok", new BsonDouble(1));
    }

    /**
     * The pipelines the driver builds for countDocuments and similar: {@code $match $sort $skip
     * $limit $project}, and {@code $group} with {@code $sum} accumulators.
     */
    private static BsonDocument aggregate(BsonDocument command, String namespace, DataStore.View view) throws CommandError {
        List<BsonDocument> documents = view.documents(namespace);
        for (BsonValue stageValue : command.getArray("pipeline", new BsonArray())) {
            BsonDocument stage = stageValue.asDocument();
            String operator = stage.getFirstKey();
            BsonValue argument = stage.get(operator);
            switch (operator) {
                case "$match": {
                    List<BsonDocument> kept = new ArrayList<>();
                    for (BsonDocument document : documents) {
                        if (Queries.matches(document, argument.asDocument())) {
                            kept.add(document);
                        }
                    }
                    documents = kept;
                    break;
                }
                case "$sort":
                    documents.sort(Queries.sort(argument.asDocument()));
                    break;
                case "$skip":
                    documents = window(documents, argument.asNumber().intValue(), 0);
                    break;
                case "$limit":
                    documents = window(documents, 0, argument.asNumber().intValue());
                    break;
                case "$project": {
                    List<BsonDocument> projected = new ArrayList<>();
                    documents.forEach(document -> projected.add(Queries.project(document, argument.asDocument())));
                    documents = projected;
                    break;
                }
                case "$group":
                    documents = group(documents, argument.asDocument());
                    break;
                default:
                    throw new CommandError(40324, "Unrecognized pipeline stage name: '" + operator
                            + "' (not implemented by WireServer)");
            }
        }
        return cursor(namespace, documents);
    }

    private static List<BsonDocument> group(List<BsonDocument> documents, BsonDocument specification) throws CommandError {
        Map<Object, BsonDocument> groups = new LinkedHashMap<>();
        for (BsonDocument document : documents) {
            BsonValue key = resolve(document, specification.get("_id"));
            BsonDocument group = groups.computeIfAbsent(DataStore.idKey(key), k -> new BsonDocument("_id", key));
            for (Map.Entry<String, BsonValue> field : specification.entrySet()) {
                if (field.getKey().equals("_id")) {
                    continue;
                }
                BsonDocument accumulator = field.getValue().asDocument();
                if (!accumulator.getFirstKey().equals("$sum")) {
                    throw new CommandError(15952, "unknown group operator '" + accumulator.getFirstKey()
                            + "' (WireServer implements $sum)");
                }
                BsonValue addend = resolve(document, accumulator.get("$sum"));
                BsonValue total = group.get(field.getKey(), new BsonInt32(0));
                if (addend.isNumber()) {
                    total = sum(total, addend);
                }
                group.put(field.getKey(), total);
            }
        }
        return new ArrayList<>(groups.values());
    }

    private static BsonValue sum(BsonValue a, BsonValue b) {
        if (a.isDouble() || b.isDouble()) {
            return new BsonDouble(a.asNumber().doubleValue() + b.asNumber().doubleValue());
        }
        long total = a.asNumber().longValue() + b.asNumber().longValue();
        return total == (int) total ? new BsonInt32((int) total) : new BsonInt64(total);
    }

    /** A constant, or the value of a {@code "$field.path"} reference (null when missing). */
    private static BsonValue resolve(BsonDocument document, BsonValue expression) {
        if (expression != null && expression.isString() && expression.asString().getValue().startsWith("$")) {
            BsonValue value = Queries.get(document, expression.asString().getValue().substring(1));
            return value == null ? BsonNull.VALUE : value;
        }
        return expression == null ? BsonNull.VALUE : expression;
    }

    private static BsonDocument ok() {
        return new BsonDocument("ok", new BsonDouble(1));
    }
}
