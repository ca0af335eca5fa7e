package io.atomic4j.junit;

import static io.atomic4j.junit.Fixtures.insert;
import static io.atomic4j.junit.Fixtures.names;
import static org.assertj.core.api.Assertions.assertThat;

import io.atomic4j.testing.TestDatabase;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.Event;

/**
 * JUnit's parallel execution. Barriers make the fixtures' tests overlap for real (no sleeps), so
 * each one checks what it sees while another thread's uncommitted rows exist. Not on SQLite,
 * which allows one writing transaction at a time.
 */
class ParallelTest {
    private static final Map<String, String> CLASSES_IN_PARALLEL = Map.of(
            "junit.jupiter.execution.parallel.enabled", "true",
            "junit.jupiter.execution.parallel.mode.default", "same_thread",
            "junit.jupiter.execution.parallel.mode.classes.default", "concurrent",
            "junit.jupiter.execution.parallel.config.strategy", "fixed",
            "junit.jupiter.execution.parallel.config.fixed.parallelism", "4");
    private static final Map<String, String> METHODS_IN_PARALLEL = Map.of(
            "junit.jupiter.execution.parallel.enabled", "true",
            "junit.jupiter.execution.parallel.mode.default", "concurrent",
            "junit.jupiter.execution.parallel.config.strategy", "fixed",
            "junit.jupiter.execution.parallel.config.fixed.parallelism", "4");

    /** Parties: the fixture tests that must be running at the same moment. */
    static volatile CyclicBarrier meeting;

    static void meet() {
        try {
            meeting.await(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("the tests that should overlap did not all arrive: " + e, e);
        }
    }

    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = {"H2", "POSTGRES", "MARIADB"})
    void classesRunningInParallelEachHaveTheirOwnTransaction(TestDatabase kind) {
        try (Items items = Items.create(kind, "parallel_classes")) {
            Fixtures.use(items);
            meeting = new CyclicBarrier(2);
            Kit.assertAllPassed(Kit.run(CLASSES_IN_PARALLEL, ClassA.class, ClassB.class), 4);
            assertThat(items.committedNames()).isEmpty();
            assertThat(Fixtures.NOTES).containsExactlyInAnyOrder("A ran on its class's thread", "B ran on its class's thread");
        }
    }

    @Fixture
    @AtomicTest
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    abstract static class OneOfTwoClasses extends Fixtures.RolledBack {
        private Thread classThread;

        abstract String name();

        @BeforeAll
        void setUpTestData() {
            classThread = Thread.currentThread();
            insert(name() + " setup");
        }

        @Test
        @Order(1)
        void writesWhileTheOtherClassWrites() {
            insert(name() + " test");
            meet();   // both classes have written and not committed
            assertThat(names()).containsExactly(name() + " setup", name() + " test");
            if (Thread.currentThread() == classThread) {
                Fixtures.NOTES.add(name() + " ran on its class's thread");
            }
        }

        @Test
        @Order(2)
        void seesOnlyItsSetUpData() {
            assertThat(names()).containsExactly(name() + " setup");
        }
    }

    static class ClassA extends OneOfTwoClasses {
        @Override
        String name() {
            return "A";
        }
    }

    static class ClassB extends OneOfTwoClasses {
        @Override
        String name() {
            return "B";
        }
    }

    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = {"H2", "POSTGRES", "MARIADB"})
    void testsRunningInParallelEachHaveTheirOwnBlock(TestDatabase kind) {
        try (Items items = Items.create(kind, "parallel_methods")) {
            Fixtures.use(items);
            meeting = new CyclicBarrier(3);
            Kit.assertAllPassed(Kit.run(METHODS_IN_PARALLEL, ConcurrentMethods.class), 3);
            assertThat(items.committedNames()).isEmpty();
            assertThat(new HashSet<>(Fixtures.NOTES)).hasSize(3);   // three threads
        }
    }

    @Fixture
    @AtomicTest
    @Execution(ExecutionMode.CONCURRENT)
    static class ConcurrentMethods extends Fixtures.RolledBack {
        @Test
        void first() {
            writeAndMeet("first");
        }

        @Test
        void second() {
            writeAndMeet("second");
        }

        @Test
        void third() {
            writeAndMeet("third");
        }

        private static void writeAndMeet(String name) {
            insert(name);
            meet();   // all three have written and not committed
            assertThat(names()).containsExactly(name);
            Fixtures.NOTES.add(Thread.currentThread().getName());
        }
    }

    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = {"H2", "POSTGRES", "MARIADB"})
    void testsOnAnotherThreadThanTheirClasssSetUpDataFailWithAnExplanation(TestDatabase kind) {
        try (Items items = Items.create(kind, "parallel_set_up")) {
            Fixtures.use(items);
            meeting = new CyclicBarrier(3);
            EngineExecutionResults results = Kit.run(METHODS_IN_PARALLEL, ConcurrentMethodsWithSetUp.class);
            List<Event> failures = Kit.failures(results);
            // At most one of the three overlapping tests can run on the class's own thread.
            assertThat(failures).hasSizeBetween(2, 3).allSatisfy(failure -> assertThat(Kit.throwable(failure))
                    .hasMessageContaining("lives in an uncommitted transaction on thread")
                    .hasMessageContaining("@Execution(ExecutionMode.SAME_THREAD)"));
            assertThat(results.testEvents().succeeded().count() + failures.size()).isEqualTo(3);
            assertThat(items.committedNames()).isEmpty();
        }
    }

    /** Makes the three tests overlap before the atomic extension's beforeEach (registered after it) runs. */
    static final class MeetBeforeEach implements BeforeEachCallback {
        @Override
        public void beforeEach(ExtensionContext context) {
            meet();
        }
    }

    @Fixture
    @ExtendWith(MeetBeforeEach.class)
    @AtomicTest
    @Execution(ExecutionMode.CONCURRENT)
    static class ConcurrentMethodsWithSetUp extends Fixtures.RolledBack {
        @BeforeAll
        static void setUpTestData() {
            insert("setup");
        }

        @Test
        void first() {
            assertThat(names()).containsExactly("setup");
        }

        @Test
        void second() {
            assertThat(names()).containsExactly("setup");
        }

        @Test
        void third() {
            assertThat(names()).containsExactly("setup");
        }
    }
}
