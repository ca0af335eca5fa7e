package io.atomic4j.junit;

import io.atomic4j.AtomicScope;
import io.atomic4j.Database;
import io.atomic4j.Databases;
import io.atomic4j.internal.engine.Failures;
import java.lang.reflect.Method;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.DynamicTestInvocationContext;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.InvocationInterceptor;
import org.junit.jupiter.api.extension.ReflectiveInvocationContext;

/**
 * The JUnit 5 extension behind {@link AtomicTest} and {@link TransactionTest}: Django's
 * {@code TestCase} (every test in a rolled-back atomic block, class set-up in an outer block
 * kept across the class's tests) and {@code TransactionTestCase} (real commits, named tables
 * emptied after each test) for atomic4j databases.
 *
 * <p>Two ways to use it. With annotations, the databases are the {@link AtomicDatabase} fields:
 * <pre>{@code
 * @AtomicTest
 * class EnrollmentTest {
 *     @AtomicDatabase static final Database db = Schema.create(Database.open("jdbc:h2:mem:shop"));
 *     @Test void enrolls() { ... }
 * }
 * }</pre>
 * Or registered with the databases listed explicitly (declare the databases first: static
 * fields are initialized in order):
 * <pre>{@code
 * static final Database db = Database.open(url), reports = Database.builder(url2).alias("reports").build();
 * @RegisterExtension static final AtomicTestExtension atomic = AtomicTestExtension.forDatabases(db, reports);
 * // or, committing:   AtomicTestExtension.committing(db, "procedure_state", "procedure_user")
 * }</pre>
 *
 * <h2>Rolled-back mode (Django's TestCase)</h2>
 * Before the class's {@code @BeforeAll} methods, one block per database is opened and marked as
 * a test block; it is rolled back after the {@code @AfterAll} methods, so set-up data written in
 * {@code @BeforeAll} is shared by the class's tests and never committed (Django's
 * {@code setUpTestData}). Each test (each invocation of a parameterized or repeated test) gets a
 * nested block opened before the {@code @BeforeEach} methods and rolled back after the
 * {@code @AfterEach} methods. A {@code @Nested} class's block nests inside its enclosing class's.
 * Nothing is committed, so onCommit hooks never run; check them with {@link OnCommitCapture}.
 * Blocks that the code under test opens become savepoints inside the test's block. As in
 * Django, {@code durable(true)} blocks are allowed directly inside the test's block (and in
 * {@code @BeforeAll}), but not inside another block of the code under test; {@code retry},
 * {@code isolation} and {@code readOnly}, which only make sense on an outermost block, are
 * accepted there and have no effect.
 *
 * <h2>Committing mode (Django's TransactionTestCase)</h2>
 * No block is opened: the code under test commits for real and its onCommit hooks run. After each
 * test (after its {@code @AfterEach} methods) the tables named for each database are emptied with
 * {@code DELETE FROM}, in the order given, in one block.
 *
 * <h2>Threads and parallel execution</h2>
 * atomic4j's transaction state is per thread, so a block is visible only on the thread that
 * opened it. JUnit runs a class's {@code beforeAll}, the tests of a class in
 * {@code SAME_THREAD} mode and every test's {@code beforeEach}/{@code afterEach} on one thread,
 * so the following is supported:
 * <ul>
 *   <li>sequential runs, and parallel runs where <em>classes</em> run concurrently and each
 *       class's tests run on its thread ({@code junit.jupiter.execution.parallel.mode.default =
 *       same_thread}, {@code mode.classes.default = concurrent}): every class has its own
 *       transaction(s) on its own thread;</li>
 *   <li>tests running concurrently ({@code @Execution(CONCURRENT)} methods): a test that JUnit runs
 *       on another thread than its class gets its own block there. This works while the class
 *       has no set-up data: if its {@code @BeforeAll} ran statements, such a test fails with
 *       a message saying so, since an uncommitted transaction cannot be seen from another
 *       connection.</li>
 * </ul>
 * Not supported: test code that runs on another thread than its test, such as
 * {@code @Timeout(threadMode = SEPARATE_THREAD)} (detected, the test fails with an explanation),
 * {@code assertTimeoutPreemptively} bodies and executors started by the test (not detected: their
 * statements run outside the test's block and commit). Each thread that runs tests holds one
 * connection per database while its class runs: size the pools for the parallelism plus any
 * connections the tests take themselves. Concurrent classes writing the same unique keys wait
 * on each other's locks until a class ends; SQLite allows one writer, so run SQLite tests
 * sequentially.
 *
 * <p>Thread-safe: one instance may serve classes and tests running in parallel; all per-class
 * and per-test state lives in JUnit's extension context stores.
 */
