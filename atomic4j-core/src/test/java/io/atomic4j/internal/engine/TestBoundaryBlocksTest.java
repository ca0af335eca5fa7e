package io.atomic4j.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.atomic4j.AtomicOptions;
import io.atomic4j.AtomicScope;
import io.atomic4j.Database;
import io.atomic4j.Isolation;
import io.atomic4j.RetryPolicy;
import io.atomic4j.TransactionManagementException;
import io.atomic4j.testing.ItemTable;
import io.atomic4j.testing.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The engine's entry points for test frameworks (atomic4j-junit): a test's own block
 * ({@code begin(options, true)}) under which the code under test behaves as at top level,
 * {@code abandon} for scopes a test left open, and the queued onCommit callbacks that
 * {@code OnCommitCapture} reads. Covered here so that the core's own suite checks them.
 */
class TestBoundaryBlocksTest {
    private Database db;
    private AtomicBlocks engine;
    private TestDatabase testDatabase;
    private ItemTable items;

    private void use(TestDatabase testDatabase) throws SQLException {
        this.testDatabase = testDatabase;
        db = Database.builder(testDatabase.jdbcUrl()).user(testDatabase.user()).password(testDatabase.password())
                .alias("boundary").maxPoolSize(2).build();
        engine = Engines.of(db);
        items = new ItemTable(testDatabase, "boundary_item");
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
    void abandonRollsBackTheScopesLeftOpenInsideTheTestBlockAndTheTestBlock(TestDatabase database) throws Exception {
        use(database);
        AtomicScope test = engine.begin(AtomicOptions.defaults(), true);
        insert(1);
        AtomicScope leaked = db.begin();
        insert(2);
        AtomicScope leakedInner = db.begin();
        insert(3);

        assertThat(engine.abandon(test)).isNull();

        assertThat(db.inAtomicBlock()).isFalse();
        assertThat(committedIds()).isEmpty();
        leakedInner.close();    // already closed by abandon: a no-op, not "closed out of order"
        leaked.close();
        test.close();
    }

    /** An abandoned independent scope gives the thread its suspended transaction back, which then goes on. */
    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void abandonOfAnIndependentScopeResumesTheTransactionItPutAside(TestDatabase database) throws Exception {
        use(database);
        try (AtomicScope outer = db.begin()) {
            insert(1);
            AtomicScope independent = db.begin(AtomicOptions.defaults().independent(true));
            assertThat(engine.abandon(independent)).isNull();
            insert(2);
            outer.complete();
        }
        assertThat(committedIds()).containsExactly(1, 2);
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void abandonOfAScopeAlreadyClosedDoesNothing(TestDatabase database) throws Exception {
        use(database);
        AtomicScope scope = db.begin();
        insert(1);
        scope.complete();
        scope.close();

        assertThat(engine.abandon(scope)).isNull();
        assertThat(committedIds()).containsExactly(1);
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void abandonRunsTheOnRollbackHooksOfTheAbandonedBlocks(TestDatabase database) throws Exception {
        use(database);
        List<String> hooks = new ArrayList<>();
        AtomicScope test = engine.begin(AtomicOptions.defaults(), true);
        db.begin();
        insert(1);
        db.onRollback(() -> hooks.add("inner"));
        db.onCommit(() -> hooks.add("commit"));

        assertThat(engine.abandon(test)).isNull();
        assertThat(hooks).containsExactly("inner");
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void abandonReturnsTheFailureOfAnOnRollbackHook(TestDatabase database) throws Exception {
        use(database);
        IllegalStateException hookFailure = new IllegalStateException("hook");
        AtomicScope test = engine.begin(AtomicOptions.defaults(), true);
        db.begin();
        insert(1);
        db.onRollback(() -> {
            throw hookFailure;
        });

        assertThat(engine.abandon(test)).isSameAs(hookFailure);
        assertThat(db.inAtomicBlock()).isFalse();
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void aRetryingBlockInsideOnlyATestBlockRunsItsBodyOnce(TestDatabase database) throws Exception {
        use(database);
        AtomicInteger runs = new AtomicInteger();
        try (AtomicScope test = engine.begin(AtomicOptions.defaults(), true)) {
            db.atomic(AtomicOptions.defaults().retry(RetryPolicy.transientErrors(3)), () -> {
                runs.incrementAndGet();
                insert(1);
            });
            assertThat(db.inAtomicBlock()).isTrue();
        }
        assertThat(runs).hasValue(1);
        assertThat(committedIds()).as("the test block rolls back").isEmpty();
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void aRetryingBlockInsideATestBlockAndAnOrdinaryBlockIsRefused(TestDatabase database) throws Exception {
        use(database);
        try (AtomicScope test = engine.begin(AtomicOptions.defaults(), true)) {
            db.atomic(() -> assertThatThrownBy(() -> db.atomic(
                    AtomicOptions.defaults().retry(RetryPolicy.transientErrors(3)), () -> insert(1)))
                    .isInstanceOf(TransactionManagementException.class).hasMessageContaining("boundary"));
        }
        assertThat(committedIds()).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void aDurableBlockDirectlyInsideATestBlockIsAllowed(TestDatabase database) throws Exception {
        use(database);
        try (AtomicScope test = engine.begin(AtomicOptions.defaults(), true)) {
            db.atomic(AtomicOptions.defaults().durable(true), () -> insert(1));
            assertThat(db.atomic(() -> countRows())).isEqualTo(1);
        }
        assertThat(committedIds()).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void aDurableBlockInsideAnOrdinaryBlockInsideATestBlockIsRefused(TestDatabase database) throws Exception {
        use(database);
        try (AtomicScope test = engine.begin(AtomicOptions.defaults(), true)) {
            db.atomic(() -> assertThatThrownBy(() -> db.atomic(AtomicOptions.defaults().durable(true), () -> insert(1)))
                    .isInstanceOf(TransactionManagementException.class));
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void isolationAndReadOnlyAreAcceptedOnABlockDirectlyInsideATestBlock(TestDatabase database) throws Exception {
        use(database);
        try (AtomicScope test = engine.begin(AtomicOptions.defaults(), true)) {
            int rows = db.atomic(AtomicOptions.defaults().readOnly(true), this::countRows);
            int again = db.atomic(AtomicOptions.defaults().isolation(Isolation.SERIALIZABLE), this::countRows);
            assertThat(rows).isZero();
            assertThat(again).isZero();
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void isolationIsRefusedOnABlockInsideAnOrdinaryBlockInsideATestBlock(TestDatabase database) throws Exception {
        use(database);
        try (AtomicScope test = engine.begin(AtomicOptions.defaults(), true)) {
            db.atomic(() -> assertThatThrownBy(() -> db.atomic(
                    AtomicOptions.defaults().isolation(Isolation.SERIALIZABLE), this::countRows))
                    .isInstanceOf(TransactionManagementException.class).hasMessageContaining("isolation(...)"));
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void commitHooksSinceListsTheQueuedOnCommitCallbacksInOrderWithTheirRobustFlag(TestDatabase database)
            throws Exception {
        use(database);
        Runnable first = () -> { };
        Runnable robust = () -> { };
        Runnable before = () -> { };
        db.atomic(() -> {
            db.onCommit(before);
            int mark = engine.hooks().mark();
            db.onCommit(first);
            db.onRollback(() -> { });
            db.onCommit(robust, true);

            assertThat(engine.hooks().mark()).isEqualTo(mark + 3);
            assertThat(engine.hooks().commitHooksSince(mark)).containsExactly(
                    new Hooks.QueuedHook(first, false), new Hooks.QueuedHook(robust, true));
            assertThat(engine.hooks().commitHooksSince(0)).hasSize(3);
        });
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void aFailedBlockDropsItsHooksFromTheQueue(TestDatabase database) throws Exception {
        use(database);
        db.atomic(() -> {
            int mark = engine.hooks().mark();
            assertThatThrownBy(() -> db.atomic(() -> {
                insert(1);
                db.onCommit(() -> { });
                throw new IllegalStateException("inner fails");
            })).hasMessage("inner fails");
            assertThat(engine.hooks().mark()).isEqualTo(mark);
            assertThat(engine.hooks().commitHooksSince(mark)).isEmpty();
        });
    }

    private int countRows() throws SQLException {
        try (Connection connection = db.connection(); Statement statement = connection.createStatement();
             ResultSet row = statement.executeQuery("SELECT COUNT(*) FROM boundary_item")) {
            row.next();
            return row.getInt(1);
        }
    }
}
