package io.atomic4j.mongodb.wire;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.bson.BsonDocument;
import org.bson.BsonValue;

/**
 * The server's documents and its transactions. Every method runs with the store's monitor held
 * (the command layer synchronizes on the store), so the only concurrency left is the wait of an
 * autocommit write for a document that an open transaction has written.
 *
 * <p>Isolation: a transaction works on a snapshot of the committed data taken when it starts
 * (a shallow copy of every collection: fine for test-sized data) plus its own writes. Writing a
 * document that another open transaction has written, or that was committed after the snapshot
 * was taken, is a WriteConflict, as in WiredTiger. An autocommit write to a document an open
 * transaction has written waits for that transaction to end, like mongod, up to a limit.
 */
final class DataStore {
    /** A document's identity across the store: namespace ("db.collection") plus normalised _id. */
    record DocKey(String namespace, Object id) {
    }

    /** Where a command reads and writes: the committed data, or one transaction's snapshot. */
    interface View {
        /** The visible documents of {@code namespace}, in insertion order; a copy, safe to write while iterating. */
        List<BsonDocument> documents(String namespace);

        BsonDocument get(String namespace, BsonValue id);

        /** Must precede every put/remove of that document: waits or fails as the isolation rules say. */
        void prepareWrite(String namespace, BsonValue id) throws CommandError;

        void put(String namespace, BsonDocument document);

        void remove(String namespace, BsonValue id);

        boolean inTransaction();
    }

    /** Committed documents per namespace, keyed by normalised _id, in insertion order. */
    private final Map<String, LinkedHashMap<Object, BsonDocument>> committed = new HashMap<>();
    /** Commit version that last wrote each document; a transaction with an older snapshot may not write it. */
    private final Map<DocKey, Long> committedAt = new HashMap<>();
    /** Documents written by an open transaction, and which one: the write locks. */
    private final Map<DocKey, Transaction> writeLocks = new HashMap<>();
    private final Set<Transaction> open = new LinkedHashSet<>();
    private final View autocommit = new Autocommit();
    private final long lockWaitMillis;
    /** Bumped by every commit and every autocommit write. */
    private long version;
    private int commits;
    private int aborts;

    DataStore(long lockWaitMillis) {
        this.lockWaitMillis = lockWaitMillis;
    }

    /** _id equality is by value across numeric types, as in mongod: 1, 1L and 1.0 are one key. */
    static Object idKey(BsonValue id) {
        if (id.isNumber() || id.isDecimal128()) {
            BigDecimal value = id.isDecimal128() ? id.asDecimal128().getValue().bigDecimalValue()
                    : id.isDouble() ? BigDecimal.valueOf(id.asDouble().getValue())
                    : BigDecimal.valueOf(id.asNumber().longValue());
            return value.stripTrailingZeros();
        }
        return id;
    }

    View autocommit() {
        return autocommit;
    }

    synchronized Transaction begin() {
        Transaction transaction = new Transaction(version, snapshot());
        open.add(transaction);
        return transaction;
    }

    synchronized void commit(Transaction transaction) {
        version++;
        for (DocKey key : transaction.written) {
            BsonDocument document = transaction.working.getOrDefault(key.namespace(), new LinkedHashMap<>()).get(key.id());
            LinkedHashMap<Object, BsonDocument> collection = collection(key.namespace());
            if (document == null) {
                collection.remove(key.id());
            } else {
                collection.put(key.id(), document);
            }
            committedAt.put(key, version);
        }
        commits++;
        end(transaction);
    }

    synchronized void abort(Transaction transaction) {
        aborts++;
        end(transaction);
    }

    private void end(Transaction transaction) {
        transaction.written.forEach(writeLocks::remove);
        open.remove(transaction);
        notifyAll();
    }

    synchronized void create(String namespace) {
        collection(namespace);
    }

    synchronized void drop(String namespace) {
        LinkedHashMap<Object, BsonDocument> dropped = committed.remove(namespace);
        if (dropped != null) {
            version++;
            dropped.keySet().forEach(id -> committedAt.put(new DocKey(namespace, id), version));
        }
    }

    synchronized void dropDatabase(String database) {
        new ArrayList<>(committed.keySet()).stream()
                .filter(namespace -> namespace.startsWith(database + "."))
                .forEach(this::drop);
    }

