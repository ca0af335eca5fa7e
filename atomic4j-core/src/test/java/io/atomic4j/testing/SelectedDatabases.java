package io.atomic4j.testing;

import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.InvocationInterceptor;
import org.junit.jupiter.api.extension.ReflectiveInvocationContext;
import org.opentest4j.TestAbortedException;

/**
 * Runs the parameterized tests only on the databases named by the system property
 * {@value #PROPERTY} (comma-separated {@link TestDatabase} names, e.g. {@code H2,SQLITE});
 * without it, on all of them. An invocation whose {@link TestDatabase} argument is not selected
 * is skipped (reported as aborted) before its body runs, so no server is started for it.
 *
 * <p>Registered through {@code META-INF/services} and JUnit's extension auto-detection, which
 * atomic4j-core's Surefire configuration and the {@code pitest} profile switch on. The mutation
 * run uses it to stay on the two in-process databases.
 */
public final class SelectedDatabases implements InvocationInterceptor {
    /** The system property naming the databases to run on. */
    public static final String PROPERTY = "atomic4j.test.databases";

    private static final Set<TestDatabase> SELECTED = parse(System.getProperty(PROPERTY));

    static Set<TestDatabase> parse(String value) {
        if (value == null || value.isBlank()) {
            return EnumSet.allOf(TestDatabase.class);
        }
        Set<TestDatabase> selected = EnumSet.noneOf(TestDatabase.class);
        for (String name : value.split(",")) {
            String trimmed = name.trim().toUpperCase(Locale.ROOT);
            if (trimmed.isEmpty()) {
                continue;
            }
            try {
                selected.add(TestDatabase.valueOf(trimmed));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("-D" + PROPERTY + "=" + value + " names '" + name.trim()
                        + "', which is no test database; use a comma-separated list of "
                        + Arrays.toString(TestDatabase.values()), e);
            }
        }
        return selected;
    }

    /** Whether tests run on {@code database} in this JVM. */
    public static boolean isSelected(TestDatabase database) {
        return SELECTED.contains(database);
    }

    @Override
    public void interceptTestTemplateMethod(Invocation<Void> invocation,
            ReflectiveInvocationContext<Method> invocationContext, ExtensionContext extensionContext) throws Throwable {
        for (Object argument : invocationContext.getArguments()) {
            if (argument instanceof TestDatabase database && !SELECTED.contains(database)) {
                invocation.skip();
                throw new TestAbortedException(database + " is not selected by -D" + PROPERTY + "="
                        + SELECTED.stream().map(Enum::name).collect(Collectors.joining(",")));
            }
        }
        invocation.proceed();
    }
}
