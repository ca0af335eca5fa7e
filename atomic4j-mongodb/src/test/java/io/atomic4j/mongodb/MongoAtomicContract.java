package io.atomic4j.mongodb;

import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Updates.inc;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.mongodb.MongoCommandException;
import com.mongodb.MongoException;
import com.mongodb.MongoWriteException;
import com.mongodb.TransactionOptions;
import com.mongodb.WriteConcern;
import com.mongodb.client.ClientSession;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoCollection;
import io.atomic4j.Atomic;
import io.atomic4j.AtomicOptions;
import io.atomic4j.AtomicScope;
import io.atomic4j.CommitOutcomeUnknownException;
import io.atomic4j.Isolation;
import io.atomic4j.RetryPolicy;
import io.atomic4j.TransactionManagementException;
import io.atomic4j.mongodb.wire.FailPoint;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour of {@link MongoAtomic}, run by a subclass per server: the wire-protocol test
 * server ({@link MongoAtomicWireTest}) and a real replica set ({@link MongoAtomicLiveTest}).
 * The data is checked through a plain collection outside any session: what other clients see.
 */
abstract class MongoAtomicContract {
    static final String DATABASE = "atomic4j_test";

    protected MongoAtomic mongo;
    /** The session-bound view the code under test uses. */
    protected MongoCollection<Document> orders;
    /** The same collection without a session: only committed data. */
    protected MongoCollection<Document> committed;

    protected abstract MongoClient client();

    /** A client of its own, for a test that leaves a transaction open on the server: closing it ends its sessions. */
    protected abstract MongoClient newClient();

    protected MongoAtomic.Builder configure(MongoAtomic.Builder builder) {
        return builder.commitRetryLimit(Duration.ofSeconds(5));
    }

    @BeforeEach
    void createCollection() {
        switchFailPointsOff();
        committed = client().getDatabase(DATABASE).getCollection("orders");
        committed.drop();
        client().getDatabase(DATABASE).createCollection("orders");
        mongo = configure(MongoAtomic.builder(client())).build();
        orders = mongo.collection(DATABASE, "orders");
    }

    @AfterEach
    void nothingLeftOpen() {
        assertThat(mongo.inAtomicBlock()).as("a block leaked on the test thread").isFalse();
        switchFailPointsOff();
    }

    private void switchFailPointsOff() {
        try {
            client().getDatabase("admin").runCommand(FailPoint.offCommand());
        } catch (MongoCommandException e) {
            // a server without test commands has no fail points to switch off
        }
    }

    /** Sets a fault through configureFailPoint; skips the test where the server has no test commands. */
    protected void failCommand(FailPoint failPoint) {
        try {
            client().getDatabase("admin").runCommand(failPoint.toCommand());
        } catch (MongoCommandException e) {
            Assumptions.abort("the server refused configureFailPoint (start mongod with --setParameter "
                    + "enableTestCommands=1 to run the fault tests): " + e.getErrorMessage());
        }
    }

    private static Document order(int id) {
        return new Document("_id", id).append("qty", 1);
    }

    private long committedCount() {
        return committed.countDocuments();
    }

    // ------------------------------------------------------------------ outermost block

    @Test
    void normalExitCommitsEveryWriteOfTheBlock() {
        mongo.atomic(() -> {
            orders.insertOne(order(1));
            orders.insertOne(order(2));
            orders.updateOne(eq("_id", 1), inc("qty", 1));
        });
        assertThat(committed.find(eq("_id", 1)).first()).containsEntry("qty", 2);
        assertThat(committedCount()).isEqualTo(2);
    }

    @Test
    void exceptionAbortsTheTransactionAndComesOutUnchanged() {
        IllegalStateException failure = new IllegalStateException("payment declined");
        assertThatThrownBy(() -> mongo.atomic(() -> {
            orders.insertOne(order(1));
            throw failure;
        })).isSameAs(failure);
        assertThat(committedCount()).isZero();
    }

    @Test
    void writesAreInvisibleOutsideTheBlockUntilItCommits() {
        mongo.atomic(() -> {
            orders.insertOne(order(1));
            assertThat(orders.find(eq("_id", 1)).first()).as("the block sees its own write").isNotNull();
            assertThat(committed.find(eq("_id", 1)).first()).as("others do not").isNull();
        });
        assertThat(committed.find(eq("_id", 1)).first()).isNotNull();
    }

    @Test
    void operationsOutsideABlockRunWithoutASession() {
        assertThat(mongo.currentSession()).isNull();
        orders.insertOne(order(1));
        assertThat(committedCount()).isEqualTo(1);
    }

