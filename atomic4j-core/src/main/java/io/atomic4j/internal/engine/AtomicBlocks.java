package io.atomic4j.internal.engine;

import io.atomic4j.AtomicOptions;
import io.atomic4j.AtomicScope;
import io.atomic4j.Block;
import io.atomic4j.CommitOutcomeUnknownException;
import io.atomic4j.Result;
import io.atomic4j.Savepoint;
import io.atomic4j.internal.errors.Messages;
import java.util.Objects;

/**
 * Django's {@code Atomic.__enter__/__exit__} and the generic transaction methods of
 * {@code BaseDatabaseWrapper}, over any {@link Backend}. Every form of block (lambda,
 * {@link AtomicScope}, {@code @Atomic} proxy, per-request filter, test extension, MongoDB) goes
 * through {@link #enter} and {@link #exit}: there is one enter/exit path. Beside it live what
 * happens around each statement ({@link Statements}), registering callbacks ({@link Hooks}) and
 * running them ({@link HookQueue}), {@link Retries}, {@link ManualSavepoints},
 * {@link ManualTransactions} and {@link Scope}.
 *
 * <p>Thread-safe: all mutable state is in the calling thread's {@link TransactionState}.
 */
public final class AtomicBlocks {
    private final Backend backend;
    private final String alias;
    private final boolean savepoints;
    private final Statements statements;
    private final Hooks hooks = new Hooks(this);
    private final ManualSavepoints manualSavepoints = new ManualSavepoints(this);
    private final ManualTransactions manualTransactions;
    private final ThreadStates states;
    /** Run before every normal block exit, nested or outermost (ORMs flush there); copy-on-write. */
    private volatile Runnable[] beforeExitListeners = new Runnable[0];
    private volatile boolean closed;
    /** Listener and long-transaction watch; null when nobody observes, so the hot path only tests for null. */
    private final TransactionEvents events;

    public AtomicBlocks(Backend backend, boolean defaultAutoCommit) {
        this(backend, defaultAutoCommit, null);
    }

    public AtomicBlocks(Backend backend, boolean defaultAutoCommit, TransactionEvents events) {
        this.events = events;
        this.backend = backend;
        this.alias = backend.alias();
        this.states = new ThreadStates(defaultAutoCommit);
        this.manualTransactions = new ManualTransactions(this, states);
        this.savepoints = backend.supportsSavepoints();
        this.statements = new Statements(this, backend);
    }

    public String alias() {
        return alias;
    }

    /** Statement-level checks and the lazy session, for the JDBC wrappers and MongoDB's session binding. */
    public Statements statements() {
        return statements;
    }

    /** Registering onCommit, onRollback and beforeCommit callbacks. */
    public Hooks hooks() {
        return hooks;
    }

    // ------------------------------------------------------------------ thread state

    /** The calling thread's state, created on first use. */
    public TransactionState state() {
        checkOpen();
        return states.currentOrNew();
    }

    /**
     * Makes a newly opened session the thread's, where close() on another thread finds it. close()
     * sets {@code closed} before it looks at the sessions and this method looks at {@code closed}
     * after it has published the session (both volatile), so either close() aborts this session or
     * this method sees the database closed: then it ends the session itself and returns false.
     */
    boolean publish(TransactionState state, Backend.Session session) {
        state.session = session;
        if (!closed) {
            return true;
        }
        state.session = null;
        session.close();
        return false;
    }

    /** The calling thread's state if it has one; never creates one (for checks on unbound connections). */
    public TransactionState currentState() {
        return states.current();
    }

    /**
     * Puts the thread's transaction aside (Spring's suspend): until {@link #resume}, the thread
     * works in a fresh autocommit state, and connections of the suspended transaction are refused.
     */
    public TransactionState suspend() {
        TransactionState current = state();
        current.suspended = true;
        states.replaceWithStandIn();
        return current;
    }

    /** Brings back a transaction put aside by {@link #suspend}; refused while the stand-in state still has a block open. */
    public void resume(TransactionState suspended) {
        TransactionState standIn = states.current();
        if (standIn != null && standIn != suspended && standIn.depth > 0) {
            throw Messages.resumeWithBlockOpen(alias);
        }
        suspended.suspended = false;
        states.restore(suspended);
    }

    // ------------------------------------------------------------------ closing

    public boolean isClosed() {
        return closed;
    }

