package io.atomic4j.junit;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.discovery.ClassSelector;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;

/**
 * Runs {@link Fixture} classes with the Jupiter engine (JUnit's own test kit) on a fresh thread,
 * so that whatever a fixture leaves on its thread's transaction state dies with that thread.
 */
final class Kit {
    private static final AtomicInteger RUNNING = new AtomicInteger();

    private Kit() {
    }

    static boolean running() {
        return RUNNING.get() > 0;
    }

    static EngineExecutionResults run(Class<?>... fixtures) {
        return run(Map.of(), fixtures);
    }

    static EngineExecutionResults run(Map<String, String> configuration, Class<?>... fixtures) {
        ClassSelector[] selectors = new ClassSelector[fixtures.length];
        for (int i = 0; i < fixtures.length; i++) {
            selectors[i] = selectClass(fixtures[i]);
        }
        AtomicReference<EngineExecutionResults> results = new AtomicReference<>();
        AtomicReference<Throwable> crash = new AtomicReference<>();
        Thread thread = new Thread(() -> {
            RUNNING.incrementAndGet();
            try {
                results.set(EngineTestKit.engine("junit-jupiter").configurationParameters(configuration)
                        .selectors(selectors).execute());
            } catch (Throwable e) {
                crash.set(e);
            } finally {
                RUNNING.decrementAndGet();
            }
        }, "kit");
        thread.start();
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        if (crash.get() != null) {
            throw new IllegalStateException("the test kit crashed", crash.get());
        }
        return results.get();
    }

    /** Asserts that exactly {@code tests} tests ran and all passed, and that no class-level callback failed. */
    static void assertAllPassed(EngineExecutionResults results, long tests) {
        List<Event> failures = failures(results);
        if (!failures.isEmpty()) {
            throw new AssertionError(failures.size() + " fixture failure(s):\n" + describe(failures));
        }
        long succeeded = results.testEvents().succeeded().count();
        if (succeeded != tests) {
            throw new AssertionError("expected " + tests + " passing fixture tests, got " + succeeded
                    + " (skipped: " + results.testEvents().skipped().count() + ")");
        }
    }

    /** Every failed test or container. */
    static List<Event> failures(EngineExecutionResults results) {
        return results.allEvents().failed().stream().collect(Collectors.toList());
    }

    static Throwable throwable(Event event) {
        return event.getRequiredPayload(TestExecutionResult.class).getThrowable().orElseThrow();
    }

    static String describe(List<Event> failures) {
        StringBuilder text = new StringBuilder();
        for (Event event : failures) {
            StringWriter trace = new StringWriter();
            throwable(event).printStackTrace(new PrintWriter(trace));
            text.append("-- ").append(event.getTestDescriptor().getDisplayName()).append(": ").append(trace).append('\n');
        }
        return text.toString();
    }
}