    synchronized List<BsonDocument> committedDocuments(String namespace) {
        List<BsonDocument> copies = new ArrayList<>();
        committed.getOrDefault(namespace, new LinkedHashMap<>()).values().forEach(document -> copies.add(document.clone()));
        return copies;
    }

    synchronized int commits() {
        return commits;
    }

    synchronized int aborts() {
        return aborts;
    }

    synchronized int openTransactions() {
        return open.size();
    }

    synchronized void reset() {
        committed.clear();
        committedAt.clear();
        writeLocks.clear();
        open.clear();
        commits = 0;
        aborts = 0;
        notifyAll();
    }

    private LinkedHashMap<Object, BsonDocument> collection(String namespace) {
        return committed.computeIfAbsent(namespace, name -> new LinkedHashMap<>());
    }

    private Map<String, LinkedHashMap<Object, BsonDocument>> snapshot() {
        Map<String, LinkedHashMap<Object, BsonDocument>> copy = new HashMap<>();
        committed.forEach((namespace, documents) -> copy.put(namespace, new LinkedHashMap<>(documents)));
        return copy;
    }

    /** Reads and writes the committed data directly; each write is its own commit version. */
    private final class Autocommit implements View {
        @Override
        public List<BsonDocument> documents(String namespace) {
            return new ArrayList<>(committed.getOrDefault(namespace, new LinkedHashMap<>()).values());
        }

        @Override
        public BsonDocument get(String namespace, BsonValue id) {
            return committed.getOrDefault(namespace, new LinkedHashMap<>()).get(idKey(id));
        }

        @Override
        public void prepareWrite(String namespace, BsonValue id) throws CommandError {
            DocKey key = new DocKey(namespace, idKey(id));
            long deadline = System.currentTimeMillis() + lockWaitMillis;
            while (writeLocks.containsKey(key)) {
                long remaining = deadline - System.currentTimeMillis();
                if (remaining <= 0) {
                    throw new CommandError(50, "operation exceeded time limit: waited " + lockWaitMillis
                            + " ms for an open transaction that wrote " + key);
                }
                try {
                    DataStore.this.wait(remaining);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new CommandError(11601, "interrupted");
                }
            }
        }

        @Override
        public void put(String namespace, BsonDocument document) {
            Object id = idKey(document.get("_id"));
            collection(namespace).put(id, document);
            committedAt.put(new DocKey(namespace, id), ++version);
        }

        @Override
        public void remove(String namespace, BsonValue id) {
            Object key = idKey(id);
            collection(namespace).remove(key);
            committedAt.put(new DocKey(namespace, key), ++version);
        }

        @Override
        public boolean inTransaction() {
            return false;
        }
    }

    /** One multi-document transaction: its snapshot with its own writes applied, and what it wrote. */
    final class Transaction implements View {
        /** The store version its snapshot was taken at. */
        private final long snapshotVersion;
        private final Map<String, LinkedHashMap<Object, BsonDocument>> working;
        private final Set<DocKey> written = new LinkedHashSet<>();

        private Transaction(long snapshotVersion, Map<String, LinkedHashMap<Object, BsonDocument>> working) {
            this.snapshotVersion = snapshotVersion;
            this.working = working;
        }

        @Override
        public List<BsonDocument> documents(String namespace) {
            return new ArrayList<>(working.getOrDefault(namespace, new LinkedHashMap<>()).values());
        }

        @Override
        public BsonDocument get(String namespace, BsonValue id) {
            return working.getOrDefault(namespace, new LinkedHashMap<>()).get(idKey(id));
        }

        @Override
        public void prepareWrite(String namespace, BsonValue id) throws CommandError {
            DocKey key = new DocKey(namespace, idKey(id));
            Transaction holder = writeLocks.get(key);
            if (holder != null && holder != this) {
                throw CommandError.writeConflict();
            }
            if (committedAt.getOrDefault(key, Long.MIN_VALUE) > snapshotVersion) {
                throw CommandError.writeConflict();
            }
            writeLocks.put(key, this);
            written.add(key);
        }

        @Override
        public void put(String namespace, BsonDocument document) {
            working.computeIfAbsent(namespace, name -> new LinkedHashMap<>()).put(idKey(document.get("_id")), document);
        }

        @Override
        public void remove(String namespace, BsonValue id) {
            working.computeIfAbsent(namespace, name -> new LinkedHashMap<>()).remove(idKey(id));
        }

        @Override
        public boolean inTransaction() {
            return true;
        }
    }
}