    public void checkOpen() {
        if (closed) {
            throw Messages.closed(alias);
        }
    }

    /**
     * Refuses every later use, and ends the calling thread's transaction: rolled back, its
     * connection returned, so that nothing of this thread holds a lock after close(). A block
     * still open on this thread can then only roll back. Other threads' sessions are aborted
     * (their connections closed under them), so none of their locks outlives close() either;
     * those threads find out at their next use.
     */
    public void close() {
        closed = true;
        TransactionState own = states.current();
        for (TransactionState other : states.all()) {
            Backend.Session session = other.session;
            if (other != own && session != null) {
                session.abort();
            }
        }
        endOwnTransaction(own);
    }

    private void endOwnTransaction(TransactionState state) {
        if (state == null || state.session == null) {
            return;
        }
        Backend.Session session = state.session;
        if (!session.isBroken()) {
            try {
                session.rollback();
            } catch (RuntimeException | Error e) {
                session.markBroken();
            }
        }
        if (state.inAtomicBlock) {
            // The open blocks' exits see a dead transaction: no SQL, and the outermost one clears up.
            session.close();
            state.closedInTransaction = true;
            state.lostCause = Messages.closed(alias);
        } else {
            reportEnded(state, false, null);
            state.endTransaction();
            session.close();
        }
    }

    // ------------------------------------------------------------------ blocks

    public <T, E extends Exception> T run(AtomicOptions options, Result<T, E> body) throws E {
        return run(options, null, body);
    }

    /**
     * A block whose outermost transaction is opened with {@code frontEndSettings} passed to
     * {@link Backend#begin} (ignored for nested blocks): how MongoAtomic hands its transaction
     * options to its backend without a side channel.
     */
    public <T, E extends Exception> T run(AtomicOptions options, Object frontEndSettings, Result<T, E> body) throws E {
        TransactionState state = state();
        if (options.independent() && state.bound()) {
            return runIndependent(options, frontEndSettings, body);
        }
        if (options.retry().maxAttempts() > 1) {
            if (!state.inAtomicBlock) {
                // Each attempt looks the state up again: the previous attempt's end may have dropped it.
                return Retries.run(backend, events, options.retry(), () -> runOnce(state(), options, frontEndSettings, body));
            }
            if (!state.onlyTestBlocksOpen()) {
                throw Messages.retryNested(alias);
            }
            // Inside a test's rolled-back block a retry cannot re-run anything: run once.
        }
        return runOnce(state, options, frontEndSettings, body);
    }

    private <T, E extends Exception> T runIndependent(AtomicOptions options, Object frontEndSettings, Result<T, E> body)
            throws E {
        TransactionState suspended = suspend();
        try {
            return run(options.independent(false), frontEndSettings, body);
        } finally {
            resume(suspended);
        }
    }

    private <T, E extends Exception> T runOnce(TransactionState state, AtomicOptions options, Object frontEndSettings,
                                               Result<T, E> body) throws E {
        BlockFrame frame = enter(state, options, frontEndSettings, false);
        T value;
        try {
            value = body.call();
        } catch (Throwable error) {
            throw Failures.<RuntimeException>sneaky(exit(state, frame, error, false));
        }
        Throwable failure = exit(state, frame, null, false);
        if (failure != null) {
            throw Failures.<RuntimeException>sneaky(failure);
        }
        return value;
    }

    /** The {@code begin()} form: a scope whose close() exits the block. */
    public AtomicScope begin(AtomicOptions options, boolean testBoundary) {
        return begin(options, null, testBoundary);
    }

    /** {@link #begin(AtomicOptions, boolean)} with the front end's settings for the outermost transaction. */
    public AtomicScope begin(AtomicOptions options, Object frontEndSettings, boolean testBoundary) {
        TransactionState state = state();
        if (options.retry().maxAttempts() > 1) {
            throw Messages.retryNeedsLambda(alias);
        }
        TransactionState suspended = null;
        if (options.independent() && state.bound()) {
            suspended = suspend();
            state = states.current();
            options = options.independent(false);
        }
        BlockFrame frame;
        try {
            frame = enter(state, options, frontEndSettings, testBoundary);
        } catch (RuntimeException | Error e) {
            if (suspended != null) {
                resume(suspended);
            }
            throw e;
        }
        Scope scope = new Scope(this, state, frame, suspended);
        frame.owner = scope;
        return scope;
    }

