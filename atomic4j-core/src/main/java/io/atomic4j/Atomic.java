package io.atomic4j;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks an interface method to run in an atomic block when called through
 * {@link Database#atomicProxy(Class, Object)} (Django: the {@code @transaction.atomic} decorator).
 * <pre>{@code
 * interface Accounts { @Atomic void transfer(long from, long to, long cents); }
 * Accounts accounts = db.atomicProxy(Accounts.class, new JdbcAccounts(db));
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface Atomic {
    /** Django's {@code savepoint=}: false joins the enclosing block instead of taking a savepoint. */
    boolean savepoint() default true;

    /** Django's {@code durable=}: refuse to run nested inside another block. */
    boolean durable() default false;
}
