package io.atomic4j.junit;

import static io.atomic4j.junit.Fixtures.committed;
import static io.atomic4j.junit.Fixtures.db;
import static io.atomic4j.junit.Fixtures.insert;
import static io.atomic4j.junit.Fixtures.names;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.atomic4j.AtomicOptions;
import io.atomic4j.TransactionManagementException;
import io.atomic4j.testing.TestDatabase;
import java.util.List;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.platform.testkit.engine.Event;

/** Committing mode (Django's TransactionTestCase) on every database. */
class CommittingModeTest {

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void testsCommitForRealAndTheTablesAreEmptiedAfterEach(TestDatabase kind) {
        try (Items items = Items.create(kind, "committing")) {
            Fixtures.use(items);
            Kit.assertAllPassed(Kit.run(Commits.class), 5);
            assertThat(items.committedNames()).isEmpty();
            assertThat(items.committedNotes()).isEmpty();
            assertThat(Fixtures.HOOKS_RUN).hasValue(2);
        }
    }

    @Fixture
    @TransactionTest
    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    static class Commits extends Fixtures.Committing {
        @Test
        @Order(1)
        void commitsAndRunsItsHooks() {
            assertThat(db().inAtomicBlock()).isFalse();
            db().atomic(() -> {
                insert("ada");
                Items.insertNote(db(), "ada", "enrolled");   // child row: emptied before its parent
                db().onCommit(Fixtures.HOOKS_RUN::incrementAndGet);
            });
            assertThat(Fixtures.HOOKS_RUN).hasValue(1);
            assertThat(committed()).containsExactly("ada");
        }

        @Test
        @Order(2)
        void findsTheTablesEmptyAndDurableBlocksAreRealTransactions() {
            assertThat(committed()).isEmpty();
            db().atomic(AtomicOptions.defaults().durable(true), () -> insert("durable"));
            assertThat(committed()).containsExactly("durable");
            assertThatThrownBy(() -> db().atomic(() -> db().atomic(AtomicOptions.defaults().durable(true), () -> { })))
                    .isInstanceOf(TransactionManagementException.class);
        }

        @Test
        @Order(3)
        void leavesAManualTransactionOpen() {
            assertThat(committed()).isEmpty();
            db().setAutoCommit(false);
            insert("manual committed");
            db().commit();
            insert("manual pending");   // rolled back before the tables are emptied
        }

        @Test
        @Order(4)
        void findsNeitherManualRow() {
            assertThat(names()).isEmpty();   // still in manual mode: the rollback and DELETE were committed
            db().rollback();
            db().setAutoCommit(true);
            assertThat(committed()).isEmpty();
        }

        @Test
        @Order(5)
        void captureOutsideABlockCollectsNothingAndTheHookRunsAtOnce() {
            List<Runnable> captured = OnCommitCapture.capture(db(), () -> db().onCommit(Fixtures.HOOKS_RUN::incrementAndGet));
            assertThat(captured).isEmpty();
            assertThat(Fixtures.HOOKS_RUN).hasValue(2);
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void aCommittingClassCannotNestInARolledBackOne(TestDatabase kind) {
        try (Items items = Items.create(kind, "committing_nested")) {
            Fixtures.use(items);
            List<Event> failures = Kit.failures(Kit.run(RolledBackOuter.class));
            assertThat(failures).hasSize(1);
            assertThat(Kit.throwable(failures.get(0)))
                    .hasMessageContaining("is nested in " + RolledBackOuter.class.getName())
                    .hasMessageContaining("commits could never be real");
            assertThat(items.committedNames()).isEmpty();
        }
    }

    @Fixture
    @AtomicTest
    static class RolledBackOuter extends Fixtures.RolledBack {
        @Test
        void outer() {
            insert("outer");
        }

        @Nested
        @TransactionTest
        class Committing {
            @Test
            void wouldCommit() {
                insert("inner");
            }
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void aRolledBackClassMayNestInACommittingOne(TestDatabase kind) {
        try (Items items = Items.create(kind, "rolled_back_nested")) {
            Fixtures.use(items);
            Kit.assertAllPassed(Kit.run(CommittingOuter.class), 2);
            assertThat(items.committedNames()).isEmpty();
        }
    }

    @Fixture
    @TransactionTest
    static class CommittingOuter extends Fixtures.Committing {
        @Test
        void commits() {
            insert("outer");
            assertThat(committed()).containsExactly("outer");
        }

        @Nested
        @AtomicTest
        class RolledBack {
            @Test
            void doesNotCommit() {
                assertThat(committed()).isEmpty();
                insert("inner");
                assertThat(names()).containsExactly("inner");
                assertThat(committed()).isEmpty();
            }
        }
    }
}
