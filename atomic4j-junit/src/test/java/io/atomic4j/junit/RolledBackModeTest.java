package io.atomic4j.junit;

import static io.atomic4j.junit.Fixtures.committed;
import static io.atomic4j.junit.Fixtures.db;
import static io.atomic4j.junit.Fixtures.insert;
import static io.atomic4j.junit.Fixtures.names;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.atomic4j.AtomicOptions;
import io.atomic4j.AtomicScope;
import io.atomic4j.Isolation;
import io.atomic4j.RetryPolicy;
import io.atomic4j.TransactionManagementException;
import io.atomic4j.testing.TestDatabase;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.ClassOrderer;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestClassOrder;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.Event;

/**
 * Rolled-back mode (Django's TestCase) on every database: runs fixture classes under the
 * extension, then checks from a separate connection that nothing was committed.
 */
class RolledBackModeTest {

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void eachTestIsRolledBackWhileSetUpDataLastsForTheClass(TestDatabase kind) {
        try (Items items = Items.create(kind, "set_up")) {
            Fixtures.use(items);
            Kit.assertAllPassed(Kit.run(SetUpAndTests.class), 2);
            assertThat(items.committedNames()).isEmpty();
            assertThat(Fixtures.NOTES).containsExactly("afterAll saw [setup]");
        }
    }

