package io.atomic4j.mongodb.wire;

import static com.mongodb.client.model.Filters.and;
import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Filters.gt;
import static com.mongodb.client.model.Filters.in;
import static com.mongodb.client.model.Sorts.descending;
import static com.mongodb.client.model.Updates.combine;
import static com.mongodb.client.model.Updates.inc;
import static com.mongodb.client.model.Updates.set;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import org.bson.BsonDocument;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.mongodb.MongoClientException;
import com.mongodb.MongoCommandException;
import com.mongodb.MongoException;
import com.mongodb.MongoWriteException;
import com.mongodb.client.ClientSession;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.ReturnDocument;
import com.mongodb.client.model.UpdateOptions;

/** The wire server as the official sync driver sees it: CRUD, transactions, isolation, faults. */
class WireServerTest {
    private static WireServer server;
    private static MongoClient client;
    private MongoCollection<Document> orders;

    @BeforeAll
    static void startServer() {
        server = WireServer.start();
        client = MongoClients.create(server.clientSettings());
    }

    @AfterAll
    static void stopServer() {
        client.close();
        server.close();
    }

    @BeforeEach
    void cleanServer() {
        server.reset();
        orders = client.getDatabase("shop").getCollection("orders");
    }

    @Test
    void driverDiscoversTheReplicaSetPrimary() {
        Document hello = client.getDatabase("admin").runCommand(new Document("hello", 1));
        assertThat(hello.getString("setName")).isEqualTo("rs0");
        assertThat(hello.getBoolean("isWritablePrimary")).isTrue();
        assertThat(client.getClusterDescription().getType()).hasToString("REPLICA_SET");
    }

    @Test
    void insertFindUpdateDeleteRoundTrip() {
        orders.insertOne(new Document("_id", 1).append("item", "pen").append("qty", 5));
        orders.insertMany(List.of(new Document("_id", 2).append("item", "ink").append("qty", 10),
                new Document("_id", 3).append("item", "pad").append("qty", 1)));

        assertThat(orders.find(eq("item", "ink")).first()).containsEntry("qty", 10);
        assertThat(orders.find(gt("qty", 2)).sort(descending("qty")).map(d -> d.getInteger("_id")).into(new ArrayList<>()))
                .containsExactly(2, 1);
        assertThat(orders.find(in("_id", 1, 3)).into(new ArrayList<>())).hasSize(2);
        assertThat(orders.countDocuments(gt("qty", 2))).isEqualTo(2);
        assertThat(orders.countDocuments()).isEqualTo(3);

        assertThat(orders.updateOne(eq("_id", 1), combine(set("item", "pencil"), inc("qty", 2))).getModifiedCount()).isEqualTo(1);
        assertThat(orders.find(eq("_id", 1)).first()).containsEntry("item", "pencil").containsEntry("qty", 7);
        assertThat(orders.updateMany(gt("qty", 0), inc("qty", 1)).getModifiedCount()).isEqualTo(3);
        assertThat(orders.updateOne(eq("_id", 9), set("qty", 1), new UpdateOptions().upsert(true)).getUpsertedId())
                .isNotNull();
        assertThat(orders.replaceOne(eq("_id", 3), new Document("item", "notebook")).getModifiedCount()).isEqualTo(1);
        Document counter = orders.findOneAndUpdate(eq("_id", 2), inc("qty", 100),
                new FindOneAndUpdateOptions().returnDocument(ReturnDocument.AFTER));
        assertThat(counter).containsEntry("qty", 111);

        assertThat(orders.deleteOne(eq("_id", 9)).getDeletedCount()).isEqualTo(1);
        assertThat(orders.deleteMany(and(gt("qty", 0), eq("item", "pencil"))).getDeletedCount()).isEqualTo(1);

        assertThat(server.documents("shop", "orders"))
                .extracting(document -> document.toJson())
                .containsExactly("{\"_id\": 2, \"item\": \"ink\", \"qty\": 111}", "{\"_id\": 3, \"item\": \"notebook\"}");
    }

