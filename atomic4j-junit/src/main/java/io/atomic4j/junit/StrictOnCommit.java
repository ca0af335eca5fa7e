package io.atomic4j.junit;

import io.atomic4j.internal.engine.AtomicBlocks;
import io.atomic4j.internal.engine.Hooks;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * {@code @AtomicTest(strictOnCommit = true)}: the onCommit callbacks a test has accounted for,
 * by running them through an {@link OnCommitCapture} or reading a capture's list. Per thread,
 * since a test's blocks and captures live on its thread; only recorded while a strict test runs.
 */
final class StrictOnCommit {
    private static final ThreadLocal<Set<Runnable>> ACCOUNTED = new ThreadLocal<>();

    private StrictOnCommit() {
    }

    /** Starts recording for the test about to run on this thread. */
    static void begin() {
        ACCOUNTED.set(Collections.newSetFromMap(new IdentityHashMap<>()));
    }

    static void accounted(Runnable callback) {
        Set<Runnable> accounted = ACCOUNTED.get();
        if (accounted != null) {
            accounted.add(callback);
        }
    }

    static void accounted(Collection<Runnable> callbacks) {
        Set<Runnable> accounted = ACCOUNTED.get();
        if (accounted != null) {
            accounted.addAll(callbacks);
        }
    }

    /**
     * Stops recording and returns the callbacks queued on {@code engine} since {@code mark}
     * (in the test's block, so never run) that the test did not account for.
     */
    static List<Runnable> unaccounted(AtomicBlocks engine, int mark) {
        Set<Runnable> accounted = ACCOUNTED.get();
        List<Runnable> result = new ArrayList<>();
        for (Hooks.QueuedHook hook : engine.hooks().commitHooksSince(mark)) {
            if (accounted == null || !accounted.contains(hook.callback())) {
                result.add(hook.callback());
            }
        }
        return result;
    }

    static void end() {
        ACCOUNTED.remove();
    }
}
