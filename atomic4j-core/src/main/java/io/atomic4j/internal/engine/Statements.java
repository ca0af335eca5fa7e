package io.atomic4j.internal.engine;

import io.atomic4j.AtomicOptions;
import io.atomic4j.internal.errors.Messages;
import java.util.function.BiConsumer;

/**
 * What the engine does around every statement sent on a thread's session (Django:
 * {@code validate_no_broken_transaction}, {@code ensure_connection}): refuse work in a broken
 * transaction, open the session lazily, create the savepoints nested blocks asked for, and read
 * a failed statement. The JDBC wrappers and MongoDB's session binding call in here.
 */
public final class Statements {
    /** The engine's savepoint names; the JDBC layer refuses user savepoints with this prefix, so they never collide. */
    public static final String SAVEPOINT_PREFIX = "a4j_sp";

    private final AtomicBlocks blocks;
    private final Backend backend;
    private final String alias;
    private final boolean savepoints;

    Statements(AtomicBlocks blocks, Backend backend) {
        this.blocks = blocks;
        this.backend = backend;
        this.alias = backend.alias();
        this.savepoints = backend.supportsSavepoints();
    }

    /** Called before every statement on a bound session, plus lazy savepoints. The hot path is three field reads. */
    public void beforeStatement(TransactionState state) {
        if (state.closedInTransaction) {
            throw Messages.connectionLostInBlock(alias, state.lostCause);
        }
        if (state.needsRollback) {
            throw Messages.brokenTransaction(alias, state.rollbackCause, savepoints);
        }
        TransactionEvents events = blocks.events();
        if (events != null && !state.begunReported && state.session != null) {
            events.begun(state);   // the next manual transaction on a session kept since the last commit()/rollback()
        }
        state.dirty = true;
        state.statements++;
        if (state.savepointsReady < state.depth) {
            createPendingSavepoints(state);
        }
    }

    private void createPendingSavepoints(TransactionState state) {
        Backend.Session session = session(state);
        for (int i = state.savepointsReady; i < state.depth; i++) {
            BlockFrame frame = state.frames[i];
            if (frame.ownsSavepoint && frame.savepoint == null) {
                String name = nextSavepointName(state);
                savepointStatement(state, session, Backend.Session::savepoint, name);
                frame.savepoint = name;
            }
            state.savepointsReady = i + 1;
        }
    }

    /**
     * Runs savepoint SQL (create, release, roll back to) as the statement it is: a failure is
     * interpreted like any failed statement's, then rethrown. {@code sql} is a method reference of
     * {@link Backend.Session}, so no lambda is allocated.
     */
    void savepointStatement(TransactionState state, Backend.Session session, BiConsumer<Backend.Session, String> sql,
                            String name) {
        try {
            sql.accept(session, name);
        } catch (RuntimeException | Error e) {
            statementFailed(state, e, session.isBroken());
            throw e;
        }
    }

    String nextSavepointName(TransactionState state) {
        return SAVEPOINT_PREFIX + (++state.savepointCounter);
    }

    /**
     * The one place a failed statement is interpreted (the caller rethrows the driver's error):
     * inside a block it marks the innermost block that can roll back; a lost connection ends all
     * further work on it.
     */
    public void statementFailed(TransactionState state, Throwable error, boolean connectionLost) {
        if (state.inAtomicBlock) {
            state.markForRollback(error);
        }
        if (connectionLost && state.session != null) {
            state.session.markBroken();
            if (state.inAtomicBlock) {
                state.closedInTransaction = true;
                state.lostCause = error;
            } else {
                // A manual transaction lost its connection: it is gone; the next statement starts afresh.
                Backend.Session session = state.session;
                blocks.reportEnded(state, false, error);
                HookQueue hooks = state.endTransaction();
                session.close();
                Failures.combine(error, hooks.runRollbackHooks(blocks.events(), null));   // the caller rethrows error
            }
        }
    }

    /**
     * Refuses a transaction-control call made on a bound connection inside a block (Connection.commit,
     * raw COMMIT/ROLLBACK SQL...), and marks the block for rollback: a caller that catches the
     * refusal must not be able to commit the half-done work around it.
     */
    public RuntimeException refuseInBlock(TransactionState state, String operation) {
        RuntimeException refused = Messages.forbiddenInBlock(alias, operation);
        state.markForRollback(refused);
        return refused;
    }

    /** This thread's session, opened (and its transaction begun) on first need. */
    public Backend.Session session(TransactionState state) {
        Backend.Session session = state.session;
        if (session == null) {
            if (state.closedInTransaction) {
                throw Messages.connectionLostInBlock(alias, state.lostCause);
            }
            blocks.checkOpen();
            session = backend.begin(state.options != null ? state.options : AtomicOptions.defaults(),
                    state.frontEndSettings);
            if (!blocks.publish(state, session)) {
                throw Messages.closed(alias);
            }
            if (blocks.events() != null) {
                blocks.events().begun(state);
            }
        }
        return session;
    }
}