    /**
     * Opens a block (Django: Atomic.__enter__). Every check comes first, so a refused block
     * changes nothing. Nested blocks only note that they want a savepoint; it is created just
     * before the first statement inside them.
     */
    BlockFrame enter(TransactionState state, AtomicOptions options, Object frontEndSettings, boolean testBoundary) {
        boolean nested = state.inAtomicBlock;
        // With autocommit off the user owns the transaction: the block behaves as nested in it and never commits.
        boolean outermost = !nested && state.autocommit;
        checkCanEnter(state, options, outermost);
        if (!nested) {
            state.clearRollback();
            state.inAtomicBlock = true;
            if (outermost) {
                state.options = options;
                state.frontEndSettings = frontEndSettings;
            }
        }
        // The second condition avoids useless savepoints and keeps needsRollback set until the block that can undo it exits.
        boolean ownsSavepoint = !outermost && options.savepoint() && savepoints && !state.needsRollback;
        BlockFrame frame = state.push();
        frame.reset(outermost, ownsSavepoint, options.durable(), testBoundary, state.hooks.size(), state.manualCount());
        return frame;
    }

    private void checkCanEnter(TransactionState state, AtomicOptions options, boolean outermost) {
        if (options.durable() && state.depth > 0 && !state.top().testBoundary) {
            throw Messages.durableNested(alias);
        }
        if (!outermost && (options.isolation() != null || options.readOnly()) && !state.onlyTestBlocksOpen()) {
            throw Messages.outermostOnly(alias, options.isolation() != null ? "isolation(...)" : "readOnly(true)");
        }
    }

    /**
     * Closes the innermost block (Django: Atomic.__exit__) and returns what the caller must
     * throw: {@code error} itself (with any rollback failure attached as suppressed), a new
     * exception when a normal exit could not commit, or null.
     *
     * @param error what the body threw, or null for a normal exit
     * @param rollbackRequested roll back although nothing was thrown (a scope closed without complete())
     */
    Throwable exit(TransactionState state, BlockFrame frame, Throwable error, boolean rollbackRequested) {
        Throwable toThrow = closeBlocksLeftOpen(state, frame, error);
        if (toThrow == null && !rollbackRequested && !state.needsRollback && !state.closedInTransaction) {
            // Still inside the block: ORM flushes and beforeCommit callbacks run their statements in it.
            toThrow = beforeNormalExit(state, frame);
        }
        state.depth--;
        if (state.savepointsReady > state.depth) {
            state.savepointsReady = state.depth;
        }
        frame.owner = null;
        boolean outermost = frame.outermost;
        if (state.depth == 0) {
            // Set before committing so that hooks and commit() see no block (Django does the same).
            state.inAtomicBlock = false;
        }
        boolean committed = false;
        try {
            if (state.closedInTransaction) {
                // The server already rolled back; wait for the outermost block to drop the connection.
                if (toThrow == null) {
                    toThrow = Messages.connectionLostInBlock(alias, state.lostCause);
                }
            } else if (toThrow == null && !rollbackRequested && !state.needsRollback) {
                if (!outermost) {
                    toThrow = release(state, frame);
                } else {
                    toThrow = commit(state);
                    committed = toThrow == null;
                }
            } else if (!outermost && !frame.ownsSavepoint) {
                // No savepoint to go back to: the enclosing block must roll back (Django's merged blocks).
                state.markForRollback(toThrow);
            } else {
                Throwable swallowed = toThrow == null && !rollbackRequested ? state.rollbackCause : null;
                state.clearRollback();
                if (!outermost) {
                    toThrow = rollbackToSavepoint(state, frame, toThrow);
                } else {
                    toThrow = rollbackTransaction(state, toThrow);
                }
                if (swallowed != null && toThrow == null) {
                    // Beyond Django (which rolls back silently): never let a caller mistake this for a commit.
                    toThrow = Messages.rolledBackAfterSwallowedError(alias, swallowed, savepoints);
                }
            }
        } finally {
            if (outermost || (state.depth == 0 && state.closedInTransaction)) {
                // The outermost block, or the last block of a manual transaction whose connection died.
                toThrow = endTransaction(state, committed, toThrow);
            }
        }
        return toThrow;
    }

