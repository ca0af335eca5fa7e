package io.atomic4j.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.atomic4j.AtomicScope;
import io.atomic4j.Database;
import io.atomic4j.Savepoint;
import io.atomic4j.TransactionManagementException;
import io.atomic4j.testing.ItemTable;
import io.atomic4j.testing.TestDatabase;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The engine's per-thread bookkeeping past its first sizes and at its edges: more hooks than the
 * hook queue first holds, blocks nested deeper than the first frame stack, the statement count
 * that atomic4j-servlet reads, savepoint names.
 */
class EngineBookkeepingTest {
    private Database db;
    private TestDatabase testDatabase;
    private ItemTable items;

    private void use(TestDatabase testDatabase) throws SQLException {
        this.testDatabase = testDatabase;
        db = Database.builder(testDatabase.jdbcUrl()).user(testDatabase.user()).password(testDatabase.password())
                .alias("bookkeeping").maxPoolSize(2).build();
        items = new ItemTable(testDatabase, "bookkeeping_item");
    }

    @AfterEach
    void close() {
        if (db != null) {
            assertThat(db.inAtomicBlock()).as("block left open on the thread").isFalse();
            db.close();
        }
    }

    private void insert(int id) throws SQLException {
        items.insert(db, id);
    }

    private List<Integer> committedIds() throws SQLException {
        return items.committedIds();
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void moreOnCommitHooksThanTheQueueFirstHoldsAllRunInRegistrationOrder(TestDatabase database) throws Exception {
        use(database);
        List<Integer> ran = new ArrayList<>();
        db.atomic(() -> {
            insert(1);
            for (int i = 0; i < 10; i++) {
                int hook = i;
                db.onCommit(() -> ran.add(hook));
            }
        });
        assertThat(ran).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void moreOnRollbackHooksThanTheQueueFirstHoldsAllRunNewestFirst(TestDatabase database) throws Exception {
        use(database);
        List<Integer> ran = new ArrayList<>();
        assertThatThrownBy(() -> db.atomic(() -> {
            insert(1);
            for (int i = 0; i < 10; i++) {
                int hook = i;
                db.onRollback(() -> ran.add(hook));
            }
            throw new IllegalStateException("roll back");
        })).hasMessage("roll back");
        assertThat(ran).containsExactly(9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void blocksNestedDeeperThanTheFirstFrameStackEachRollBackOnlyTheirOwnWork(TestDatabase database) throws Exception {
        use(database);
        nest(1, 12);
        assertThat(committedIds()).containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11);
    }

    /** Block {@code level} inserts its id and opens the next; the deepest fails and is caught by its parent. */
    private void nest(int level, int deepest) throws SQLException {
        if (level == deepest) {
            db.atomic(() -> {
                insert(level);
                throw new IllegalStateException("deepest fails");
            });
            return;
        }
        db.atomic(() -> {
            insert(level);
            try {
                nest(level + 1, deepest);
            } catch (IllegalStateException expected) {
                assertThat(expected).hasMessage("deepest fails");
            }
        });
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void statementCountCountsTheStatementsOfTheCurrentTransactionOnly(TestDatabase database) throws Exception {
        use(database);
        AtomicBlocks engine = Engines.of(db);
        assertThat(engine.statementCount()).isZero();
        int inside = db.atomic(() -> {
            insert(1);
            insert(2);
            return engine.statementCount();
        });
        assertThat(inside).isEqualTo(2);
        assertThat(engine.statementCount()).as("after the block").isZero();
    }

    /** Blocks keep the thread's state for the next transaction; leaving manual mode drops it, as nothing in it outlives that. */
    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void turningAutocommitBackOnLeavesTheThreadNoState(TestDatabase database) throws Exception {
        use(database);
        AtomicBlocks engine = Engines.of(db);
        db.setAutoCommit(false);
        TransactionState manual = engine.currentState();
        assertThat(manual).isNotNull();
        insert(1);
        db.commit();
        db.setAutoCommit(true);
        assertThat(engine.currentState()).as("state after setAutoCommit(true)").isNull();
        assertThat(committedIds()).containsExactly(1);
    }

    /** Spring's NOT_SUPPORTED suspends the thread's transaction; it cannot come back over a block opened meanwhile. */
    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void resumingOverABlockOpenedAfterTheSuspendIsRefused(TestDatabase database) throws Exception {
        use(database);
        AtomicBlocks engine = Engines.of(db);
        try (AtomicScope outer = db.begin()) {
            insert(1);
            TransactionState suspended = engine.suspend();
            AtomicScope opened = db.begin();
            assertThatThrownBy(() -> engine.resume(suspended)).isInstanceOf(TransactionManagementException.class)
                    .hasMessageContaining("database 'bookkeeping'").hasMessageContaining("still open");
            opened.close();
            engine.resume(suspended);
            insert(2);
            outer.complete();
        }
        assertThat(committedIds()).containsExactly(1, 2);
    }

    /** An exhausted JVM is no callback failure: it comes out as it is, not as an OnCommitFailedException. */
    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void aVirtualMachineErrorInAnOnCommitCallbackComesOutUnwrapped(TestDatabase database) throws Exception {
        use(database);
        OutOfMemoryError exhausted = new OutOfMemoryError("simulated: the callback ran out of memory");
        assertThatThrownBy(() -> db.atomic(() -> {
            insert(1);
            db.onCommit(() -> {
                throw exhausted;
            });
        })).isSameAs(exhausted);
        assertThat(committedIds()).containsExactly(1);
    }

    /** What an ORM registers to flush: it runs before every normal exit, nested and outermost, inside the transaction. */
    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void beforeExitListenersRunBeforeEveryNormalExitInsideTheTransaction(TestDatabase database) throws Exception {
        use(database);
        List<String> calls = new ArrayList<>();
        AtomicBlocks engine = Engines.of(db);
        engine.addBeforeExitListener(() -> calls.add("first " + db.inAtomicBlock()));
        engine.addBeforeExitListener(() -> calls.add("second"));
        db.atomic(() -> {
            insert(1);
            db.atomic(() -> insert(2));
        });
        assertThatThrownBy(() -> db.atomic(() -> {
            insert(3);
            throw new IllegalStateException("no normal exit");
        })).hasMessage("no normal exit");
        assertThat(calls).containsExactly("first true", "second", "first true", "second");
        assertThat(committedIds()).containsExactly(1, 2);
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void aFailingBeforeExitListenerRollsTheBlockBackAndIsThrown(TestDatabase database) throws Exception {
        use(database);
        IllegalStateException flushFailed = new IllegalStateException("flush failed");
        Engines.of(db).addBeforeExitListener(() -> {
            throw flushFailed;
        });
        assertThatThrownBy(() -> db.atomic(() -> insert(1))).isSameAs(flushFailed);
        assertThat(committedIds()).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void cleanSavepointsInAManualTransactionWithNoneOpenRestartsTheNames(TestDatabase database) throws Exception {
        use(database);
        db.setAutoCommit(false);
        try {
            Savepoint first = db.savepoint();
            db.savepointCommit(first);
            db.cleanSavepoints();
            Savepoint again = db.savepoint();
            assertThat(again.name()).isEqualTo(first.name());
            db.savepointCommit(again);
            db.rollback();
        } finally {
            db.setAutoCommit(true);
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void aSavepointSaysInItsNameWhetherItIsStillOpen(TestDatabase database) throws Exception {
        use(database);
        db.atomic(() -> {
            insert(1);
            Savepoint sid = db.savepoint();
            assertThat(sid).hasToString("Savepoint[" + sid.name() + "]");
            db.savepointCommit(sid);
            assertThat(sid).hasToString("Savepoint[" + sid.name() + ", closed]");
        });
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void aRobustOnCommitCallbackRunsAfterTheCommit(TestDatabase database) throws Exception {
        use(database);
        List<String> ran = new ArrayList<>();
        db.atomic(() -> {
            insert(1);
            db.onCommit(() -> ran.add("robust"), true);
            assertThat(ran).as("not before the commit").isEmpty();
        });
        assertThat(ran).containsExactly("robust");
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void aRobustOnCommitCallbackOutsideABlockRunsAtOnce(TestDatabase database) throws Exception {
        use(database);
        List<String> ran = new ArrayList<>();
        db.onCommit(() -> ran.add("robust"), true);
        assertThat(ran).containsExactly("robust");
    }
}
