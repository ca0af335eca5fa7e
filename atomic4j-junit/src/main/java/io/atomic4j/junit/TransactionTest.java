package io.atomic4j.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Lets every test of the class commit for real, then empties the tables named by its
 * {@link AtomicDatabase} fields after each test (Django's {@code TransactionTestCase}). For code
 * whose behaviour depends on a real commit: onCommit hooks that run, rows visible to other
 * connections and threads, {@code durable(true)} blocks that really are outermost.
 * <pre>{@code
 * @TransactionTest
 * class WelcomeMailTest {
 *     @AtomicDatabase(emptyTables = {"unpaid_users", "users"})   // children before parents
 *     static final Database db = Schema.create(Database.open("jdbc:h2:mem:shop"));
 *
 *     @Test void mailsAfterCommit() {
 *         registration.register("ada");           // commits; its onCommit hook sends the mail
 *         assertEquals(List.of("ada"), mailer.sent());
 *     }
 * }
 * }</pre>
 * Tables are emptied with {@code DELETE FROM} in the order given, in one block, after the
 * {@code @AfterEach} methods; auto-increment counters are not reset. No block is open during the
 * test, so it must not run nested inside an {@link AtomicTest} class. Write shared data in
 * {@code @BeforeEach}: what {@code @BeforeAll} writes is committed and emptied with the tables
 * after the first test.
 *
 * <p>Equivalent to {@code @ExtendWith(AtomicTestExtension.class)} in committing mode. Inherited
 * by subclasses and {@code @Nested} classes (a nested class may switch back with {@link AtomicTest}).
 */
@Target({ElementType.TYPE, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(AtomicTestExtension.class)
public @interface TransactionTest {
}
