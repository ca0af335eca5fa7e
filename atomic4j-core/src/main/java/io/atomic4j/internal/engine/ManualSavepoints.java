package io.atomic4j.internal.engine;

import io.atomic4j.Savepoint;
import io.atomic4j.internal.errors.Messages;
import java.util.ArrayList;

/**
 * Django's savepoint API ({@code savepoint()}, {@code savepoint_commit}, {@code savepoint_rollback},
 * {@code clean_savepoints}) on top of the engine's state. Manual savepoints live in
 * {@link TransactionState#manualSavepoints}; blocks forget the ones taken inside them when they end.
 */
final class ManualSavepoints {
    private final AtomicBlocks blocks;

    ManualSavepoints(AtomicBlocks blocks) {
        this.blocks = blocks;
    }

    Savepoint savepoint(TransactionState state) {
        if (!state.inAtomicBlock && state.autocommit) {
            return null;    // Django returns None: there is no transaction to take a savepoint in
        }
        Backend.Session session = blocks.statements().session(state);
        blocks.statements().beforeStatement(state);
        String name = blocks.statements().nextSavepointName(state);
        blocks.statements().savepointStatement(state, session, Backend.Session::savepoint, name);
        ManualSavepoint savepoint = new ManualSavepoint(name, state, session, state.depth, state.hooks.size());
        if (state.manualSavepoints == null) {
            state.manualSavepoints = new ArrayList<>(4);
        }
        state.manualSavepoints.add(savepoint);
        return savepoint;
    }

    void commit(TransactionState state, Savepoint sid) {
        if (sid == null || (!state.inAtomicBlock && state.autocommit)) {
            return;
        }
        ManualSavepoint savepoint = validate(state, sid);
        blocks.statements().beforeStatement(state);
        int index = state.manualSavepoints.indexOf(savepoint);
        blocks.statements().savepointStatement(state, savepoint.session, Backend.Session::releaseSavepoint, savepoint.name);
        state.truncateManual(index);
    }

    void rollback(TransactionState state, Savepoint sid) {
        if (sid == null || (!state.inAtomicBlock && state.autocommit)) {
            return;
        }
        ManualSavepoint savepoint = validate(state, sid);
        if (state.closedInTransaction) {
            throw Messages.connectionLostInBlock(blocks.alias(), state.lostCause);
        }
        // Beyond Django: allowed while the block is marked for rollback; it undoes the failed work.
        blocks.statements().savepointStatement(state, savepoint.session, Backend.Session::rollbackToSavepoint, savepoint.name);
        state.truncateManual(state.manualSavepoints.indexOf(savepoint) + 1);
        Throwable cause = state.rollbackCause;
        if (state.needsRollback && state.rollbackCause != null) {
            state.clearRollback();
        }
        if (blocks.events() != null) {
            blocks.events().savepointRolledBack(cause);
        }
        Throwable hookFailure = blocks.hooks().discard(state, savepoint.hookMark, null);
        if (hookFailure != null) {
            throw Failures.<RuntimeException>sneaky(hookFailure);
        }
    }

    private ManualSavepoint validate(TransactionState state, Savepoint sid) {
        String alias = blocks.alias();
        if (!(sid instanceof ManualSavepoint)) {
            throw Messages.unknownSavepoint(alias, sid.name(), "it was not returned by savepoint() on this database");
        }
        ManualSavepoint savepoint = (ManualSavepoint) sid;
        if (savepoint.state != state) {
            throw Messages.unknownSavepoint(alias, sid.name(), "it belongs to another thread or database");
        }
        if (!savepoint.open || savepoint.session != state.session) {
            throw Messages.unknownSavepoint(alias, sid.name(),
                    "it was already released, rolled past, or ended with its block or transaction");
        }
        if (savepoint.depth != state.depth) {
            throw Messages.unknownSavepoint(alias, sid.name(), "it was taken in an enclosing block; only that block can use it");
        }
        return savepoint;
    }

    void clean(TransactionState state) {
        // Names still in use must never be reused, so the counter only restarts when none is open.
        if (state.manualCount() == 0 && state.savepointsReady == 0) {
            state.savepointCounter = 0;
        }
    }
}
