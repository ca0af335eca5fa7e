package io.atomic4j.internal.engine;

import java.util.Arrays;

/**
 * The on-commit and on-rollback callbacks of one transaction, in registration order. One queue
 * for both kinds, so "everything registered inside this block" is simply everything past the
 * block's mark, whichever kind it is. Array-backed and reused: registering a hook allocates only
 * when the arrays grow.
 */
final class HookQueue {
    static final byte ON_COMMIT = 1;
    static final byte ON_COMMIT_ROBUST = 2;
    static final byte ON_ROLLBACK = 3;

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

    boolean isEmpty() {
        return size == 0;
    }
}