    @Test
    void currentSessionIsTheBlocksSessionForCodeThatPassesItItself() {
        mongo.atomic(() -> {
            ClientSession session = mongo.currentSession();
            assertThat(session.hasActiveTransaction()).isTrue();
            committed.insertOne(session, order(1));
            assertThat(mongo.currentSession()).isSameAs(session);
            assertThat(committedCount()).isZero();
        });
        assertThat(committedCount()).isEqualTo(1);
    }

    @Test
    void blockReturnsTheBodysValue() {
        long count = mongo.atomic(() -> {
            orders.insertOne(order(1));
            return orders.countDocuments();
        });
        assertThat(count).isEqualTo(1);
    }

    @Test
    void scopeCommitsOnlyWhenCompleted() {
        try (AtomicScope scope = mongo.begin()) {
            orders.insertOne(order(1));
            scope.complete();
        }
        try (AtomicScope scope = mongo.begin()) {
            orders.insertOne(order(2));
        }
        assertThat(committed.find().map(d -> d.getInteger("_id")).into(new ArrayList<>())).containsExactly(1);
    }

    @Test
    void cursorsOfTheViewReadInsideTheTransaction() {
        mongo.atomic(() -> {
            orders.insertMany(List.of(order(1), order(2), order(3)));
            List<Integer> ids = new ArrayList<>();
            try (var cursor = orders.find().sort(new Document("_id", -1)).iterator()) {
                cursor.forEachRemaining(d -> ids.add(d.getInteger("_id")));
            }
            assertThat(ids).containsExactly(3, 2, 1);
            assertThat(mongo.database(DATABASE).getCollection("orders").countDocuments()).isEqualTo(3);
        });
    }

    // ------------------------------------------------------------------ hooks

    @Test
    void onCommitRunsAfterTheCommitAndNeverAfterAnAbort() {
        List<Long> seen = new ArrayList<>();
        mongo.atomic(() -> {
            orders.insertOne(order(1));
            mongo.onCommit(() -> seen.add(committedCount()));
            assertThat(seen).isEmpty();
        });
        assertThat(seen).as("the hook saw the committed data").containsExactly(1L);

        assertThatThrownBy(() -> mongo.atomic(() -> {
            orders.insertOne(order(2));
            mongo.onCommit(() -> seen.add(-1L));
            throw new IllegalStateException("abort");
        })).hasMessage("abort");
        assertThat(seen).containsExactly(1L);
    }

    @Test
    void onCommitOutsideABlockRunsAtOnce() {
        AtomicInteger runs = new AtomicInteger();
        mongo.onCommit(runs::incrementAndGet);
        assertThat(runs).hasValue(1);
    }

    @Test
    void robustOnCommitFailureIsLoggedAndTheOtherHooksRun() {
        List<String> ran = new ArrayList<>();
        mongo.atomic(() -> {
            orders.insertOne(order(1));
            mongo.onCommit(() -> {
                throw new IllegalStateException("mail server down");
            }, true);
            mongo.onCommit(() -> ran.add("second"));
        });
        assertThat(ran).containsExactly("second");
    }

    @Test
    void aFailingCallbackAfterTheCommitIsOnCommitFailedWithTheDataCommitted() {
        IllegalStateException mailDown = new IllegalStateException("mail server down");
        AtomicInteger attempts = new AtomicInteger();
        assertThatThrownBy(() -> mongo.atomic(io.atomic4j.AtomicOptions.defaults()
                .retry(io.atomic4j.RetryPolicy.transientErrors(3)), () -> {
            attempts.incrementAndGet();
            orders.insertOne(order(1));
            mongo.onCommit(() -> {
                throw mailDown;
            });
        })).isInstanceOf(io.atomic4j.OnCommitFailedException.class).hasCause(mailDown);
        assertThat(attempts).as("never re-run after the commit").hasValue(1);
        assertThat(committedCount()).isEqualTo(1);
    }

    /** The seed's advice: restore in-memory fields when the transaction fails. */
    @Test
    void onRollbackRestoresAnInMemoryFieldAfterTheAbort() {
        Document user = new Document("_id", "ada").append("status", "new");
        assertThatThrownBy(() -> mongo.atomic(() -> {
            String previous = user.getString("status");
            user.put("status", "paid");
            mongo.onRollback(() -> user.put("status", previous));
            orders.insertOne(user);
            throw new IllegalStateException("payment API failed");
        })).hasMessage("payment API failed");
        assertThat(user.getString("status")).isEqualTo("new");
        assertThat(committedCount()).isZero();
    }

    // ------------------------------------------------------------------ nesting without savepoints