    @Fixture
    @AtomicTest
    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    static class SetUpAndTests extends Fixtures.RolledBack {
        @BeforeAll
        static void setUpTestData() {
            insert("setup");
        }

        @BeforeEach
        void setUp() {
            insert("each");
        }

        @Test
        @Order(1)
        void insertsARow() {
            insert("one");
            assertThat(names()).containsExactly("each", "one", "setup");
            assertThat(committed()).isEmpty();
        }

        @Test
        @Order(2)
        void seesTheSetUpDataButNotTheEarlierTestsRow() {
            assertThat(names()).containsExactly("each", "setup");
        }

        @AfterEach
        void tearDown() {
            assertThat(names()).contains("each");   // still inside the test's block
        }

        @AfterAll
        static void tearDownClass() {
            Fixtures.NOTES.add("afterAll saw " + names());   // the class block is still open
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void codeUnderTestRunsInSavepointsAndItsHooksNeverRun(TestDatabase kind) {
        try (Items items = Items.create(kind, "savepoints")) {
            Fixtures.use(items);
            Kit.assertAllPassed(Kit.run(CodeUnderTest.class), 6);
            assertThat(items.committedNames()).isEmpty();
            assertThat(Fixtures.HOOKS_RUN).hasValue(0);
        }
    }

    @Fixture
    @AtomicTest
    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    static class CodeUnderTest extends Fixtures.RolledBack {
        @Test
        @Order(1)
        void aFailedBlockRollsBackToItsSavepointAndTheTestGoesOn() {
            assertThatThrownBy(() -> db().atomic(() -> {
                insert("lost");
                throw new IllegalStateException("payment declined");
            })).hasMessage("payment declined");
            db().atomic(() -> insert("kept"));
            insert("after");
            assertThat(names()).containsExactly("after", "kept");
            assertThat(committed()).isEmpty();
        }

        @Test
        @Order(2)
        void onCommitHooksAreQueuedButNeverRun() {
            db().atomic(() -> {
                insert("a");
                db().onCommit(Fixtures.HOOKS_RUN::incrementAndGet);
            });
            db().onCommit(Fixtures.HOOKS_RUN::incrementAndGet);
            assertThat(Fixtures.HOOKS_RUN).hasValue(0);
        }

        @Test
        @Order(3)
        void aDurableBlockIsAllowedAtTheTopOfATestButNotInsideAnotherBlock() {
            db().atomic(AtomicOptions.defaults().durable(true), () -> insert("durable"));
            assertThat(names()).containsExactly("durable");
            assertThatThrownBy(() -> db().atomic(() -> db().atomic(AtomicOptions.defaults().durable(true), () -> insert("x"))))
                    .isInstanceOf(TransactionManagementException.class);
            assertThat(names()).containsExactly("durable");
        }

        @Test
        @Order(4)
        void outermostOnlyOptionsAreToleratedAtTheTopOfATest() {
            db().atomic(AtomicOptions.defaults().isolation(Isolation.SERIALIZABLE).readOnly(false)
                    .retry(RetryPolicy.transientErrors(3)), () -> insert("retried"));
            assertThat(names()).containsExactly("retried");
        }

        @Test
        @Order(5)
        void aFailedStatementAtTheTopOfATestBreaksThatTestsBlock() {
            insert("dup");
            assertThatThrownBy(() -> insert("dup")).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(Fixtures::names).isInstanceOf(TransactionManagementException.class)
                    .hasMessageContaining("You can't execute queries until the end of the 'atomic' block");
        }

        @Test
        @Order(6)
        void theNextTestStartsClean() {
            assertThat(db().inAtomicBlock()).isTrue();
            assertThat(names()).isEmpty();
            insert("dup");
            assertThat(names()).containsExactly("dup");
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void durableBlocksAreAllowedInBeforeAll(TestDatabase kind) {
        try (Items items = Items.create(kind, "durable_set_up")) {
            Fixtures.use(items);
            Kit.assertAllPassed(Kit.run(DurableSetUp.class), 1);
            assertThat(items.committedNames()).isEmpty();
        }
    }

    @Fixture
    @AtomicTest
    static class DurableSetUp extends Fixtures.RolledBack {
        @BeforeAll
        static void setUpTestData() {
            db().atomic(AtomicOptions.defaults().durable(true), () -> insert("durable setup"));
        }

        @Test
        void seesIt() {
            assertThat(names()).containsExactly("durable setup");
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void everyInvocationOfParameterizedAndRepeatedTestsIsRolledBack(TestDatabase kind) {
        try (Items items = Items.create(kind, "parameterized")) {
            Fixtures.use(items);
            Kit.assertAllPassed(Kit.run(Invocations.class), 6);
            assertThat(items.committedNames()).isEmpty();
        }
    }

    @Fixture
    @AtomicTest
    static class Invocations extends Fixtures.RolledBack {
        @BeforeAll
        static void setUpTestData() {
            insert("setup");
        }

        @ParameterizedTest
        @ValueSource(strings = {"ada", "grace", "edsger"})
        void eachInvocationSeesOnlyItsOwnRow(String name) {
            insert(name);
            assertThat(names()).containsExactlyInAnyOrder(name, "setup");
        }

        @RepeatedTest(3)
        void eachRepetitionSeesOnlyItsOwnRow(RepetitionInfo repetition) {
            insert("r" + repetition.getCurrentRepetition());
            assertThat(names()).containsExactly("r" + repetition.getCurrentRepetition(), "setup");
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void dynamicTestsShareTheirFactorysBlock(TestDatabase kind) {
        try (Items items = Items.create(kind, "dynamic")) {
            Fixtures.use(items);
            Kit.assertAllPassed(Kit.run(Factory.class), 2);
            assertThat(items.committedNames()).isEmpty();
        }
    }

    @Fixture
    @AtomicTest
    static class Factory extends Fixtures.RolledBack {
        @TestFactory
        List<DynamicTest> steps() {
            return List.of(
                    DynamicTest.dynamicTest("writes", () -> insert("step 1")),
                    DynamicTest.dynamicTest("sees the earlier step", () -> assertThat(names()).containsExactly("step 1")));
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void nestedClassesNestTheirSetUpInTheEnclosingClasss(TestDatabase kind) {
        try (Items items = Items.create(kind, "nested")) {
            Fixtures.use(items);
            Kit.assertAllPassed(Kit.run(Outer.class), 4);
            assertThat(items.committedNames()).isEmpty();
        }
    }

    @Fixture
    @AtomicTest
    @TestClassOrder(ClassOrderer.OrderAnnotation.class)
    static class Outer extends Fixtures.RolledBack {
        @BeforeAll
        static void setUpTestData() {
            insert("outer");
        }

        @Test
        void outerTest() {
            insert("outer test");
            assertThat(names()).containsExactly("outer", "outer test");
        }

        @Nested
        @Order(1)
        @TestInstance(TestInstance.Lifecycle.PER_CLASS)
        @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
        class Inner {
            @BeforeAll
            void setUpInner() {
                insert("inner");
            }

            @Test
            @Order(1)
            void seesBothLevelsOfSetUp() {
                insert("inner test");
                assertThat(names()).containsExactly("inner", "inner test", "outer");
            }

            @Test
            @Order(2)
            void stillSeesBothButNotTheEarlierTest() {
                assertThat(names()).containsExactly("inner", "outer");
            }
        }

        @Nested
        @Order(2)
        class Sibling {
            @Test
            void seesOnlyTheOuterSetUp() {
                assertThat(names()).containsExactly("outer");
            }
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void aTestThatLeavesABlockOpenFailsWithAnExplanation(TestDatabase kind) {
        try (Items items = Items.create(kind, "leak")) {
            Fixtures.use(items);
            EngineExecutionResults results = Kit.run(LeavesAScopeOpen.class);
            List<Event> failures = Kit.failures(results);
            // The test fails; the leaked block and the test's block are rolled back, so the class closes cleanly.
            assertThat(failures).hasSize(1);
            assertThat(Kit.throwable(failures.get(0)))
                    .hasMessageContaining("left an atomic block open on database 'default'")
                    .hasMessageContaining("rolled back together with the test's block")
                    .hasMessageContaining("LeavesAScopeOpen.opensAScopeAndForgetsIt")
                    .hasCauseInstanceOf(TransactionManagementException.class);
            assertThat(items.committedNames()).isEmpty();
        }
    }

    @Fixture
    @AtomicTest
    static class LeavesAScopeOpen extends Fixtures.RolledBack {
        @Test
        void opensAScopeAndForgetsIt() {
            AtomicScope scope = db().begin();
            insert("leaked");
            assertThat(scope).isNotNull();
        }
    }
}
