package io.atomic4j.mongodb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.mongodb.MongoSocketException;
import com.mongodb.TransactionOptions;
import com.mongodb.WriteConcern;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import io.atomic4j.AtomicOptions;
import io.atomic4j.CommitOutcomeUnknownException;
import io.atomic4j.RetryPolicy;
import io.atomic4j.TransactionManagementException;
import io.atomic4j.mongodb.wire.FailPoint;
import io.atomic4j.mongodb.wire.WireServer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.bson.BsonDocument;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The behavioural suite over the wire-protocol test server, plus what only that server can show:
 * the commands on the wire, a commit whose reply is lost after it took effect, a standalone server.
 */
class MongoAtomicWireTest extends MongoAtomicContract {
    private static WireServer server;
    private static MongoClient client;

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

    @Override
    protected MongoClient client() {
        return client;
    }

    @Override
    protected MongoClient newClient() {
        return MongoClients.create(server.clientSettings());
    }

    @BeforeEach
    void resetServer() {
        server.reset();
    }

    private List<String> transactionCommands() {
        return server.commands().stream().filter(command -> command.containsKey("txnNumber"))
                .map(BsonDocument::getFirstKey).toList();
    }

    @Test
    void blockWithoutOperationsSendsNothing() {
        mongo.atomic(() -> mongo.onCommit(() -> { }));
        assertThat(server.commandNames()).isEmpty();
    }

    @Test
    void blockIsOneServerTransaction() {
        mongo.atomic(() -> {
            orders.insertOne(new Document("_id", 1));
            mongo.atomic(() -> orders.insertOne(new Document("_id", 2)));
        });
        List<BsonDocument> commands = server.commands();
        assertThat(commands).extracting(BsonDocument::getFirstKey).containsExactly("insert", "insert", "commitTransaction");
        assertThat(commands.get(0).getBoolean("startTransaction").getValue()).isTrue();
        assertThat(commands).allSatisfy(command -> assertThat(command.getBoolean("autocommit").getValue()).isFalse());
        assertThat(server.commits()).isEqualTo(1);
    }

    @Test
    void failedBlockIsAbortedOnTheServer() {
        assertThatThrownBy(() -> mongo.atomic(() -> {
            orders.insertOne(new Document("_id", 1));
            throw new IllegalStateException("no");
        })).hasMessage("no");
        assertThat(transactionCommands()).containsExactly("insert", "abortTransaction");
        assertThat(server.aborts()).isEqualTo(1);
        assertThat(server.openTransactions()).isZero();
    }

    @Test
    void unknownCommitOutcomeLeavesNoTransactionOpenOnceTheClientIsClosed() {
        withoutARetryPolicyAnUnknownCommitOutcomeIsReported();
        assertThat(server.commandNames()).as(server.commands().toString()).contains("endSessions");
        assertThat(server.openTransactions()).isZero();
        assertThat(server.documents(DATABASE, "orders")).isEmpty();
    }

    @Test
    void transactionOptionsReachTheServer() {
        mongo.withTransactionOptions(TransactionOptions.builder().writeConcern(WriteConcern.MAJORITY).build())
                .atomic(() -> orders.insertOne(new Document("_id", 1)));
        BsonDocument commit = server.commands().get(server.commands().size() - 1);
        assertThat(commit.getFirstKey()).isEqualTo("commitTransaction");
        assertThat(commit.getDocument("writeConcern").getString("w").getValue()).isEqualTo("majority");
    }

    @Test
    void commitWhoseRepliesAreLostIsRetriedUntilTheServerConfirmsIt() {
        // The commit takes effect but both the driver's attempt and its own retry lose the reply.
        server.configureFailPoint(FailPoint.failCommand("commitTransaction").times(2).closeConnectionAfterApplying());
        AtomicInteger hooksRun = new AtomicInteger();
        mongo.atomic(AtomicOptions.defaults().retry(RetryPolicy.transientErrors(3)), () -> {
            orders.insertOne(new Document("_id", 1));
            mongo.onCommit(hooksRun::incrementAndGet);
        });
        assertThat(hooksRun).hasValue(1);
        assertThat(server.commits()).isEqualTo(1);
        assertThat(server.documents(DATABASE, "orders")).hasSize(1);
    }

    @Test
    void commitWhoseOutcomeStaysUnknownRaisesCommitOutcomeUnknown() {
        MongoAtomic impatient = MongoAtomic.builder(client).commitRetryLimit(Duration.ofMillis(300)).build();
        server.configureFailPoint(FailPoint.failCommand("commitTransaction").alwaysOn().closeConnectionAfterApplying());
        AtomicInteger attempts = new AtomicInteger();
        AtomicInteger hooksRun = new AtomicInteger();
        assertThatThrownBy(() -> impatient.atomic(AtomicOptions.defaults().retry(RetryPolicy.transientErrors(3)), () -> {
            attempts.incrementAndGet();
            impatient.collection(DATABASE, "orders").insertOne(new Document("_id", 1));
            impatient.onCommit(hooksRun::incrementAndGet);
        })).isInstanceOf(CommitOutcomeUnknownException.class).hasMessageContaining("commit retried for");
        assertThat(attempts).as("never re-run after an unknown commit outcome").hasValue(1);
        assertThat(hooksRun).hasValue(0);
        assertThat(server.documents(DATABASE, "orders")).as("it did commit, unknown to the client").hasSize(1);
    }

    @Test
    void connectionLostInsideTheBlockRerunsTheBody() {
        server.configureFailPoint(FailPoint.failCommand("update").closeConnection());
        AtomicInteger attempts = new AtomicInteger();
        mongo.atomic(AtomicOptions.defaults().retry(RetryPolicy.transientErrors(3)), () -> {
            attempts.incrementAndGet();
            orders.insertOne(new Document("_id", attempts.get()));
            orders.updateOne(new Document("_id", attempts.get()), new Document("$set", new Document("paid", true)));
        });
        assertThat(attempts).hasValue(2);
        assertThat(server.documents(DATABASE, "orders")).extracting(BsonDocument::toJson)
                .containsExactly("{\"_id\": 2, \"paid\": true}");
    }

    @Test
    void connectionLostInsideTheBlockFailsLaterOperationsClearly() {
        server.configureFailPoint(FailPoint.failCommand("update").closeConnection());
        assertThatThrownBy(() -> mongo.atomic(() -> {
            orders.insertOne(new Document("_id", 1));
            try {
                orders.updateOne(new Document("_id", 1), new Document("$set", new Document("paid", true)));
            } catch (RuntimeException lost) {
                // swallowed
            }
            orders.insertOne(new Document("_id", 2));
        })).isInstanceOf(TransactionManagementException.class).hasMessageContaining("was lost")
                .hasCauseInstanceOf(MongoSocketException.class);
        assertThat(server.documents(DATABASE, "orders")).isEmpty();
    }

    @Test
    void standaloneServerIsRefusedWithAClearError() {
        try (WireServer standalone = WireServer.startStandalone();
             MongoClient direct = MongoClients.create(standalone.clientSettings())) {
            MongoAtomic atomic = MongoAtomic.create(direct);
            direct.getDatabase(DATABASE).runCommand(new Document("ping", 1));
            assertThatThrownBy(() -> atomic.atomic(() -> atomic.collection(DATABASE, "orders").insertOne(new Document("_id", 1))))
                    .isInstanceOf(TransactionManagementException.class)
                    .hasMessageContaining("standalone server")
                    .hasMessageContaining("replica set");
            assertThat(standalone.documents(DATABASE, "orders")).isEmpty();
        }
    }
}