    @Test
    void nestedBlockCommitsWithTheOuterBlock() {
        mongo.atomic(() -> {
            orders.insertOne(order(1));
            mongo.atomic(() -> orders.insertOne(order(2)));
            assertThat(committedCount()).as("the inner block did not commit on its own").isZero();
        });
        assertThat(committedCount()).isEqualTo(2);
    }

    @Test
    void failedNestedBlockCaughtByTheOuterAbortsTheWholeTransaction() {
        IllegalStateException inner = new IllegalStateException("inner failed");
        assertThatThrownBy(() -> mongo.atomic(() -> {
            orders.insertOne(order(1));
            try {
                mongo.atomic(() -> {
                    orders.insertOne(order(2));
                    throw inner;
                });
            } catch (IllegalStateException expected) {
                // caught: with SQL a savepoint would undo only the inner block
            }
        })).isInstanceOf(TransactionManagementException.class).hasCause(inner);
        assertThat(committedCount()).isZero();
    }

    @Test
    void operationAfterAFailedNestedBlockIsRefusedAndSaysWhy() {
        mongo.atomic(() -> {
            orders.insertOne(order(1));
            try {
                mongo.atomic(() -> {
                    throw new IllegalStateException("inner failed");
                });
            } catch (IllegalStateException expected) {
                // caught
            }
            assertThatThrownBy(() -> orders.insertOne(order(3)))
                    .isInstanceOf(TransactionManagementException.class)
                    .hasMessageContaining("MongoDB has no savepoints")
                    .hasCauseInstanceOf(IllegalStateException.class);
            mongo.setRollback(true);
        });
        assertThat(committedCount()).isZero();
    }

    @Test
    void swallowedDriverErrorAbortsTheTransactionAtExit() {
        orders.insertOne(order(1));
        assertThatThrownBy(() -> mongo.atomic(() -> {
            orders.insertOne(order(2));
            try {
                orders.insertOne(order(1));
            } catch (MongoWriteException duplicate) {
                // swallowed: the server has aborted the transaction anyway
            }
        })).isInstanceOf(TransactionManagementException.class).hasCauseInstanceOf(MongoWriteException.class);
        assertThat(committedCount()).as("order 2 was not half-committed").isEqualTo(1);
    }

    @Test
    void setRollbackAbortsSilently() {
        mongo.atomic(() -> {
            orders.insertOne(order(1));
            mongo.setRollback(true);
            assertThat(mongo.getRollback()).isTrue();
        });
        assertThat(committedCount()).isZero();
    }

    @Test
    void durableBlockInsideAnotherIsRefusedBeforeAnyWork() {
        assertThatThrownBy(() -> mongo.atomic(() -> mongo.atomic(AtomicOptions.defaults().durable(true),
                () -> orders.insertOne(order(1))))).isInstanceOf(TransactionManagementException.class)
                .hasMessageContaining("durable");
        assertThat(committedCount()).isZero();
    }

    @Test
    void sqlOnlyOptionsAreRefused() {
        assertThatThrownBy(() -> mongo.atomic(AtomicOptions.defaults().isolation(Isolation.SERIALIZABLE), () -> { }))
                .isInstanceOf(TransactionManagementException.class).hasMessageContaining("isolation");
        assertThatThrownBy(() -> mongo.atomic(AtomicOptions.defaults().readOnly(true), () -> { }))
                .isInstanceOf(TransactionManagementException.class).hasMessageContaining("readOnly");
    }

    @Test
    void transactionOptionsApplyToTheOutermostBlockOnly() {
        MongoAtomic majority = mongo.withTransactionOptions(TransactionOptions.builder().writeConcern(WriteConcern.MAJORITY).build());
        majority.atomic(() -> orders.insertOne(order(1)));
        assertThat(committedCount()).isEqualTo(1);
        assertThatThrownBy(() -> mongo.atomic(() -> majority.atomic(() -> orders.insertOne(order(2)))))
                .isInstanceOf(TransactionManagementException.class).hasMessageContaining("outermost");
    }

    interface Checkout {
        @Atomic
        void placeOrder(int id, boolean fail);
    }

    @Test
    void atomicProxyRunsAnnotatedMethodsInABlock() {
        Checkout checkout = mongo.atomicProxy(Checkout.class, (id, fail) -> {
            orders.insertOne(order(id));
            if (fail) {
                throw new IllegalArgumentException("card refused");
            }
        });
        checkout.placeOrder(1, false);
        assertThatThrownBy(() -> checkout.placeOrder(2, true)).isInstanceOf(IllegalArgumentException.class);
        assertThat(committed.find().map(d -> d.getInteger("_id")).into(new ArrayList<>())).containsExactly(1);
    }

