package io.atomic4j.junit;

import io.atomic4j.AtomicOptions;
import io.atomic4j.AtomicScope;
import io.atomic4j.TransactionManagementException;
import io.atomic4j.internal.engine.Failures;
import java.util.List;

/**
 * One test's blocks (rolled-back mode) or marker (committing mode), kept in the test's store, and
 * how test and class blocks are opened and rolled back.
 */
final class TestBlocks {
    final AtomicTestExtension owner;
    final ClassBlocks classBlocks;
    final AtomicScope[] scopes;
    /** Strict tests: each target's hook mark when the test's block opened; null otherwise. */
    final int[] marks;
    final Thread thread;

    TestBlocks(AtomicTestExtension owner, ClassBlocks classBlocks, AtomicScope[] scopes, int[] marks, Thread thread) {
        this.owner = owner;
        this.classBlocks = classBlocks;
        this.scopes = scopes;
        this.marks = marks;
        this.thread = thread;
    }

    /** Opens one test block per target, in order; on failure closes those already open. */
    static AtomicScope[] open(List<TestTarget> targets) {
        AtomicScope[] scopes = new AtomicScope[targets.size()];
        for (int i = 0; i < scopes.length; i++) {
            try {
                scopes[i] = targets.get(i).engine.begin(AtomicOptions.defaults(), true);
            } catch (RuntimeException | Error e) {
                throw Failures.<RuntimeException>sneaky(close(targets, scopes, i, "opening the test blocks", e));
            }
        }
        return scopes;
    }

    /**
     * Rolls back the first {@code count} blocks, last first (Django closes in reverse database
     * order), and returns {@code failure} with every closing failure added.
     */
    static Throwable close(List<TestTarget> targets, AtomicScope[] scopes, int count, String description, Throwable failure) {
        for (int i = count - 1; i >= 0; i--) {
            AtomicScope scope = scopes[i];
            try {
                scope.close();   // without complete(): rolls back, silently (Django: set_rollback(True), then exit)
            } catch (TransactionManagementException e) {
                // A scope the test left open inside: the core rolled it back with the test's block (or refused to
                // close out of order, and abandon() rolls back both); abandon() does nothing for a closed scope.
                failure = Failures.combine(failure, Messages.blockLeftOpen(description, targets.get(i).alias(), e));
                failure = Failures.combine(failure, targets.get(i).engine.abandon(scope));
            } catch (RuntimeException | Error e) {
                failure = Failures.combine(failure, e);
            }
        }
        return failure;
    }

    /** Strict tests: the failure for the onCommit callbacks the test queued and never checked, or null. */
    static Throwable uncheckedCallbacks(List<TestTarget> targets, int[] marks, String description) {
        try {
            Throwable failure = null;
            for (int i = 0; i < marks.length; i++) {
                List<Runnable> unchecked = StrictOnCommit.unaccounted(targets.get(i).engine, marks[i]);
                if (!unchecked.isEmpty()) {
                    failure = Failures.combine(failure, Messages.uncheckedCallbacks(description, targets.get(i).alias(), unchecked));
                }
            }
            return failure;
        } finally {
            StrictOnCommit.end();
        }
    }
}
