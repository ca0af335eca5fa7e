package io.atomic4j.junit;

import io.atomic4j.TransactionManagementException;
import java.util.List;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;

/** Every text the extension shows a user, once each. */
final class Messages {
    private Messages() {
    }

    static ExtensionConfigurationException noDatabase(Class<?> testClass) {
        return new ExtensionConfigurationException("AtomicTestExtension found no database for " + testClass.getName()
                + ". Annotate a static Database or Databases field with @AtomicDatabase, or register "
                + "AtomicTestExtension.forDatabases(db) with @RegisterExtension.");
    }

    static ExtensionConfigurationException wrongFieldType(String field) {
        return new ExtensionConfigurationException("@AtomicDatabase field " + field
                + " must be of type io.atomic4j.Database or io.atomic4j.Databases.");
    }

    static ExtensionConfigurationException instanceFieldWithoutInstance(String field) {
        return new ExtensionConfigurationException("@AtomicDatabase field " + field + " is an instance field, but there "
                + "is no test instance before the class's first test. Make it static, or annotate the class "
                + "@TestInstance(TestInstance.Lifecycle.PER_CLASS).");
    }

    static ExtensionConfigurationException nullField(String field) {
        return new ExtensionConfigurationException("@AtomicDatabase field " + field + " is null when the class's tests "
                + "start. Assign it in its initializer or a static block.");
    }

    static ExtensionConfigurationException unreadableField(String field, Exception cause) {
        return new ExtensionConfigurationException("Could not read @AtomicDatabase field " + field + ": " + cause, cause);
    }

    static ExtensionConfigurationException badTableName(String table, String origin) {
        return new ExtensionConfigurationException("Table name '" + table + "' for " + origin + " is not a plain "
                + "(optionally schema-qualified) SQL identifier; committing tests empty tables with DELETE FROM <name>.");
    }

    static ExtensionConfigurationException bothModes(Class<?> testClass) {
        return new ExtensionConfigurationException(testClass.getName() + " is annotated both @AtomicTest and "
                + "@TransactionTest; choose one: rolled-back tests, or committing tests with tables emptied afterwards.");
    }

    static ExtensionConfigurationException registeredTwice(Class<?> testClass) {
        return new ExtensionConfigurationException("Two AtomicTestExtension instances manage " + testClass.getName()
                + " (for example @AtomicTest together with @RegisterExtension AtomicTestExtension.forDatabases(...)). "
                + "Use one: list every database in it.");
    }

    static ExtensionConfigurationException notAtClassLevel(String test) {
        return new ExtensionConfigurationException("AtomicTestExtension must be registered on the test class, not on "
                + "a method: " + test + " has no class-level set-up.");
    }

    static ExtensionConfigurationException committingInsideRolledBack(Class<?> testClass, Class<?> enclosing) {
        return new ExtensionConfigurationException("@TransactionTest class " + testClass.getName() + " is nested in "
                + enclosing.getName() + ", whose tests run in a rolled-back block; its commits could never be real. "
                + "Make it a top-level class, or mark the enclosing class @TransactionTest too.");
    }

    static ExtensionConfigurationException blockAlreadyOpen(String test, String alias) {
        return new ExtensionConfigurationException(test + " is a committing (@TransactionTest) test, but an atomic block "
                + "is already open on database '" + alias + "' on this thread, so nothing it does could commit. "
                + "Do not run committing tests inside an @AtomicTest class or an open block.");
    }

    static IllegalStateException setUpDataOnOtherThread(String test, ClassBlocks owner, Thread current) {
        return new IllegalStateException(test + " runs on thread '" + current.getName() + "', but the set-up data of "
                + owner.testClass.getName() + " (written in @BeforeAll) lives in an uncommitted transaction on thread '"
                + owner.thread.getName() + "' and cannot be seen from here. Run the class's tests on one thread: "
                + "annotate it @Execution(ExecutionMode.SAME_THREAD) (classes may still run in parallel), or move "
                + "the set-up into @BeforeEach.");
    }

    static IllegalStateException testOnOtherThread(String what, String blockThread) {
        return new IllegalStateException(what + " runs on thread '" + Thread.currentThread().getName()
                + "', but its rolled-back block is open on thread '" + blockThread + "': its statements would commit "
                + "for real. Blocks belong to one thread; remove @Timeout(threadMode = SEPARATE_THREAD) "
                + "(or junit.jupiter.execution.timeout.thread.mode.default) for this class.");
    }

    static IllegalStateException blockLeftOpen(String test, String alias, TransactionManagementException cause) {
        return new IllegalStateException(test + " left an atomic block open on database '" + alias + "' (an "
                + "AtomicScope that was never closed?). It was rolled back together with the test's block, so the next "
                + "test starts clean. Close every scope, with try-with-resources.", cause);
    }

    static IllegalStateException committingBlockLeftOpen(String test, String alias) {
        return new IllegalStateException(test + " left an atomic block open on database '" + alias + "' (an "
                + "AtomicScope that was never closed?), so its tables were not emptied. Close every scope, with "
                + "try-with-resources.");
    }

    static IllegalStateException captureWrongThread(String alias) {
        return new IllegalStateException("An OnCommitCapture on database '" + alias + "' was closed by a thread that "
                + "did not start it. Hooks are registered per thread: start and close it on the test's thread.");
    }

    static AssertionError uncheckedCallbacks(String test, String alias, List<Runnable> callbacks) {
        return new AssertionError(test + " registered " + callbacks.size() + " onCommit callback(s) on database '" + alias
                + "' that it neither ran nor checked: " + callbacks + ". The test's rollback drops them, so what they "
                + "do is never tested (strictOnCommit). Run them with OnCommitCapture.captureAndRun(db, ...) or assert "
                + "on the list OnCommitCapture.capture(db, ...) returns.");
    }

    static IllegalStateException strictNeedsRolledBack() {
        return new IllegalStateException("strictOnCommit() applies to an extension made by forDatabases(...): committing "
                + "tests run their onCommit callbacks for real, and the annotation-driven extension reads "
                + "@AtomicTest(strictOnCommit = true).");
    }

    static IllegalStateException andOnAnnotationDriven() {
        return new IllegalStateException("and(...) extends an extension made by forDatabases(...) or committing(...); "
                + "the annotation-driven extension takes its databases from @AtomicDatabase fields.");
    }

    static NullPointerException nullDatabase(String method) {
        return new NullPointerException(method + " needs a Database, got null.");
    }

    static IllegalArgumentException noDatabaseGiven() {
        return new IllegalArgumentException("forDatabases(...) needs at least one Database.");
    }

    static IllegalArgumentException nullDatabaseField() {
        return new IllegalArgumentException("forDatabases(...) was given a null Database: declare the Database fields "
                + "before the @RegisterExtension field, since static fields are initialized in order.");
    }

    static NullPointerException nullBody() {
        return new NullPointerException("OnCommitCapture needs a body, got null.");
    }
}
