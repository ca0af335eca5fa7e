package io.atomic4j.internal.engine;

import java.util.Collections;
import java.util.Set;
import java.util.WeakHashMap;

/**
 * Each thread's {@link TransactionState} on one database. A thread keeps its state between
 * transactions (its frames and hook arrays are reused: creating a state per transaction cost 10 %
 * of a one-query transaction on H2), so registering it where {@link AtomicBlocks#close()} finds it
 * happens once per thread, not once per transaction.
 */
final class ThreadStates {
    private final boolean defaultAutoCommit;
    private final ThreadLocal<TransactionState> current = new ThreadLocal<>();
    /** Every state handed out, for close(); weak, so a finished thread's state goes with it. Guarded by itself. */
    private final Set<TransactionState> all = Collections.newSetFromMap(new WeakHashMap<>());

    ThreadStates(boolean defaultAutoCommit) {
        this.defaultAutoCommit = defaultAutoCommit;
    }

    /** The calling thread's state, or null if it has none. */
    TransactionState current() {
        return current.get();
    }

    /** The calling thread's state, created on first use. */
    TransactionState currentOrNew() {
        TransactionState state = current.get();
        if (state == null) {
            state = register(new TransactionState(defaultAutoCommit));
            current.set(state);
        }
        return state;
    }

    /** Gives the thread a fresh autocommit state in place of its own (a suspended transaction's stand-in). */
    TransactionState replaceWithStandIn() {
        TransactionState standIn = register(new TransactionState(true));
        current.set(standIn);
        return standIn;
    }

    /** Makes {@code state} the thread's again (a resumed transaction). */
    void restore(TransactionState state) {
        current.set(state);
    }

    /** Drops the thread's state once nothing in it outlives the transaction (autocommit back to the default). */
    void forgetIfIdle(TransactionState state) {
        if (state.isIdle(defaultAutoCommit) && current.get() == state) {
            current.remove();
        }
    }

    /** Every live state, on any thread, including suspended ones. */
    TransactionState[] all() {
        synchronized (all) {
            return all.toArray(new TransactionState[0]);
        }
    }

    private TransactionState register(TransactionState state) {
        synchronized (all) {
            all.add(state);
        }
        return state;
    }
}