    @Test
    void filterOperatorsMatchLikeMongod() {
        orders.insertMany(List.of(
                Document.parse("{_id: 1, item: 'pen', qty: 5, tags: ['red', 'blue'], size: {h: 10}}"),
                Document.parse("{_id: 2, item: 'ink', qty: 5.0}"),
                Document.parse("{_id: 3, item: 'pad', qty: 'many'}")));
        assertThat(ids("{qty: 5}")).containsExactly(1, 2);
        assertThat(ids("{qty: {$gte: 5}}")).as("no match across type brackets").containsExactly(1, 2);
        assertThat(ids("{tags: 'blue'}")).containsExactly(1);
        assertThat(ids("{'size.h': {$lt: 11}}")).containsExactly(1);
        assertThat(ids("{tags: {$exists: false}}")).containsExactly(2, 3);
        assertThat(ids("{item: {$nin: ['pen', 'ink']}}")).containsExactly(3);
        assertThat(ids("{$or: [{item: 'pad'}, {qty: {$ne: 5}}]}")).containsExactly(3);
        assertThatThrownBy(() -> ids("{item: {$regex: 'p'}}")).isInstanceOf(MongoCommandException.class)
                .hasMessageContaining("not implemented by WireServer");
    }

    private List<Integer> ids(String filter) {
        return orders.find(Document.parse(filter)).map(document -> document.getInteger("_id")).into(new ArrayList<>());
    }

    @Test
    void duplicateIdIsAWriteError() {
        orders.insertOne(new Document("_id", 1));
        assertThatThrownBy(() -> orders.insertOne(new Document("_id", 1L)))
                .isInstanceOfSatisfying(MongoWriteException.class, e -> assertThat(e.getCode()).isEqualTo(11000));
    }

    @Test
    void insertManyArrivesAsAnOpMsgDocumentSequence() {
        orders.insertMany(IntStream.range(0, 50).mapToObj(i -> new Document("n", i)).toList());
        assertThat(server.documents("shop", "orders")).hasSize(50);
        BsonDocument insert = server.commands().stream().filter(c -> c.getFirstKey().equals("insert")).findFirst().orElseThrow();
        assertThat(insert.getArray("documents")).hasSize(50);
    }

    @Test
    void committedTransactionIsInvisibleToOthersUntilCommit() {
        try (ClientSession session = client.startSession(); ClientSession other = client.startSession()) {
            session.startTransaction();
            orders.insertOne(session, new Document("_id", "a"));
            assertThat(orders.find(session, eq("_id", "a")).first()).isNotNull();

            assertThat(orders.find(eq("_id", "a")).first()).isNull();
            other.startTransaction();
            assertThat(orders.find(other, eq("_id", "a")).first()).isNull();
            other.abortTransaction();
            assertThat(server.documents("shop", "orders")).isEmpty();

            session.commitTransaction();
        }
        assertThat(orders.find(eq("_id", "a")).first()).isNotNull();
        assertThat(server.documents("shop", "orders")).hasSize(1);
        assertThat(server.commits()).isEqualTo(1);
    }

    @Test
    void abortedTransactionDiscardsItsWrites() {
        orders.insertOne(new Document("_id", 1).append("qty", 1));
        try (ClientSession session = client.startSession()) {
            session.startTransaction();
            orders.insertOne(session, new Document("_id", 2));
            orders.updateOne(session, eq("_id", 1), inc("qty", 1));
            orders.deleteOne(session, eq("_id", 1));
            session.abortTransaction();
        }
        assertThat(server.documents("shop", "orders")).extracting(d -> d.toJson()).containsExactly("{\"_id\": 1, \"qty\": 1}");
        assertThat(server.aborts()).isEqualTo(1);
        assertThat(server.commits()).isZero();
        assertThat(server.openTransactions()).isZero();
    }

    @Test
    void transactionStartsWithTheFirstCommandAndCarriesTheSessionFields() {
        try (ClientSession session = client.startSession()) {
            session.startTransaction();
            orders.insertOne(session, new Document("_id", 1));
            orders.insertOne(session, new Document("_id", 2));
            session.commitTransaction();
        }
        List<BsonDocument> commands = server.commands();
        assertThat(commands).extracting(BsonDocument::getFirstKey).containsExactly("insert", "insert", "commitTransaction");
        assertThat(commands.get(0).getBoolean("startTransaction").getValue()).isTrue();
        assertThat(commands.get(1).containsKey("startTransaction")).isFalse();
        assertThat(commands).allSatisfy(command -> {
            assertThat(command.getBoolean("autocommit").getValue()).isFalse();
            assertThat(command.containsKey("lsid")).isTrue();
            assertThat(command.getInt64("txnNumber").getValue()).isEqualTo(commands.get(0).getInt64("txnNumber").getValue());
        });
    }