    /**
     * Blocks above {@code frame} are scopes that were never closed (or frames an earlier failure,
     * such as a stack overflow, could not pop). They are rolled back, and so is this block: its
     * normal exit would otherwise commit their unfinished work.
     */
    private Throwable closeBlocksLeftOpen(TransactionState state, BlockFrame frame, Throwable error) {
        if (state.top() == frame) {
            return error;
        }
        Throwable leftOpen = Messages.blockLeftOpen(alias, rollBackBlocksAbove(state, frame));
        return error == null ? leftOpen : Failures.combine(error, leftOpen);
    }

    /** Rolls back the blocks open above {@code frame}, innermost first; returns what failed, or null. */
    private Throwable rollBackBlocksAbove(TransactionState state, BlockFrame frame) {
        Throwable failure = null;
        while (state.depth > 0 && state.top() != frame) {
            BlockFrame inner = state.top();
            if (inner.owner instanceof Scope) {
                ((Scope) inner.owner).closed = true;
            }
            failure = Failures.combine(failure, exit(state, inner, null, true));
        }
        return failure;
    }

    private Throwable beforeNormalExit(TransactionState state, BlockFrame frame) {
        try {
            for (Runnable listener : beforeExitListeners) {
                listener.run();
            }
            if (frame.outermost) {
                return state.hooks.runBeforeCommit();
            }
            return null;
        } catch (RuntimeException | Error e) {
            return e;
        }
    }

    private Throwable release(TransactionState state, BlockFrame frame) {
        state.truncateManual(frame.manualMark);
        if (frame.savepoint == null) {
            return null;
        }
        Backend.Session session = state.session;
        try {
            session.releaseSavepoint(frame.savepoint);
            return null;
        } catch (RuntimeException | Error releaseError) {
            // Django: try to undo the block's work; if even that fails, the enclosing block must roll back.
            try {
                session.rollbackToSavepoint(frame.savepoint);
                hooks.discard(state, frame.hookMark, releaseError);
            } catch (RuntimeException | Error rollbackError) {
                releaseError.addSuppressed(rollbackError);
                state.markForRollback(releaseError);
            }
            return releaseError;
        }
    }

    private Throwable commit(TransactionState state) {
        Backend.Session session = state.session;
        if (closed) {
            // close() raced with this block: it may no longer commit anything.
            Throwable refused = Messages.closed(alias);
            return session == null ? refused : rollbackTransaction(state, refused);
        }
        if (session == null) {
            return null;    // the block ran no statement: nothing to commit
        }
        try {
            session.commitBeforeClose();      // endTransaction closes the session next
            return null;
        } catch (RuntimeException | Error commitError) {
            if (!(commitError instanceof CommitOutcomeUnknownException) && !session.isBroken()) {
                try {
                    session.rollback();
                } catch (RuntimeException | Error rollbackError) {
                    commitError.addSuppressed(rollbackError);
                    session.markBroken();
                }
            }
            return commitError;
        }
    }

    private Throwable rollbackToSavepoint(TransactionState state, BlockFrame frame, Throwable toThrow) {
        state.truncateManual(frame.manualMark);
        if (frame.savepoint != null) {
            try {
                state.session.rollbackToAndReleaseSavepoint(frame.savepoint);
            } catch (RuntimeException | Error rollbackError) {
                // Do not mask the original error; the enclosing block must roll back instead.
                state.markForRollback(toThrow != null ? toThrow : rollbackError);
                return Failures.combine(toThrow, rollbackError);
            }
            if (events != null) {
                events.savepointRolledBack(toThrow);
            }
        }
        return hooks.discard(state, frame.hookMark, toThrow);
    }

    private Throwable rollbackTransaction(TransactionState state, Throwable toThrow) {
        Backend.Session session = state.session;
        if (session == null || session.isBroken()) {
            return toThrow;
        }
        try {
            session.rollback();
        } catch (RuntimeException | Error rollbackError) {
            // An error during rollback means that something went wrong with the connection: drop it.
            session.markBroken();
            return Failures.combine(toThrow, rollbackError);
        }
        return toThrow;
    }

    /** Returns the session, resets the state for the next transaction, then runs the hooks that are due. */
    private Throwable endTransaction(TransactionState state, boolean committed, Throwable toThrow) {
        Backend.Session session = state.session;
        state.inAtomicBlock = false;
        reportEnded(state, committed, toThrow);
        HookQueue due = state.endTransaction();
        if (session != null) {
            session.close();
        }
        // The state stays with the thread for its next transaction (frames and hook arrays are reused):
        // dropping it here cost a new state per transaction, measured at 10 % of a one-query transaction on H2.
        if (toThrow instanceof CommitOutcomeUnknownException) {
            // Neither kind of hook: each would claim an outcome nobody knows; the exception says to check the data.
            return toThrow;
        }
        return committed ? due.runCommitHooks(alias, events, toThrow) : due.runRollbackHooks(events, toThrow);
    }