    // ------------------------------------------------------------------ errors and retries

    @Test
    void transientTransactionErrorRerunsTheBodyAndDiscardsTheFailedAttemptsHooks() {
        failCommand(FailPoint.failCommand("insert").errorCode(112).errorLabels("TransientTransactionError"));
        AtomicInteger attempts = new AtomicInteger();
        AtomicInteger hooksRun = new AtomicInteger();
        mongo.atomic(AtomicOptions.defaults().retry(RetryPolicy.transientErrors(3)), () -> {
            attempts.incrementAndGet();
            mongo.onCommit(hooksRun::incrementAndGet);
            orders.insertOne(order(1));
        });
        assertThat(attempts).hasValue(2);
        assertThat(hooksRun).hasValue(1);
        assertThat(committedCount()).isEqualTo(1);
    }

    @Test
    void withoutARetryPolicyTheTransientErrorComesOut() {
        failCommand(FailPoint.failCommand("insert").errorCode(112).errorLabels("TransientTransactionError"));
        assertThatThrownBy(() -> mongo.atomic(() -> orders.insertOne(order(1))))
                .isInstanceOfSatisfying(MongoCommandException.class, e -> {
                    assertThat(e.getErrorCode()).isEqualTo(112);
                    assertThat(e.hasErrorLabel(MongoException.TRANSIENT_TRANSACTION_ERROR_LABEL)).isTrue();
                });
        assertThat(committedCount()).isZero();
    }

    @Test
    void commitIsRetriedWhileItsOutcomeIsUnknown() {
        // The driver retries a failed commit once itself, then labels it UnknownTransactionCommitResult.
        failCommand(FailPoint.failCommand("commitTransaction").times(3).errorCode(91));
        AtomicInteger hooksRun = new AtomicInteger();
        mongo.atomic(AtomicOptions.defaults().retry(RetryPolicy.transientErrors(3)), () -> {
            orders.insertOne(order(1));
            mongo.onCommit(hooksRun::incrementAndGet);
        });
        assertThat(hooksRun).hasValue(1);
        assertThat(committedCount()).isEqualTo(1);
    }

    @Test
    void withoutARetryPolicyAnUnknownCommitOutcomeIsReported() {
        failCommand(FailPoint.failCommand("commitTransaction").times(2).errorCode(91));
        AtomicInteger hooksRun = new AtomicInteger();
        // The failed commits leave the transaction open on the server; closing the client ends it.
        try (MongoClient own = newClient()) {
            MongoAtomic atomic = configure(MongoAtomic.builder(own)).build();
            assertThatThrownBy(() -> atomic.atomic(() -> {
                atomic.collection(DATABASE, "orders").insertOne(order(1));
                atomic.onCommit(hooksRun::incrementAndGet);
            })).isInstanceOf(CommitOutcomeUnknownException.class)
                    .hasMessageContaining("unknown outcome")
                    .cause().isInstanceOfSatisfying(MongoException.class, e ->
                            assertThat(e.hasErrorLabel(MongoException.UNKNOWN_TRANSACTION_COMMIT_RESULT_LABEL)).isTrue());
            // Error 91 made the driver forget the server; endSessions is only sent to a known one.
            own.getDatabase("admin").runCommand(new Document("ping", 1));
        }
        assertThat(hooksRun).hasValue(0);
    }

    @Test
    void concurrentBlocksWritingOneDocumentBothCommitThroughTheRetry() throws Exception {
        orders.insertOne(order(1));
        CountDownLatch firstHoldsTheDocument = new CountDownLatch(1);
        CountDownLatch secondConflicted = new CountDownLatch(1);
        CompletableFuture<Void> first = CompletableFuture.runAsync(() -> mongo.atomic(() -> {
            orders.updateOne(eq("_id", 1), inc("qty", 10));
            firstHoldsTheDocument.countDown();
            await(secondConflicted);
        }));
        await(firstHoldsTheDocument);
        AtomicInteger attempts = new AtomicInteger();
        mongo.atomic(AtomicOptions.defaults().retry(RetryPolicy.transientErrors(20)), () -> {
            attempts.incrementAndGet();
            mongo.onRollback(secondConflicted::countDown);
            orders.updateOne(eq("_id", 1), inc("qty", 100));
        });
        first.get(10, TimeUnit.SECONDS);
        assertThat(attempts.get()).isGreaterThan(1);
        assertThat(committed.find(eq("_id", 1)).first()).containsEntry("qty", 111);
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("timed out waiting for the other block");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
