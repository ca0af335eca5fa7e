package io.atomic4j.internal.engine;

import io.atomic4j.AtomicOptions;
import io.atomic4j.AtomicScope;
import io.atomic4j.Block;
import io.atomic4j.CommitOutcomeUnknownException;
import io.atomic4j.Result;
import io.atomic4j.RetryPolicy;
import io.atomic4j.Savepoint;
import io.atomic4j.internal.errors.Messages;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Django's {@code Atomic.__enter__/__exit__} and the transaction functions of
 * {@code django.db.transaction}, over any {@link Backend}. Every form of block (lambda,
 * {@link AtomicScope}, {@code @Atomic} proxy, per-request filter, test extension, MongoDB) goes
 * through {@link #enter} and {@link #exit}: there is one enter/exit path.
 *
 * <p>Thread-safe: all mutable state is in the calling thread's {@link TransactionState}.
 */
public final class AtomicBlocks {
    private static final Logger log = LoggerFactory.getLogger(AtomicBlocks.class);

    private final Backend backend;
    private final String alias;
    private final boolean defaultAutoCommit;
    private final boolean savepoints;
    private final ThreadLocal<TransactionState> states = new ThreadLocal<>();
    private volatile boolean closed;

    public AtomicBlocks(Backend backend, boolean defaultAutoCommit) {
        this.backend = backend;
        this.alias = backend.alias();
        this.defaultAutoCommit = defaultAutoCommit;
        this.savepoints = backend.supportsSavepoints();
    }

    public String alias() {
        return alias;
    }

    /** Refuses every later use with an IllegalStateException naming the alias. */
    public void markClosed() {
        closed = true;
    }

    public boolean isClosed() {
        return closed;
    }

    public void checkOpen() {
        if (closed) {
            throw Messages.closed(alias);
        }
    }

    /** The calling thread's state, created on first use. */
    public TransactionState state() {
        checkOpen();
        TransactionState state = states.get();
        if (state == null) {
            state = new TransactionState(defaultAutoCommit);
            states.set(state);
        }
        return state;
    }

    // ------------------------------------------------------------------ blocks

    public <T, E extends Exception> T run(AtomicOptions options, Result<T, E> body) throws E {
        TransactionState state = state();
        RetryPolicy retry = options.retry();
        if (retry.maxAttempts() > 1) {
            if (!state.inAtomicBlock) {
                return runWithRetry(state, options, retry, body);
            }
            if (!state.onlyTestBlocksOpen()) {
                throw Messages.retryNested(alias);
            }
            // Inside a test's rolled-back block a retry cannot re-run anything: run once.
        }
        return runOnce(state, options, body);
    }

    private <T, E extends Exception> T runOnce(TransactionState state, AtomicOptions options, Result<T, E> body) throws E {
        BlockFrame frame = enter(state, options, false);
        T value;
        try {
            value = body.call();
        } catch (Throwable error) {
            throw AtomicBlocks.<RuntimeException>sneaky(exit(state, frame, error, false));
        }
        Throwable failure = exit(state, frame, null, false);
        if (failure != null) {
            throw AtomicBlocks.<RuntimeException>sneaky(failure);
        }
        return value;
    }

    private <T, E extends Exception> T runWithRetry(TransactionState state, AtomicOptions options, RetryPolicy retry,
                                                    Result<T, E> body) throws E {
        List<Throwable> earlier = null;
        for (int attempt = 1; ; attempt++) {
            try {
                return runOnce(state, options, body);
            } catch (Throwable error) {
                if (attempt >= retry.maxAttempts() || !isRetryable(error) || !backoff(retry, attempt, error)) {
                    if (earlier != null) {
                        for (Throwable previous : earlier) {
                            if (previous != error) {
                                error.addSuppressed(previous);
                            }
                        }
                    }
                    throw AtomicBlocks.<RuntimeException>sneaky(error);
                }
                if (earlier == null) {
                    earlier = new ArrayList<>(retry.maxAttempts());
                }
                earlier.add(error);
                if (log.isDebugEnabled()) {
                    log.debug("Atomic block on '{}' failed with a transient error (attempt {} of {}), retrying: {}",
                            alias, attempt, retry.maxAttempts(), error.toString());
                }
            }
        }
    }

    private boolean isRetryable(Throwable error) {
        for (Throwable current = error; current != null; current = current.getCause()) {
            if (current instanceof CommitOutcomeUnknownException) {
                return false;
            }
        }
        return backend.isTransient(error);
    }

    /**
     * Waits before the next attempt; false if the thread was interrupted meanwhile. Then no more
     * attempts are made and {@code error} is rethrown as if they were exhausted, with the
     * interruption suppressed on it and the thread's interrupt flag set again.
     */
    private boolean backoff(RetryPolicy retry, int attempt, Throwable error) {
        InterruptedException interrupted = sleepBeforeAttempt(retry, attempt);
        if (interrupted == null) {
            return true;
        }
        error.addSuppressed(interrupted);
        return false;
    }

    /** Waits before attempt {@code attempt + 1}: exponential backoff from the policy's first wait, capped, with full jitter. */
    public void backoff(RetryPolicy retry, int attempt) {
        InterruptedException interrupted = sleepBeforeAttempt(retry, attempt);
        if (interrupted != null) {
            throw Messages.retryInterrupted(alias, interrupted);
        }
    }

    /** Sleeps the jittered wait; returns the interruption (the flag set again) or null. */
    private static InterruptedException sleepBeforeAttempt(RetryPolicy retry, int attempt) {
        long cap = backoffCap(retry.firstBackoff().toNanos(), retry.maxBackoff().toNanos(), attempt);
        if (cap <= 0) {
            return null;
        }
        long wait = ThreadLocalRandom.current().nextLong(cap + 1);   // full jitter
        try {
            TimeUnit.NANOSECONDS.sleep(wait);
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return e;
        }
    }

    /** The longest wait before attempt {@code attempt + 1}: {@code first} doubled per failed attempt, at most {@code max}. */
    static long backoffCap(long first, long max, int attempt) {
        int doublings = Math.min(attempt - 1, 62);
        // Compare before shifting: first << doublings overflows (to a negative wait, i.e. none) for long waits.
        return first > (max >> doublings) ? max : Math.min(max, first << doublings);
    }

    /** The {@code begin()} form: a scope whose close() exits the block. */
    public AtomicScope begin(AtomicOptions options, boolean testBoundary) {
        TransactionState state = state();
        if (options.retry().maxAttempts() > 1) {
            throw Messages.retryNeedsLambda(alias);
        }
        BlockFrame frame = enter(state, options, testBoundary);
        Scope scope = new Scope(state, frame);
        frame.owner = scope;
        return scope;
    }

    /**
     * Opens a block (Django: Atomic.__enter__). Nested blocks only note that they want a
     * savepoint; it is created just before the first statement inside them.
     */
    BlockFrame enter(TransactionState state, AtomicOptions options, boolean testBoundary) {
        if (options.durable() && state.depth > 0 && !state.top().testBoundary) {
            throw Messages.durableNested(alias);
        }
        boolean outermost;
        if (!state.inAtomicBlock) {
            state.needsRollback = false;
            state.rollbackCause = null;
            // With autocommit off the user owns the transaction: the block behaves as nested in it and never commits.
            outermost = state.autocommit;
            state.inAtomicBlock = true;
            if (outermost) {
                state.isolation = options.isolation();
                state.readOnly = options.readOnly();
            } else if (options.isolation() != null || options.readOnly()) {
                state.inAtomicBlock = false;
                throw Messages.outermostOnly(alias, options.isolation() != null ? "isolation(...)" : "readOnly(true)");
            }
        } else {
            outermost = false;
            if ((options.isolation() != null || options.readOnly()) && !state.onlyTestBlocksOpen()) {
                throw Messages.outermostOnly(alias, options.isolation() != null ? "isolation(...)" : "readOnly(true)");
            }
        }
        // The second condition avoids useless savepoints and keeps needsRollback set until the block that can undo it exits.
        boolean ownsSavepoint = !outermost && options.savepoint() && savepoints && !state.needsRollback;
        BlockFrame frame = state.push();
        frame.reset(outermost, ownsSavepoint, options.durable(), testBoundary, state.hooks.size(), state.manualCount());
        return frame;
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
        Throwable toThrow = error;
        boolean committed = false;
        try {
            if (state.closedInTransaction) {
                // The server already rolled back; wait for the outermost block to drop the connection.
                if (toThrow == null) {
                    toThrow = Messages.connectionLostInBlock(alias, state.lostCause);
                }
            } else if (error == null && !rollbackRequested && !state.needsRollback) {
                if (!outermost) {
                    toThrow = release(state, frame);
                } else {
                    toThrow = commit(state);
                    committed = toThrow == null;
                }
            } else if (!outermost && !frame.ownsSavepoint) {
                // No savepoint to go back to: the enclosing block must roll back (Django's merged blocks).
                state.needsRollback = true;
                if (state.rollbackCause == null) {
                    state.rollbackCause = error;
                }
            } else {
                Throwable swallowed = error == null && !rollbackRequested ? state.rollbackCause : null;
                state.needsRollback = false;
                state.rollbackCause = null;
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
            if (outermost) {
                toThrow = endTransaction(state, committed, toThrow);
            } else if (state.depth == 0 && state.closedInTransaction) {
                // The last block of a manual transaction whose connection died: drop it, start afresh next time.
                toThrow = endTransaction(state, false, toThrow);
            }
        }
        return toThrow;
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
        } catch (RuntimeException releaseError) {
            // Django: try to undo the block's work; if even that fails, the enclosing block must roll back.
            try {
                session.rollbackToSavepoint(frame.savepoint);
                discardHooks(state, frame.hookMark, releaseError);
            } catch (RuntimeException rollbackError) {
                releaseError.addSuppressed(rollbackError);
                state.needsRollback = true;
                state.rollbackCause = releaseError;
            }
            return releaseError;
        }
    }

    private Throwable commit(TransactionState state) {
        Backend.Session session = state.session;
        if (session == null) {
            return null;    // the block ran no statement: nothing to commit
        }
        try {
            session.commitBeforeClose();      // endTransaction closes the session next
            return null;
        } catch (RuntimeException commitError) {
            if (!(commitError instanceof CommitOutcomeUnknownException) && !session.isBroken()) {
                try {
                    session.rollback();
                } catch (RuntimeException rollbackError) {
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
            Backend.Session session = state.session;
            try {
                session.rollbackToAndReleaseSavepoint(frame.savepoint);
            } catch (RuntimeException rollbackError) {
                // Do not mask the original error; the enclosing block must roll back instead.
                state.needsRollback = true;
                state.rollbackCause = toThrow != null ? toThrow : rollbackError;
                if (toThrow == null) {
                    return rollbackError;
                }
                toThrow.addSuppressed(rollbackError);
                return toThrow;
            }
        }
        return discardHooks(state, frame.hookMark, toThrow);
    }

    private Throwable rollbackTransaction(TransactionState state, Throwable toThrow) {
        Backend.Session session = state.session;
        if (session == null || session.isBroken()) {
            return toThrow;
        }
        try {
            session.rollback();
        } catch (RuntimeException rollbackError) {
            // An error during rollback means that something went wrong with the connection: drop it.
            session.markBroken();
            if (toThrow == null) {
                return rollbackError;
            }
            toThrow.addSuppressed(rollbackError);
        }
        return toThrow;
    }

    /** Returns the session, resets the state for the next transaction, then runs the hooks that are due. */
    private Throwable endTransaction(TransactionState state, boolean committed, Throwable toThrow) {
        Backend.Session session = state.session;
        state.session = null;
        state.inAtomicBlock = false;
        state.needsRollback = false;
        state.rollbackCause = null;
        state.closedInTransaction = false;
        state.lostCause = null;
        state.dirty = false;
        state.statements = 0;
        state.isolation = null;
        state.readOnly = false;
        state.savepointCounter = 0;
        state.truncateManual(0);
        HookQueue hooks = state.hooks.splitFrom(0);
        if (session != null) {
            session.close();
        }
        if (toThrow instanceof CommitOutcomeUnknownException) {
            // Neither kind of hook: each would claim an outcome nobody knows; the exception says to check the data.
            return toThrow;
        }
        return committed ? runCommitHooks(hooks, toThrow) : runRollbackHooks(hooks, toThrow);
    }

    // ------------------------------------------------------------------ statements

    /**
     * Called before every statement on a bound connection (Django: validate_no_broken_transaction,
     * plus lazy savepoints). The hot path is three field reads.
     */
    public void beforeStatement(TransactionState state) {
        if (state.closedInTransaction) {
            throw Messages.connectionLostInBlock(alias, state.lostCause);
        }
        if (state.needsRollback) {
            throw Messages.brokenTransaction(alias, state.rollbackCause, savepoints);
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
                try {
                    session.savepoint(name);
                } catch (RuntimeException e) {
                    statementFailed(state, e, session.isBroken());
                    throw e;
                }
                frame.savepoint = name;
            }
            state.savepointsReady = i + 1;
        }
    }

    private static String nextSavepointName(TransactionState state) {
        return "a4j_sp" + (++state.savepointCounter);
    }

    /**
     * The one place a failed statement is interpreted (the caller rethrows the driver's error):
     * inside a block it marks the innermost block that can roll back; a lost connection ends all
     * further work on it.
     */
    public void statementFailed(TransactionState state, Throwable error, boolean connectionLost) {
        if (state.inAtomicBlock && !state.needsRollback) {
            state.needsRollback = true;
            state.rollbackCause = error;
        }
        if (connectionLost && state.session != null) {
            state.session.markBroken();
            if (state.inAtomicBlock) {
                state.closedInTransaction = true;
                state.lostCause = error;
            } else {
                // A manual transaction lost its connection: it is gone; the next statement starts afresh.
                Backend.Session session = state.session;
                state.session = null;
                state.dirty = false;
                state.truncateManual(0);
                session.close();
                Throwable hookFailure = runRollbackHooks(state.hooks.splitFrom(0), null);
                if (hookFailure != null) {
                    error.addSuppressed(hookFailure);   // the caller rethrows error
                }
            }
        }
    }

    /** This thread's session, opened (and its transaction begun) on first need. */
    public Backend.Session session(TransactionState state) {
        Backend.Session session = state.session;
        if (session == null) {
            if (state.closedInTransaction) {
                throw Messages.connectionLostInBlock(alias, state.lostCause);
            }
            session = backend.begin(state.isolation, state.readOnly);
            state.session = session;
        }
        return session;
    }

    // ------------------------------------------------------------------ hooks

    public void onCommit(Runnable callback, boolean robust) {
        Objects.requireNonNull(callback, "onCommit() needs a callback, got null");
        TransactionState state = state();
        if (!state.inAtomicBlock) {
            if (!state.autocommit) {
                throw Messages.onCommitInManualMode(alias, "onCommit()");
            }
            // No transaction: the work is already committed, so the callback runs now.
            if (robust) {
                runRobust(callback, false);
            } else {
                callback.run();
            }
            return;
        }
        state.hooks.add(callback, robust ? HookQueue.ON_COMMIT_ROBUST : HookQueue.ON_COMMIT);
    }

    public void onRollback(Runnable callback) {
        Objects.requireNonNull(callback, "onRollback() needs a callback, got null");
        TransactionState state = state();
        if (!state.inAtomicBlock) {
            if (!state.autocommit) {
                throw Messages.onCommitInManualMode(alias, "onRollback()");
            }
            return;   // autocommit: the work is committed already and can never be rolled back
        }
        state.hooks.add(callback, HookQueue.ON_ROLLBACK);
    }

    /** Drops the hooks registered since {@code mark}, running their onRollback callbacks newest first. */
    private Throwable discardHooks(TransactionState state, int mark, Throwable toThrow) {
        if (state.hooks.size() <= mark) {
            return toThrow;
        }
        return runRollbackHooks(state.hooks.splitFrom(mark), toThrow);
    }

    private Throwable runCommitHooks(HookQueue hooks, Throwable toThrow) {
        for (int i = 0; i < hooks.size(); i++) {
            byte kind = hooks.kind(i);
            if (kind == HookQueue.ON_COMMIT_ROBUST) {
                runRobust(hooks.callback(i), true);
            } else if (kind == HookQueue.ON_COMMIT) {
                try {
                    hooks.callback(i).run();
                } catch (RuntimeException | Error e) {
                    // The data is committed; the failure surfaces from the block and the remaining hooks are dropped.
                    if (toThrow == null) {
                        return e;
                    }
                    toThrow.addSuppressed(e);
                    return toThrow;
                }
            }
        }
        return toThrow;
    }

    private Throwable runRollbackHooks(HookQueue hooks, Throwable toThrow) {
        for (int i = hooks.size() - 1; i >= 0; i--) {
            if (hooks.kind(i) == HookQueue.ON_ROLLBACK) {
                try {
                    hooks.callback(i).run();
                } catch (RuntimeException | Error e) {
                    if (toThrow == null) {
                        toThrow = e;
                    } else {
                        toThrow.addSuppressed(e);
                    }
                }
            }
        }
        return toThrow;
    }

    private void runRobust(Runnable callback, boolean afterTransaction) {
        try {
            callback.run();
        } catch (Exception e) {
            log.error("Error calling {} in onCommit(){} on database '{}'", callback,
                    afterTransaction ? " during transaction" : "", alias, e);
        }
    }

    /** Index of the next hook to be registered, for test capture of callbacks (Django: captureOnCommitCallbacks). */
    public int hookMark() {
        return state().hooks.size();
    }

    /** An onCommit callback still queued in the current transaction. */
    public record QueuedHook(Runnable callback, boolean robust) {
    }

    /** The onCommit callbacks registered since {@code mark} that are still queued, in order. */
    public List<QueuedHook> commitHooksSince(int mark) {
        HookQueue hooks = state().hooks;
        List<QueuedHook> result = new ArrayList<>();
        for (int i = mark; i < hooks.size(); i++) {
            if (hooks.kind(i) != HookQueue.ON_ROLLBACK) {
                result.add(new QueuedHook(hooks.callback(i), hooks.kind(i) == HookQueue.ON_COMMIT_ROBUST));
            }
        }
        return result;
    }

    // ------------------------------------------------------------------ rollback flag

    public boolean getRollback() {
        TransactionState state = state();
        if (!state.inAtomicBlock) {
            throw Messages.rollbackFlagOutsideBlock(alias);
        }
        return state.needsRollback;
    }

    public void setRollback(boolean rollback) {
        TransactionState state = state();
        if (!state.inAtomicBlock) {
            throw Messages.rollbackFlagOutsideBlock(alias);
        }
        state.needsRollback = rollback;
        state.rollbackCause = null;   // an explicit request rolls back silently, as in Django
    }

    public <E extends Exception> void markForRollbackOnError(Block<E> body) throws E {
        try {
            body.run();
        } catch (Throwable error) {
            TransactionState state = state();
            if (state.inAtomicBlock && !state.needsRollback) {
                state.needsRollback = true;
                state.rollbackCause = error;
            }
            throw AtomicBlocks.<RuntimeException>sneaky(error);
        }
    }

    // ------------------------------------------------------------------ manual savepoints

    public Savepoint savepoint() {
        TransactionState state = state();
        if (!state.inAtomicBlock && state.autocommit) {
            return null;    // Django returns None: there is no transaction to take a savepoint in
        }
        Backend.Session session = session(state);
        beforeStatement(state);
        String name = nextSavepointName(state);
        try {
            session.savepoint(name);
        } catch (RuntimeException e) {
            statementFailed(state, e, session.isBroken());
            throw e;
        }
        ManualSavepoint savepoint = new ManualSavepoint(name, state, session, state.depth, state.hooks.size());
        if (state.manualSavepoints == null) {
            state.manualSavepoints = new ArrayList<>(4);
        }
        state.manualSavepoints.add(savepoint);
        return savepoint;
    }

    public void savepointCommit(Savepoint sid) {
        TransactionState state = state();
        if (sid == null || (!state.inAtomicBlock && state.autocommit)) {
            return;
        }
        ManualSavepoint savepoint = validate(state, sid);
        beforeStatement(state);
        int index = state.manualSavepoints.indexOf(savepoint);
        try {
            savepoint.session.releaseSavepoint(savepoint.name);
        } catch (RuntimeException e) {
            statementFailed(state, e, savepoint.session.isBroken());
            throw e;
        }
        state.truncateManual(index);
    }

    public void savepointRollback(Savepoint sid) {
        TransactionState state = state();
        if (sid == null || (!state.inAtomicBlock && state.autocommit)) {
            return;
        }
        ManualSavepoint savepoint = validate(state, sid);
        if (state.closedInTransaction) {
            throw Messages.connectionLostInBlock(alias, state.lostCause);
        }
        // Beyond Django: allowed while the block is marked for rollback; it undoes the failed work.
        try {
            savepoint.session.rollbackToSavepoint(savepoint.name);
        } catch (RuntimeException e) {
            statementFailed(state, e, savepoint.session.isBroken());
            throw e;
        }
        state.truncateManual(state.manualSavepoints.indexOf(savepoint) + 1);
        if (state.needsRollback && state.rollbackCause != null) {
            state.needsRollback = false;
            state.rollbackCause = null;
        }
        Throwable hookFailure = discardHooks(state, savepoint.hookMark, null);
        if (hookFailure != null) {
            throw AtomicBlocks.<RuntimeException>sneaky(hookFailure);
        }
    }

    private ManualSavepoint validate(TransactionState state, Savepoint sid) {
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

    public void cleanSavepoints() {
        TransactionState state = state();
        // Names still in use must never be reused, so the counter only restarts when none is open.
        if (state.manualCount() == 0 && state.savepointsReady == 0) {
            state.savepointCounter = 0;
        }
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
        TransactionState state = state();
        return !state.inAtomicBlock && state.autocommit;
    }

    public void setAutoCommit(boolean autoCommit) {
        TransactionState state = state();
        if (state.inAtomicBlock) {
            throw Messages.forbiddenInBlock(alias, "setAutoCommit()");
        }
        if (autoCommit == state.autocommit) {
            return;
        }
        if (autoCommit) {
            Backend.Session session = state.session;
            if (session != null) {
                if (state.dirty) {
                    throw Messages.autocommitWithPendingWork(alias);
                }
                state.session = null;
                session.close();
            }
            state.hooks.splitFrom(0);
            state.truncateManual(0);
        }
        state.autocommit = autoCommit;
    }

    /** Commits a manual transaction; a no-op in autocommit, forbidden in a block (Django: commit()). */
    public void commit() {
        TransactionState state = state();
        if (state.inAtomicBlock) {
            throw Messages.forbiddenInBlock(alias, "commit()");
        }
        if (state.autocommit) {
            return;
        }
        if (state.session != null) {
            state.session.commit();
        }
        state.dirty = false;
        state.statements = 0;
        state.truncateManual(0);
        // Departure from Django (which waits for setAutoCommit(true)): hooks run right after the commit.
        Throwable failure = runCommitHooks(state.hooks.splitFrom(0), null);
        if (failure != null) {
            throw AtomicBlocks.<RuntimeException>sneaky(failure);
        }
    }

    /** Rolls back a manual transaction; a no-op in autocommit, forbidden in a block (Django: rollback()). */
    public void rollback() {
        TransactionState state = state();
        if (state.inAtomicBlock) {
            throw Messages.forbiddenInBlock(alias, "rollback()");
        }
        if (state.autocommit) {
            return;
        }
        Throwable failure = null;
        try {
            if (state.session != null && !state.session.isBroken()) {
                state.session.rollback();
            }
        } finally {
            state.needsRollback = false;
            state.rollbackCause = null;
            state.dirty = false;
            state.statements = 0;
            state.truncateManual(0);
            failure = runRollbackHooks(state.hooks.splitFrom(0), null);
        }
        if (failure != null) {
            throw AtomicBlocks.<RuntimeException>sneaky(failure);
        }
    }

    @SuppressWarnings("unchecked")
    static <T extends Throwable> T sneaky(Throwable error) throws T {
        throw (T) error;
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
        TransactionState state = outer.state;
        Throwable failure = null;
        while (state.depth > 0 && state.top() != outer.frame) {
            BlockFrame inner = state.top();
            if (inner.owner instanceof Scope) {
                ((Scope) inner.owner).closed = true;
            }
            failure = addFailure(failure, exit(state, inner, null, true));
        }
        outer.closed = true;
        return addFailure(failure, exit(state, outer.frame, null, true));
    }

    private static Throwable addFailure(Throwable failure, Throwable more) {
        if (failure == null) {
            return more;
        }
        if (more != null && more != failure) {
            failure.addSuppressed(more);
        }
        return failure;
    }

    /** An {@link AtomicScope}: the try-with-resources form of a block. */
    private final class Scope implements AtomicScope {
        private final TransactionState state;
        private final BlockFrame frame;
        private boolean complete;
        private boolean closed;

        Scope(TransactionState state, BlockFrame frame) {
            this.state = state;
            this.frame = frame;
        }

        @Override
        public void complete() {
            complete = true;
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            if (Thread.currentThread() != state.owner) {
                throw Messages.scopeWrongThread(alias);
            }
            if (state.top() != frame || frame.owner != this) {
                throw Messages.scopeOutOfOrder(alias);
            }
            closed = true;
            Throwable failure = exit(state, frame, null, !complete);
            if (failure != null) {
                throw AtomicBlocks.<RuntimeException>sneaky(failure);
            }
        }
    }
}
