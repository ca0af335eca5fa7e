package io.atomic4j.junit;

import io.atomic4j.Block;
import io.atomic4j.Database;
import io.atomic4j.OnCommitFailedException;
import io.atomic4j.internal.engine.AtomicBlocks;
import io.atomic4j.internal.engine.Hooks;
import io.atomic4j.internal.engine.Engines;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.List;

/**
 * Collects the {@link Database#onCommit onCommit} callbacks registered while it is open, and
 * optionally runs them: a rolled-back test never commits, so this is how it checks what the
 * code under test would do after a commit (Django's {@code captureOnCommitCallbacks(using=,
 * execute=)}).
 * <pre>{@code
 * List<Runnable> hooks = OnCommitCapture.capture(db, () -> registration.register("ada"));
 * assertEquals(1, hooks.size());                       // one welcome mail queued, none sent
 *
 * OnCommitCapture.captureAndRun(db, () -> registration.register("ada"));
 * assertEquals(List.of("ada"), mailer.sent());         // the hooks ran, as after a commit
 *
 * try (OnCommitCapture capture = OnCommitCapture.start(db)) { ... }   // when a lambda does not fit
 * }</pre>
 * Semantics, as in Django:
 * <ul>
 *   <li>Only callbacks registered on this database, on this thread, after the capture started
 *       and still queued when it closes are collected, in registration order: those of a block
 *       (savepoint) rolled back inside the capture are not.</li>
 *   <li>With {@code execute}, {@link #close()} runs them in order; callbacks they register are
 *       collected and run too, breadth-first (a tree of hooks is run level by level), until no
 *       new ones appear. A callback that throws stops the run, as after a real commit: the
 *       failure comes out of {@code close()} (or {@code captureAndRun}) as the
 *       {@link OnCommitFailedException} a committed block throws, with the callback's exception
 *       as its cause; the callbacks collected so far stay in {@link #callbacks()}.</li>
 *   <li>The callbacks stay queued in the test's transaction and are dropped by its rollback;
 *       they never run twice through the capture.</li>
 *   <li>Outside an atomic block callbacks run at once and nothing is collected.</li>
 *   <li>When the body throws, the capture still closes (collecting, and running with
 *       {@code execute}); the body's exception wins and a callback's failure is added to it
 *       as suppressed.</li>
 * </ul>
 * As in Django, a robust callback's failure ({@code onCommit(callback, true)}) is logged and the
 * others still run.
 *
 * <p>With {@code @AtomicTest(strictOnCommit = true)} a test fails when an onCommit callback it
 * registered was neither run by a capture ({@code execute}) nor looked at through a capture's
 * {@link #callbacks()} list: the test's rollback would otherwise drop it unnoticed.
 *
 * <p>Not thread-safe: start and close it on the thread that runs the code under test.
 */
public final class OnCommitCapture implements AutoCloseable {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(OnCommitCapture.class);

    private final Database database;
    private final AtomicBlocks engine;
    private final boolean execute;
    private final Thread thread;
    private final int start;
    private final List<Runnable> callbacks = new ArrayList<>();
    private final List<Runnable> view = new CheckedView();
    private boolean closed;

    private OnCommitCapture(Database database, boolean execute) {
        this.database = database;
        this.engine = Engines.of(database);
        this.execute = execute;
        this.thread = Thread.currentThread();
        this.start = engine.hooks().mark();
    }

    /** Starts collecting the callbacks registered on {@code database} (Django: {@code execute=False}). */
    public static OnCommitCapture start(Database database) {
        return start(database, false);
    }

    /**
     * Starts collecting the callbacks registered on {@code database}; with {@code execute},
     * {@link #close()} also runs them (Django: {@code captureOnCommitCallbacks(using=, execute=)}).
     */
    public static OnCommitCapture start(Database database, boolean execute) {
        if (database == null) {
            throw Messages.nullDatabase("OnCommitCapture");
        }
        return new OnCommitCapture(database, execute);
    }

    /**
     * Runs {@code body} and returns the callbacks it registered on {@code database}, without running them.
     * <pre>{@code assertEquals(1, OnCommitCapture.capture(db, () -> service.register("ada")).size());}</pre>
     * @throws E what the body threw
     */
    public static <E extends Exception> List<Runnable> capture(Database database, Block<E> body) throws E {
        return capture(database, false, body);
    }

    /**
     * Runs {@code body}, then the callbacks it registered on {@code database} (and those they
     * register, breadth-first); returns every callback run.
     * <pre>{@code OnCommitCapture.captureAndRun(db, () -> service.register("ada")); assertEquals(1, mailer.sent().size());}</pre>
     * @throws E what the body threw
     */
    public static <E extends Exception> List<Runnable> captureAndRun(Database database, Block<E> body) throws E {
        return capture(database, true, body);
    }

    private static <E extends Exception> List<Runnable> capture(Database database, boolean execute, Block<E> body) throws E {
        if (body == null) {
            throw Messages.nullBody();
        }
        OnCommitCapture capture = start(database, execute);
        try (capture) {
            body.run();
        }
        return capture.callbacks();
    }

    /**
     * The callbacks collected, in registration order; empty until {@link #close()} (Django fills
     * its list on exit too). Read-only view.
     */
    public List<Runnable> callbacks() {
        return view;
    }

    /**
     * Collects the callbacks registered since {@link #start}, running them (and the ones they
     * register, breadth-first) when asked to. Calling it again does nothing.
     * @throws IllegalStateException when called on another thread than the one that started it
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        if (Thread.currentThread() != thread) {
            throw Messages.captureWrongThread(database.alias());
        }
        closed = true;
        int from = start;
        while (true) {
            int end = engine.hooks().mark();
            for (Hooks.QueuedHook hook : engine.hooks().commitHooksSince(from)) {
                callbacks.add(hook.callback());
                if (execute) {
                    run(hook);
                }
            }
            // Callbacks run inside the test's block queue their own hooks behind the others: the next round.
            if (!execute || engine.hooks().mark() <= end) {
                return;
            }
            from = end;
        }
    }

    private void run(Hooks.QueuedHook hook) {
        StrictOnCommit.accounted(hook.callback());
        if (!hook.robust()) {
            try {
                hook.callback().run();
            } catch (RuntimeException | Error e) {
                // As after a real commit: the caller must not take it for a failed transaction.
                if (e instanceof VirtualMachineError) {
                    throw e;
                }
                throw new OnCommitFailedException(database.alias(), e);
            }
            return;
        }
        try {
            hook.callback().run();
        } catch (Exception e) {
            LOG.error("Error calling {} in onCommit() on database '{}' (captured)", hook.callback(), database.alias(), e);
        }
    }

    /** Read-only view of {@link #callbacks}; reading it counts as checking them for strict tests. */
    private final class CheckedView extends AbstractList<Runnable> {
        @Override
        public Runnable get(int index) {
            StrictOnCommit.accounted(callbacks);
            return callbacks.get(index);
        }

        @Override
        public int size() {
            StrictOnCommit.accounted(callbacks);
            return callbacks.size();
        }
    }
}
