package io.atomic4j.internal.engine;

import io.atomic4j.OnCommitFailedException;
import java.util.Arrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The callbacks of one transaction (beforeCommit, onCommit, onRollback) in registration order,
 * and the rules for running them. One queue for every kind, so "everything registered inside
 * this block" is simply everything past the block's mark, whichever kind it is. Array-backed and
 * reused: registering a hook allocates only when the arrays grow.
 */
final class HookQueue {
    private static final Logger log = LoggerFactory.getLogger(AtomicBlocks.class);

    static final byte ON_COMMIT = 1;
    static final byte ON_COMMIT_ROBUST = 2;
    static final byte ON_ROLLBACK = 3;
    static final byte BEFORE_COMMIT = 4;

    /** Returned by {@link #splitFrom} when nothing is past the mark, so a transaction without hooks allocates nothing. */
    private static final HookQueue EMPTY = new HookQueue();

    private Runnable[] callbacks = new Runnable[4];
    private byte[] kinds = new byte[4];
    private int size;

    int size() {
        return size;
    }

    void add(Runnable callback, byte kind) {
        if (size == callbacks.length) {
            callbacks = Arrays.copyOf(callbacks, size * 2);
            kinds = Arrays.copyOf(kinds, size * 2);
        }
        callbacks[size] = callback;
        kinds[size] = kind;
        size++;
    }

    Runnable callback(int index) {
        return callbacks[index];
    }

    byte kind(int index) {
        return kinds[index];
    }

    /** Moves the entries past {@code mark} into a new queue (for running them) and truncates this one. */
    HookQueue splitFrom(int mark) {
        if (mark >= size) {
            return EMPTY;
        }
        HookQueue tail = new HookQueue();
        for (int i = mark; i < size; i++) {
            tail.add(callbacks[i], kinds[i]);
            callbacks[i] = null;
        }
        size = Math.min(size, mark);
        return tail;
    }

    // ------------------------------------------------------------------ running

    /**
     * Runs the beforeCommit callbacks inside the still-open transaction, in registration order,
     * including those that a callback registers while they run (an ORM flush may queue more).
     * The first failure stops them and is returned: the transaction must then roll back.
     */
    Throwable runBeforeCommit() {
        for (int i = 0; i < size; i++) {
            if (kinds[i] == BEFORE_COMMIT) {
                try {
                    callbacks[i].run();
                } catch (RuntimeException | Error e) {
                    return e;
                }
            }
        }
        return null;
    }

    /**
     * Runs the onCommit callbacks after a commit. A robust one's failure is logged and the rest
     * run; the first non-robust failure stops them and comes back as {@link OnCommitFailedException}
     * (the data is committed, so it must never look like a failed transaction).
     */
    Throwable runCommitHooks(String alias, Throwable toThrow) {
        for (int i = 0; i < size; i++) {
            byte kind = kinds[i];
            if (kind == ON_COMMIT_ROBUST) {
                runRobust(callbacks[i], alias, true);
            } else if (kind == ON_COMMIT) {
                try {
                    callbacks[i].run();
                } catch (RuntimeException | Error e) {
                    return Failures.combine(toThrow, committedButFailed(alias, e));
                }
            }
        }
        return toThrow;
    }

    private static Throwable committedButFailed(String alias, Throwable error) {
        // An exhausted JVM is not a callback's failure to report: let it through as it is.
        return error instanceof VirtualMachineError ? error : new OnCommitFailedException(alias, error);
    }

    /** Runs the onRollback callbacks newest first (undo order); every one runs, failures are collected. */
    Throwable runRollbackHooks(Throwable toThrow) {
        for (int i = size - 1; i >= 0; i--) {
            if (kinds[i] == ON_ROLLBACK) {
                try {
                    callbacks[i].run();
                } catch (RuntimeException | Error e) {
                    toThrow = Failures.combine(toThrow, e);
                }
            }
        }
        return toThrow;
    }

    static void runRobust(Runnable callback, String alias, boolean afterTransaction) {
        try {
            callback.run();
        } catch (Exception e) {
            log.error("Error calling {} in onCommit(){} on database '{}'", callback,
                    afterTransaction ? " during transaction" : "", alias, e);
        }
    }
}