    /** True when a lambda block is open above {@code frame}: a scope cannot end under a body that is still running. */
    boolean lambdaBlockAbove(TransactionState state, BlockFrame frame) {
        for (int i = state.depth - 1; i >= 0 && state.frames[i] != frame; i--) {
            if (!(state.frames[i].owner instanceof Scope)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Rolls back every block still open inside {@code scope} (scopes someone forgot to close),
     * innermost first, then the scope itself. For test frameworks cleaning up after a test, so
     * that one leaked scope does not leave the thread inside a block. Returns what failed, or null.
     */
    public Throwable abandon(AtomicScope scope) {
        Scope outer = (Scope) scope;
        if (outer.closed) {
            return null;
        }
        outer.closed = true;
        // Leaked inner scopes are what abandoning is for: rolled back quietly, not a failure of their own.
        Throwable failure = rollBackBlocksAbove(outer.state, outer.frame);
        failure = Failures.combine(failure, exit(outer.state, outer.frame, null, true));
        if (outer.suspended != null) {
            resume(outer.suspended);
        }
        return failure;
    }

    /** Tells the listener that the current transaction ended; nothing when nobody observes or it was never reported begun. */
    void reportEnded(TransactionState state, boolean committed, Throwable cause) {
        if (events != null && state.begunReported) {
            events.ended(state, committed, state.statements, cause);
        }
    }

    /** The events of this database, or null when nobody observes. */
    public TransactionEvents events() {
        return events;
    }

    /** Registers a listener run before every normal block exit on this database (an ORM's flush). */
    public synchronized void addBeforeExitListener(Runnable listener) {
        Runnable[] current = beforeExitListeners;
        Runnable[] next = java.util.Arrays.copyOf(current, current.length + 1);
        next[current.length] = Objects.requireNonNull(listener, "listener");
        beforeExitListeners = next;
    }

    // ------------------------------------------------------------------ rollback flag

    public boolean getRollback() {
        return stateInBlock().needsRollback;
    }

    public void setRollback(boolean rollback) {
        TransactionState state = stateInBlock();
        state.clearRollback();
        if (rollback) {
            state.markForRollback(null);   // no cause: an explicit request rolls back silently, as in Django
        }
    }

    private TransactionState stateInBlock() {
        TransactionState state = state();
        if (!state.inAtomicBlock) {
            throw Messages.rollbackFlagOutsideBlock(alias);
        }
        return state;
    }

    public <E extends Exception> void markForRollbackOnError(Block<E> body) throws E {
        TransactionState state = state();   // a closed database refuses before the body runs
        try {
            body.run();
        } catch (Throwable error) {
            if (state.inAtomicBlock) {
                state.markForRollback(error);
            }
            throw Failures.<RuntimeException>sneaky(error);
        }
    }

    // ------------------------------------------------------------------ manual savepoints

    public Savepoint savepoint() {
        return manualSavepoints.savepoint(state());
    }

    public void savepointCommit(Savepoint sid) {
        manualSavepoints.commit(state(), sid);
    }

    public void savepointRollback(Savepoint sid) {
        manualSavepoints.rollback(state(), sid);
    }

    public void cleanSavepoints() {
        manualSavepoints.clean(state());
    }

    // ------------------------------------------------------------------ autocommit and manual transactions

    public boolean inAtomicBlock() {
        return state().inAtomicBlock;
    }

    /** Statements this thread has run in its current transaction; 0 outside one. */
    public int statementCount() {
        return state().statements;
    }

    public boolean getAutoCommit() {
        return manualTransactions.getAutoCommit(state());
    }

    public void setAutoCommit(boolean autoCommit) {
        manualTransactions.setAutoCommit(state(), autoCommit);
    }

    /** Commits a manual transaction; a no-op in autocommit, forbidden in a block (Django: commit()). */
    public void commit() {
        manualTransactions.commit(state());
    }

    /** Rolls back a manual transaction; a no-op in autocommit, forbidden in a block (Django: rollback()). */
    public void rollback() {
        manualTransactions.rollback(state());
    }

}