public final class AtomicTestExtension implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback,
        AfterEachCallback, InvocationInterceptor {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(AtomicTestExtension.class);
    private static final String CLASS_KEY = "class";
    private static final String TEST_KEY = "test";

    /** The mode given to a factory method; null when it comes from {@link AtomicTest}/{@link TransactionTest}. */
    private final Mode mode;
    /** The databases given to a factory method; null when they come from {@link AtomicDatabase} fields. */
    private final List<TestTarget> targets;
    /** Set by {@link #strictOnCommit()}; the annotation-driven instance reads {@link AtomicTest#strictOnCommit()}. */
    private final boolean strictOnCommit;

    /**
     * The instance {@link AtomicTest}, {@link TransactionTest} and
     * {@code @ExtendWith(AtomicTestExtension.class)} create: the mode comes from the annotations
     * (rolled back when there is none), the databases from {@link AtomicDatabase} fields.
     */
    public AtomicTestExtension() {
        this(null, null, false);
    }

    private AtomicTestExtension(Mode mode, List<TestTarget> targets, boolean strictOnCommit) {
        this.mode = mode;
        this.targets = targets;
        this.strictOnCommit = strictOnCommit;
    }

    /**
     * Rolled-back tests (Django's {@code TestCase}) on these databases, for {@code @RegisterExtension}.
     * Blocks are opened in the order given and closed in reverse order.
     * <pre>{@code @RegisterExtension static final AtomicTestExtension atomic = AtomicTestExtension.forDatabases(db);}</pre>
     */
    public static AtomicTestExtension forDatabases(Database... databases) {
        return new AtomicTestExtension(Mode.ROLLBACK, targetsOf(Arrays.asList(checked(databases)), "forDatabases(...)"), false);
    }

    /** Rolled-back tests on every database of {@code databases}, in its order. */
    public static AtomicTestExtension forDatabases(Databases databases) {
        if (databases == null) {
            throw Messages.nullDatabase("forDatabases(...)");
        }
        return new AtomicTestExtension(Mode.ROLLBACK, targetsOf(databases.all(), "forDatabases(...)"), false);
    }

    /**
     * Committing tests (Django's {@code TransactionTestCase}) on {@code database}, emptying
     * {@code emptyTables} after each test in the order given (children before parents).
     * <pre>{@code @RegisterExtension static final AtomicTestExtension atomic =
     *     AtomicTestExtension.committing(db, "procedure_state", "procedure_user").and(reports, "events");}</pre>
     */
    public static AtomicTestExtension committing(Database database, String... emptyTables) {
        return new AtomicTestExtension(Mode.COMMIT, List.of(), false).and(database, emptyTables);
    }

    /**
     * This extension with one more database (and, in committing mode, the tables to empty on it).
     * @throws IllegalStateException on the annotation-driven instance, whose databases are its fields
     */
    public AtomicTestExtension and(Database database, String... emptyTables) {
        if (targets == null) {
            throw Messages.andOnAnnotationDriven();
        }
        if (database == null) {
            throw Messages.nullDatabase("and(...)");
        }
        List<TestTarget> more = new ArrayList<>(targets);
        more.add(new TestTarget(database, emptyTables == null ? List.of() : Arrays.asList(emptyTables),
                "database '" + database.alias() + "'"));
        return new AtomicTestExtension(mode, Collections.unmodifiableList(more), strictOnCommit);
    }

    /**
     * This extension, failing every test that leaves an onCommit callback unchecked (as
     * {@link AtomicTest#strictOnCommit()}); rolled-back mode only.
     * <pre>{@code @RegisterExtension static final AtomicTestExtension atomic = AtomicTestExtension.forDatabases(db).strictOnCommit();}</pre>
     * @throws IllegalStateException on the annotation-driven or a committing instance
     */
    public AtomicTestExtension strictOnCommit() {
        if (targets == null || mode != Mode.ROLLBACK) {
            throw Messages.strictNeedsRolledBack();
        }
        return new AtomicTestExtension(mode, targets, true);
    }

    private static Database[] checked(Database[] databases) {
        if (databases == null || databases.length == 0) {
            throw Messages.noDatabaseGiven();
        }
        for (Database database : databases) {
            if (database == null) {
                throw Messages.nullDatabaseField();
            }
        }
        return databases;
    }

    private static List<TestTarget> targetsOf(Iterable<Database> databases, String origin) {
        List<TestTarget> result = new ArrayList<>();
        for (Database database : databases) {
            result.add(new TestTarget(database, List.of(), origin));
        }
        return Collections.unmodifiableList(result);
    }

    // ------------------------------------------------------------------ class level

    /**
     * Finds the class's mode and databases and, in rolled-back mode, opens the class-level block
     * on each database (Django: {@code TestCase.setUpClass}). Called by JUnit.
     */
    @Override
    public void beforeAll(ExtensionContext context) {
        Class<?> testClass = context.getRequiredTestClass();
        ExtensionContext.Store store = context.getStore(NAMESPACE);
        ClassBlocks inherited = store.get(CLASS_KEY, ClassBlocks.class);
        if (inherited != null && inherited.testClass == testClass) {
            throw Messages.registeredTwice(testClass);
        }
        ClassBlocks parent = inherited;   // a class context's parent is its enclosing class's (for @Nested) or the engine's
        Mode classMode = mode != null ? mode : AnnotatedConfiguration.mode(testClass, parent);
        List<TestTarget> classTargets = targets != null ? targets : AnnotatedConfiguration.targets(context, testClass, parent);
        if (classTargets.isEmpty()) {
            throw Messages.noDatabase(testClass);
        }
        AtomicScope[] scopes = null;
        if (classMode == Mode.COMMIT) {
            for (ClassBlocks enclosing = parent; enclosing != null; enclosing = enclosing.parent) {
                if (enclosing.mode == Mode.ROLLBACK) {
                    throw Messages.committingInsideRolledBack(testClass, enclosing.testClass);
                }
            }
        } else {
            ClassBlocks unreachable = parent == null ? null : parent.unreachableSetUpData(Thread.currentThread());
            if (unreachable != null) {
                throw Messages.setUpDataOnOtherThread(testClass.getName(), unreachable, Thread.currentThread());
            }
            scopes = TestBlocks.open(classTargets);
        }
        boolean strict = classMode == Mode.ROLLBACK && (targets != null ? strictOnCommit : AnnotatedConfiguration.strictOnCommit(testClass, parent));
        store.put(CLASS_KEY, new ClassBlocks(testClass, this, classMode, strict, classTargets, parent, scopes));
    }

    /** Runs a {@code @BeforeAll} method, then notes whether it ran statements that tests on other threads could not see. Called by JUnit. */
    @Override
    public void interceptBeforeAllMethod(Invocation<Void> invocation, ReflectiveInvocationContext<Method> invocationContext,
                                         ExtensionContext context) throws Throwable {
        try {
            invocation.proceed();
        } finally {
            ClassBlocks blocks = ownClassBlocks(context);
            if (blocks != null && blocks.scopes != null && blocks.thread == Thread.currentThread()) {
                blocks.noteStatements();
            }
        }
    }

    /** Rolls back the class-level blocks, last database first (Django: {@code TestCase.tearDownClass}). Called by JUnit. */
    @Override
    public void afterAll(ExtensionContext context) {
        ClassBlocks blocks = ownClassBlocks(context);
        if (blocks == null) {
            return;   // beforeAll failed before it opened anything
        }
        context.getStore(NAMESPACE).remove(CLASS_KEY);
        if (blocks.scopes != null) {
            rethrow(TestBlocks.close(blocks.targets, blocks.scopes, blocks.scopes.length, context.getRequiredTestClass().getName(), null));
        }
    }

    /** This class's entry, if this instance manages it. */
    private ClassBlocks ownClassBlocks(ExtensionContext context) {
        ClassBlocks blocks = context.getStore(NAMESPACE).get(CLASS_KEY, ClassBlocks.class);
        return blocks != null && blocks.owner == this && blocks.testClass == context.getRequiredTestClass() ? blocks : null;
    }

    // ------------------------------------------------------------------ test level

    /**
     * Rolled-back mode: opens the test's block on each database, nested in the class block when
     * the test runs on the class's thread. Committing mode: checks that no block is open. Called by JUnit.
     */
    @Override
    public void beforeEach(ExtensionContext context) {
        ClassBlocks blocks = context.getStore(NAMESPACE).get(CLASS_KEY, ClassBlocks.class);
        if (blocks == null) {
            throw Messages.notAtClassLevel(describe(context));
        }
        if (blocks.owner != this) {
            return;
        }
        Thread current = Thread.currentThread();
        AtomicScope[] scopes = null;
        int[] marks = null;
        if (blocks.mode == Mode.ROLLBACK) {
            ClassBlocks unreachable = blocks.unreachableSetUpData(current);
            if (unreachable != null) {
                throw Messages.setUpDataOnOtherThread(describe(context), unreachable, current);
            }
            scopes = TestBlocks.open(blocks.targets);
            if (blocks.strictOnCommit) {
                marks = new int[scopes.length];
                for (int i = 0; i < marks.length; i++) {
                    marks[i] = blocks.targets.get(i).engine.hooks().mark();
                }
                StrictOnCommit.begin();
            }
        } else {
            for (TestTarget target : blocks.targets) {
                if (target.engine.inAtomicBlock()) {
                    throw Messages.blockAlreadyOpen(describe(context), target.alias());
                }
            }
        }
        context.getStore(NAMESPACE).put(TEST_KEY, new TestBlocks(this, blocks, scopes, marks, current));
    }

    /**
     * Rolled-back mode: rolls back the test's blocks, last database first. Committing mode: empties
     * the named tables. Called by JUnit after the {@code @AfterEach} methods.
     */
    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        TestBlocks test = context.getStore(NAMESPACE).get(TEST_KEY, TestBlocks.class);
        if (test == null || test.owner != this) {
            return;
        }
        context.getStore(NAMESPACE).remove(TEST_KEY);
        String description = describe(context);
        List<TestTarget> testTargets = test.classBlocks.targets;
        if (test.scopes != null) {
            Throwable unchecked = test.marks == null || test.thread != Thread.currentThread()
                    ? null : TestBlocks.uncheckedCallbacks(testTargets, test.marks, description);
            rethrow(TestBlocks.close(testTargets, test.scopes, test.scopes.length, description, unchecked));
            return;
        }
        Throwable failure = null;
        for (TestTarget target : testTargets) {
            try {
                if (target.engine.inAtomicBlock()) {
                    throw Messages.committingBlockLeftOpen(description, target.alias());
                }
                emptyTables(target);
            } catch (Exception | Error e) {
                failure = Failures.combine(failure, e);
            }
        }
        rethrow(failure);
    }

    /** Refuses a {@code @BeforeEach} method running on another thread than the test's block. Called by JUnit. */
    @Override
    public void interceptBeforeEachMethod(Invocation<Void> invocation, ReflectiveInvocationContext<Method> invocationContext,
                                          ExtensionContext context) throws Throwable {
        checkThread(context);
        invocation.proceed();
    }

    /** Refuses a test method running on another thread than its block (e.g. a separate-thread timeout). Called by JUnit. */
    @Override
    public void interceptTestMethod(Invocation<Void> invocation, ReflectiveInvocationContext<Method> invocationContext,
                                    ExtensionContext context) throws Throwable {
        checkThread(context);
        invocation.proceed();
    }

    /** Refuses an invocation of a parameterized or repeated test running on another thread than its block. Called by JUnit. */
    @Override
    public void interceptTestTemplateMethod(Invocation<Void> invocation, ReflectiveInvocationContext<Method> invocationContext,
                                            ExtensionContext context) throws Throwable {
        checkThread(context);
        invocation.proceed();
    }

    /** Refuses a {@code @TestFactory} method running on another thread than its block. Called by JUnit. */
    @Override
    public <T> T interceptTestFactoryMethod(Invocation<T> invocation, ReflectiveInvocationContext<Method> invocationContext,
                                            ExtensionContext context) throws Throwable {
        checkThread(context);
        return invocation.proceed();
    }

    /**
     * Refuses a dynamic test running on another thread than its factory's block. Dynamic tests
     * share their {@code @TestFactory}'s block: they are not rolled back one by one. Called by JUnit.
     */
    @Override
    public void interceptDynamicTest(Invocation<Void> invocation, DynamicTestInvocationContext invocationContext,
                                     ExtensionContext context) throws Throwable {
        checkThread(context);
        invocation.proceed();
    }

    /** Refuses an {@code @AfterEach} method running on another thread than the test's block. Called by JUnit. */
    @Override
    public void interceptAfterEachMethod(Invocation<Void> invocation, ReflectiveInvocationContext<Method> invocationContext,
                                         ExtensionContext context) throws Throwable {
        checkThread(context);
        invocation.proceed();
    }

    /** Refuses test code that JUnit moved to another thread than its block's: its statements would commit. */
    private void checkThread(ExtensionContext context) {
        TestBlocks test = context.getStore(NAMESPACE).get(TEST_KEY, TestBlocks.class);
        if (test != null && test.owner == this && test.scopes != null && test.thread != Thread.currentThread()) {
            throw Messages.testOnOtherThread(describe(context), test.thread.getName());
        }
    }

    // ------------------------------------------------------------------ committing mode

    /** Empties the target's tables in one block; a manual transaction the test left open is rolled back first. */
    private static void emptyTables(TestTarget target) throws SQLException {
        if (target.emptyTables.isEmpty()) {
            return;
        }
        Database database = target.database;
        boolean manual = !database.getAutoCommit();
        if (manual) {
            database.rollback();
        }
        database.atomic(() -> {
            try (Connection connection = database.connection(); Statement statement = connection.createStatement()) {
                for (String table : target.emptyTables) {
                    statement.executeUpdate("DELETE FROM " + table);
                }
            }
        });
        if (manual) {
            database.commit();
        }
    }

    // ------------------------------------------------------------------ small helpers

    private static String describe(ExtensionContext context) {
        String method = context.getTestMethod().map(Method::getName).orElse(null);
        String name = context.getRequiredTestClass().getName() + (method == null ? "" : "." + method);
        return method != null && !context.getDisplayName().startsWith(method + "(") ? name + " [" + context.getDisplayName() + "]" : name;
    }

    private static void rethrow(Throwable failure) {
        if (failure != null) {
            throw Failures.<RuntimeException>sneaky(failure);
        }
    }
}
