package io.atomic4j.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a field of type {@link io.atomic4j.Database} or {@link io.atomic4j.Databases} whose
 * database(s) the tests of an {@link AtomicTest} or {@link TransactionTest} class run on
 * (Django's {@code TestCase.databases}).
 * <pre>{@code
 * @AtomicDatabase static final Database db = Database.open("jdbc:h2:mem:shop");
 * @AtomicDatabase(emptyTables = {"procedure_state", "procedure_user"}) static final Database reports = ...;
 * }</pre>
 * The field is static, or an instance field of a {@code @TestInstance(PER_CLASS)} class; it is
 * read once, before the class's first test, so it must be assigned by then. Fields of
 * superclasses and of enclosing classes (for {@code @Nested} classes) count too. Several
 * databases get their blocks opened in field order and closed in reverse order.
 *
 * <p>Create the schema before the tests (in the field's initializer, as above), not inside them:
 * on H2 and MariaDB/MySQL a {@code CREATE TABLE} commits the open transaction, which breaks the
 * rollback.
 */
@Target({ElementType.FIELD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface AtomicDatabase {
    /**
     * Tables emptied with {@code DELETE FROM} after each test of a {@link TransactionTest} class,
     * in this order (list child tables before their parents). Ignored by {@link AtomicTest},
     * whose tests leave nothing behind.
     */
    String[] emptyTables() default {};
}