    @Test
    void writeToADocumentHeldByAnotherTransactionIsAWriteConflict() {
        orders.insertOne(new Document("_id", 1).append("qty", 0));
        try (ClientSession first = client.startSession(); ClientSession second = client.startSession()) {
            first.startTransaction();
            orders.updateOne(first, eq("_id", 1), inc("qty", 1));
            second.startTransaction();
            assertThatThrownBy(() -> orders.updateOne(second, eq("_id", 1), inc("qty", 10)))
                    .isInstanceOfSatisfying(MongoCommandException.class, e -> {
                        assertThat(e.getErrorCode()).isEqualTo(112);
                        assertThat(e.hasErrorLabel(MongoException.TRANSIENT_TRANSACTION_ERROR_LABEL)).isTrue();
                    });
            // mongod aborted the second transaction with the conflict
            assertThatThrownBy(() -> orders.insertOne(second, new Document("_id", 2)))
                    .isInstanceOfSatisfying(MongoCommandException.class, e -> assertThat(e.getErrorCode()).isEqualTo(251));
            second.abortTransaction();
            first.commitTransaction();
        }
        assertThat(server.documents("shop", "orders")).extracting(d -> d.toJson()).containsExactly("{\"_id\": 1, \"qty\": 1}");
    }

    @Test
    void writeToADocumentCommittedAfterTheSnapshotIsAWriteConflict() {
        orders.insertOne(new Document("_id", 1).append("qty", 0));
        try (ClientSession session = client.startSession()) {
            session.startTransaction();
            assertThat(orders.find(session, eq("_id", 1)).first()).containsEntry("qty", 0);
            orders.updateOne(eq("_id", 1), inc("qty", 5));
            assertThat(orders.find(session, eq("_id", 1)).first()).as("snapshot read").containsEntry("qty", 0);
            assertThatThrownBy(() -> orders.updateOne(session, eq("_id", 1), inc("qty", 1)))
                    .isInstanceOfSatisfying(MongoCommandException.class, e -> assertThat(e.getErrorCode()).isEqualTo(112));
        }
    }

    @Test
    void autocommitWriteWaitsForTheTransactionHoldingTheDocument() throws Exception {
        orders.insertOne(new Document("_id", 1).append("qty", 0));
        try (ClientSession session = client.startSession()) {
            session.startTransaction();
            orders.updateOne(session, eq("_id", 1), inc("qty", 1));
            CompletableFuture<Long> outside = CompletableFuture.supplyAsync(
                    () -> orders.updateOne(eq("_id", 1), inc("qty", 10)).getModifiedCount());
            assertThat(server.awaitCommands("update", 2, Duration.ofSeconds(5))).isTrue();
            assertThat(outside).isNotDone();
            session.commitTransaction();
            assertThat(outside.get(10, TimeUnit.SECONDS)).isEqualTo(1);
        }
        assertThat(orders.find(eq("_id", 1)).first()).containsEntry("qty", 11);
    }

    @Test
    void withTransactionRetriesTheBodyAfterATransientTransactionError() {
        server.configureFailPoint(FailPoint.failCommand("insert").errorCode(112).errorLabels("TransientTransactionError"));
        AtomicInteger attempts = new AtomicInteger();
        try (ClientSession session = client.startSession()) {
            session.withTransaction(() -> {
                attempts.incrementAndGet();
                orders.insertOne(session, new Document("_id", 1));
                return null;
            });
        }
        assertThat(attempts).hasValue(2);
        assertThat(server.documents("shop", "orders")).hasSize(1);
        assertThat(server.commits()).isEqualTo(1);
        assertThat(server.aborts()).isEqualTo(1);
    }

    @Test
    void retryableCommitErrorIsRetriedByTheDriver() {
        server.configureFailPoint(FailPoint.failCommand("commitTransaction").errorCode(91));
        try (ClientSession session = client.startSession()) {
            session.startTransaction();
            orders.insertOne(session, new Document("_id", 1));
            session.commitTransaction();
        }
        assertThat(server.commandNames()).containsExactly("insert", "commitTransaction", "commitTransaction");
        assertThat(server.documents("shop", "orders")).hasSize(1);
    }

    @Test
    void withTransactionRetriesTheCommitOnUnknownTransactionCommitResult() {
        server.configureFailPoint(FailPoint.failCommand("commitTransaction").times(3).errorCode(91));
        AtomicInteger attempts = new AtomicInteger();
        try (ClientSession session = client.startSession()) {
            session.withTransaction(() -> {
                attempts.incrementAndGet();
                orders.insertOne(session, new Document("_id", 1));
                return null;
            });
        }
        assertThat(attempts).hasValue(1);
        assertThat(server.documents("shop", "orders")).hasSize(1);
        assertThat(server.commandNames().stream().filter("commitTransaction"::equals)).hasSize(4);
    }

