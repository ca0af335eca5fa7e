package io.atomic4j.junit;

import io.atomic4j.AtomicScope;
import java.util.List;

/**
 * What the extension knows about one test class while its tests run: the mode, the databases,
 * and (rolled-back mode) the class-level blocks, which live on the thread that ran the class's
 * {@code beforeAll}. Kept in the class's {@code ExtensionContext.Store}; a {@code @Nested}
 * class's entry points to its enclosing class's.
 *
 * <p>Written by the class thread only; test threads read {@link #statementsRun}, which is set
 * before JUnit starts the class's children.
 */
final class ClassBlocks {
    final Class<?> testClass;
    /** The extension instance that manages this class: a second one on the same class is a configuration error. */
    final AtomicTestExtension owner;
    final Mode mode;
    /** Rolled-back mode: fail tests that leave onCommit callbacks unchecked ({@link AtomicTest#strictOnCommit}). */
    final boolean strictOnCommit;
    final List<TestTarget> targets;
    /** The enclosing class's entry for a {@code @Nested} class; null for a top-level class. */
    final ClassBlocks parent;
    /** The thread whose transaction state holds {@link #scopes}. */
    final Thread thread;
    /** Rolled-back mode: the class-level blocks, one per target in target order; null in committing mode. */
    final AtomicScope[] scopes;
    /**
     * The class-level transaction ran statements during {@code @BeforeAll} (set-up data, here or
     * in an enclosing class on the same thread). Tests on another thread cannot see that data.
     */
    volatile boolean statementsRun;

    ClassBlocks(Class<?> testClass, AtomicTestExtension owner, Mode mode, boolean strictOnCommit, List<TestTarget> targets,
                ClassBlocks parent, AtomicScope[] scopes) {
        this.testClass = testClass;
        this.owner = owner;
        this.mode = mode;
        this.strictOnCommit = strictOnCommit;
        this.targets = targets;
        this.parent = parent;
        this.thread = Thread.currentThread();
        this.scopes = scopes;
        this.statementsRun = parent != null && parent.thread == this.thread && parent.statementsRun;
    }

    /**
     * The nearest class in this chain whose set-up data a test on {@code current} could not
     * see, or null if there is none.
     */
    ClassBlocks unreachableSetUpData(Thread current) {
        for (ClassBlocks blocks = this; blocks != null; blocks = blocks.parent) {
            if (blocks.mode == Mode.ROLLBACK && blocks.thread != current && blocks.statementsRun) {
                return blocks;
            }
        }
        return null;
    }

    /** Notes whether the class-level transaction has run statements (called on {@link #thread} after each {@code @BeforeAll}). */
    void noteStatements() {
        for (TestTarget target : targets) {
            if (target.engine.state().session() != null) {
                statementsRun = true;
                return;
            }
        }
    }
}
