package io.atomic4j.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs every test of the class in an atomic block that is rolled back afterwards (Django's
 * {@code TestCase}); the databases are the fields annotated {@link AtomicDatabase}.
 * <pre>{@code
 * @AtomicTest
 * class EnrollmentTest {
 *     @AtomicDatabase static final Database db = Schema.create(Database.open("jdbc:h2:mem:shop"));
 *
 *     @BeforeAll static void lists() { insertList(db, "onboarding"); }   // kept for the class, rolled back after it
 *     @Test void enrolls() { enroll(db, "ada"); assertEquals(1, count(db, "procedure_user")); }
 *     @Test void startsEmpty() { assertEquals(0, count(db, "procedure_user")); }  // enrolls() was rolled back
 * }
 * }</pre>
 * What runs where: {@code @BeforeAll} methods run in a class-level block, kept across the class's
 * tests and rolled back after its {@code @AfterAll} methods (Django's {@code setUpTestData});
 * {@code @BeforeEach}, the test and {@code @AfterEach} run in a nested block (a savepoint)
 * rolled back after each test. Blocks the code under test opens become savepoints inside it;
 * {@code durable(true)} blocks are allowed at the test's top level and in {@code @BeforeAll},
 * as in Django. {@link AtomicTestExtension} describes threads, parallel runs and the limits.
 *
 * <p>Equivalent to {@code @ExtendWith(AtomicTestExtension.class)}. Inherited by subclasses and
 * {@code @Nested} classes.
 */
@Target({ElementType.TYPE, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(AtomicTestExtension.class)
public @interface AtomicTest {
    /**
     * Fails a test that registered an onCommit callback (on a database of the class) which it
     * neither ran through {@link OnCommitCapture#captureAndRun} / {@code start(db, true)} nor
     * looked at through a capture's list ({@link OnCommitCapture#capture} and
     * {@link OnCommitCapture#callbacks()}). A rolled-back test never commits, so such a callback
     * is dropped unnoticed; strict tests make the author say what should happen to it.
     * Applies to the class's {@code @Nested} classes too.
     */
    boolean strictOnCommit() default false;
}