    @Test
    void connectionClosedAfterTheCommitAppliedLeavesTheOutcomeUnknown() {
        server.configureFailPoint(FailPoint.failCommand("commitTransaction").times(2).closeConnectionAfterApplying());
        try (ClientSession session = client.startSession()) {
            session.startTransaction();
            orders.insertOne(session, new Document("_id", 1));
            assertThatThrownBy(session::commitTransaction)
                    .isInstanceOfSatisfying(MongoException.class, e ->
                            assertThat(e.hasErrorLabel(MongoException.UNKNOWN_TRANSACTION_COMMIT_RESULT_LABEL)).isTrue());
        }
        assertThat(server.documents("shop", "orders")).as("the commit did happen").hasSize(1);
        assertThat(server.commits()).isEqualTo(1);
    }

    @Test
    void connectionClosedBeforeTheCommitLeavesTheTransactionOpenForTheRetry() {
        server.configureFailPoint(FailPoint.failCommand("commitTransaction").closeConnection());
        try (ClientSession session = client.startSession()) {
            session.startTransaction();
            orders.insertOne(session, new Document("_id", 1));
            session.commitTransaction();
        }
        assertThat(server.documents("shop", "orders")).hasSize(1);
        assertThat(server.commandNames()).containsExactly("insert", "commitTransaction", "commitTransaction");
    }

    @Test
    void retryableWriteIsAppliedOnceWhenTheReplyIsLost() {
        server.configureFailPoint(FailPoint.failCommand("update").closeConnectionAfterApplying());
        orders.insertOne(new Document("_id", 1).append("qty", 0));
        orders.updateOne(eq("_id", 1), inc("qty", 1));
        assertThat(server.commandNames()).containsExactly("insert", "update", "update");
        assertThat(orders.find(eq("_id", 1)).first()).containsEntry("qty", 1);
    }

    @Test
    void failPointIsAlsoSetThroughConfigureFailPoint() {
        client.getDatabase("admin").runCommand(Document.parse(
                "{configureFailPoint: 'failCommand', mode: {times: 1}, data: {failCommands: ['find'], errorCode: 2}}"));
        assertThatThrownBy(() -> orders.find().first())
                .isInstanceOfSatisfying(MongoCommandException.class, e -> assertThat(e.getErrorCode()).isEqualTo(2));
        assertThat(orders.find().first()).isNull();
    }

    @Test
    void droppedConnectionsAreReopenedByTheDriver() {
        orders.insertOne(new Document("_id", 1));
        int before = server.connectionsOpened();
        server.dropConnections();
        assertThat(orders.find(eq("_id", 1)).first()).isNotNull();
        assertThat(server.connectionsOpened()).isGreaterThan(before);
    }

    @Test
    void standaloneServerRefusesTransactions() {
        try (WireServer standalone = WireServer.startStandalone(); MongoClient direct = MongoClients.create(standalone.clientSettings())) {
            MongoCollection<Document> collection = direct.getDatabase("shop").getCollection("orders");
            collection.insertOne(new Document("_id", 1));
            try (ClientSession session = direct.startSession()) {
                session.startTransaction();
                assertThatThrownBy(() -> collection.find(session).first())
                        .isInstanceOfSatisfying(MongoCommandException.class, e -> {
                            assertThat(e.getErrorCode()).isEqualTo(20);
                            assertThat(e.getErrorMessage())
                                    .isEqualTo("Transaction numbers are only allowed on a replica set member or mongos");
                        });
                session.abortTransaction();
                // For writes the driver rewraps mongod's error (CommandOperationHelper.transformWriteException).
                session.startTransaction();
                assertThatThrownBy(() -> collection.insertOne(session, new Document("_id", 2)))
                        .isInstanceOf(MongoClientException.class)
                        .hasMessageContaining("does not support retryable writes")
                        .cause().isInstanceOfSatisfying(MongoCommandException.class,
                                e -> assertThat(e.getErrorCode()).isEqualTo(20));
            }
            assertThat(standalone.documents("shop", "orders")).hasSize(1);
            assertThat(direct.getClusterDescription().getServerDescriptions().get(0).getType()).hasToString("STANDALONE");
        }
    }
}
