package io.atomic4j.internal.engine;

import io.atomic4j.internal.errors.Messages;

/**
 * Autocommit and manual transactions (Django: {@code get_autocommit}, {@code set_autocommit},
 * {@code commit}, {@code rollback}): with autocommit off and no block open, the thread's
 * statements run in a transaction it ends itself. The state lives in {@link TransactionState}.
 */
final class ManualTransactions {
    private final AtomicBlocks blocks;
    private final ThreadStates states;

    ManualTransactions(AtomicBlocks blocks, ThreadStates states) {
        this.blocks = blocks;
        this.states = states;
    }

    boolean getAutoCommit(TransactionState state) {
        return !state.inAtomicBlock && state.autocommit;
    }

    void setAutoCommit(TransactionState state, boolean autoCommit) {
        checkOutsideBlock(state, "setAutoCommit()");
        if (autoCommit == state.autocommit) {
            return;
        }
        if (autoCommit) {
            Backend.Session session = state.session;
            if (session != null && state.dirty) {
                throw Messages.autocommitWithPendingWork(blocks.alias());
            }
            state.endTransaction();
            if (session != null) {
                session.close();
            }
        }
        state.autocommit = autoCommit;
        states.forgetIfIdle(state);
    }

    /** Django's validate_no_atomic_block(): commit, rollback and autocommit belong to the block inside one. */
    private void checkOutsideBlock(TransactionState state, String operation) {
        if (state.inAtomicBlock) {
            throw Messages.forbiddenInBlock(blocks.alias(), operation);
        }
    }

    /** Commits a manual transaction; a no-op in autocommit, forbidden in a block (Django: commit()). */
    void commit(TransactionState state) {
        checkOutsideBlock(state, "commit()");
        if (state.autocommit) {
            return;
        }
        Throwable failure = state.hooks.runBeforeCommit();
        if (failure != null) {
            throw Failures.<RuntimeException>sneaky(failure);
        }
        if (state.session != null) {
            state.session.commit();
        }
        Backend.Session session = state.session;
        blocks.reportEnded(state, session, true, null);
        state.beganAt = System.nanoTime();   // the session stays open: the next manual transaction starts now
        HookQueue hooks = state.endTransaction();
        if (session != null) {
            blocks.publish(state, session);   // a manual transaction keeps its connection for the next one
        }
        // Departure from Django (which waits for setAutoCommit(true)): hooks run right after the commit.
        failure = hooks.runCommitHooks(blocks.alias(), blocks.events(), null);
        if (failure != null) {
            throw Failures.<RuntimeException>sneaky(failure);
        }
    }

    /** Rolls back a manual transaction; a no-op in autocommit, forbidden in a block (Django: rollback()). */
    void rollback(TransactionState state) {
        checkOutsideBlock(state, "rollback()");
        if (state.autocommit) {
            return;
        }
        Backend.Session session = state.session;
        Throwable failure = null;
        try {
            if (session != null && !session.isBroken()) {
                session.rollback();
            }
        } finally {
            blocks.reportEnded(state, session, false, null);
            state.beganAt = System.nanoTime();
            HookQueue hooks = state.endTransaction();
            if (session != null) {
                blocks.publish(state, session);
            }
            failure = hooks.runRollbackHooks(blocks.events(), null);
        }
        if (failure != null) {
            throw Failures.<RuntimeException>sneaky(failure);
        }
    }
}
