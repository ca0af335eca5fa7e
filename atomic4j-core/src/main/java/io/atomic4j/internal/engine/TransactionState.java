package io.atomic4j.internal.engine;

import io.atomic4j.AtomicOptions;
import java.util.ArrayList;

/**
 * One thread's transaction state on one database: Django's "transaction related attributes"
 * of {@code BaseDatabaseWrapper}, each documented here and nowhere else. Confined to its thread,
 * so it needs no locks. Owned and changed only by {@link AtomicBlocks}; the JDBC layer reads it.
 */
public final class TransactionState {
    /**
     * This thread's open transaction on the backend; null until the first statement needs one, and
     * after it ends. The one field another thread reads: close() aborts the sessions it finds here.
     */
    volatile Backend.Session session;
    /** The thread's autocommit flag outside blocks (Django: autocommit). Starts as the database's default; setAutoCommit changes it. */
    boolean autocommit;
    /** True while an atomic block is open, including a manual transaction's blocks (Django: in_atomic_block). */
    boolean inAtomicBlock;
    /**
     * Roll back at the next block that can (Django: needs_rollback). Set by a failed statement, a
     * failed savepoint(false) block, markForRollbackOnError or setRollback(true); cleared by the
     * rollback that undoes the failed work, by savepointRollback after an error, or by setRollback(false).
     */
    boolean needsRollback;
    /** The first error that set needsRollback; null when the mark came from setRollback(true). Becomes the cause of the exit's exception. */
    Throwable rollbackCause;
    /** The connection died inside a block (Django: closed_in_transaction): exits skip all SQL until the outermost one discards it. */
    boolean closedInTransaction;
    /** The error that broke the connection, for the messages of later calls. */
    Throwable lostCause;
    /** A manual transaction (autocommit off, no block) has run statements since its last commit or rollback. */
    boolean dirty;
    /** Statements run in the current transaction (block or manual), for per-request warnings; reset when it ends. */
    int statements;
    /** The outermost block's options, which its session opens with (isolation, read-only, retry); null outside one. */
    AtomicOptions options;
    /** What the front end passed for the outermost block (MongoDB: its transaction options); handed to Backend.begin. */
    Object frontEndSettings;
    /** Open blocks, outermost first; frames[depth..] are spare frames kept for reuse. */
    BlockFrame[] frames = new BlockFrame[8];
    /** Number of open blocks. */
    int depth;
    /** Frames below this index have had their pending savepoint created (lazy savepoints). */
    int savepointsReady;
    /** onCommit and onRollback callbacks of the current transaction, in registration order. */
    final HookQueue hooks = new HookQueue();
    /** Savepoints taken with savepoint() that are still open, oldest first; null until the first. */
    ArrayList<ManualSavepoint> manualSavepoints;
    /** Counter for savepoint names in the current transaction (Django: savepoint_state). */
    int savepointCounter;
    /** The thread that owns this state, for AtomicScope misuse checks. */
    final Thread owner = Thread.currentThread();
    /**
     * An independent block (or a Spring NOT_SUPPORTED scope) has put this transaction aside; the
     * thread works in another state until it is resumed. A connection of this transaction used
     * meanwhile would write into the wrong transaction, so the JDBC layer refuses it.
     */
    boolean suspended;
    /** System.nanoTime() when the current transaction began; kept only while someone observes (TransactionEvents). */
    long beganAt;
    /** The long-transaction watch of the current transaction, cancelled when it ends; null when not watched. */
    java.util.concurrent.ScheduledFuture<?> watch;

    TransactionState(boolean autocommit) {
        this.autocommit = autocommit;
    }

    /** The thread's session if one is open; the JDBC layer hands out its connection. */
    public Backend.Session session() {
        return session;
    }

    /** The error that broke this thread's connection inside a block; null while it is fine. */
    public Throwable lostCause() {
        return lostCause;
    }

    /** True while a block is open on this thread. */
    public boolean inAtomicBlock() {
        return inAtomicBlock;
    }

    /** True when statements run in a transaction bound to the thread: inside a block, or with autocommit off. */
    public boolean bound() {
        return inAtomicBlock || !autocommit;
    }

    /** True while an independent block has put this thread's transaction aside. */
    public boolean suspended() {
        return suspended;
    }

    /** Marks the transaction for rollback at the next block that can undo it; the first cause is kept. */
    void markForRollback(Throwable cause) {
        if (!needsRollback) {
            needsRollback = true;
            rollbackCause = cause;
        }
    }

    /** The failed work was undone (or setRollback(false)): statements may run again. */
    void clearRollback() {
        needsRollback = false;
        rollbackCause = null;
    }

    /**
     * The one end-of-transaction reset (commit, rollback, lost connection, close): everything
     * that belongs to one transaction goes; the thread's autocommit flag and open blocks stay.
     * Returns the hooks that were queued, for the caller to run or drop.
     */
    HookQueue endTransaction() {
        session = null;
        clearRollback();
        closedInTransaction = false;
        lostCause = null;
        dirty = false;
        statements = 0;
        options = null;
        frontEndSettings = null;
        savepointCounter = 0;
        truncateManual(0);
        return hooks.splitFrom(0);
    }

    /** Nothing of this state outlives it: no session, no block, no hook, the default autocommit. */
    boolean isIdle(boolean defaultAutoCommit) {
        return session == null && depth == 0 && hooks.size() == 0 && autocommit == defaultAutoCommit && !suspended;
    }

    BlockFrame push() {
        if (depth == frames.length) {
            frames = java.util.Arrays.copyOf(frames, depth * 2);
        }
        BlockFrame frame = frames[depth];
        if (frame == null) {
            frame = new BlockFrame();
            frames[depth] = frame;
        }
        depth++;
        return frame;
    }

    BlockFrame top() {
        return depth == 0 ? null : frames[depth - 1];
    }

    /** True when every open block is a test framework's block: code under test then behaves as at top level. */
    boolean onlyTestBlocksOpen() {
        for (int i = 0; i < depth; i++) {
            if (!frames[i].testBoundary) {
                return false;
            }
        }
        return true;
    }

    int manualCount() {
        return manualSavepoints == null ? 0 : manualSavepoints.size();
    }

    void truncateManual(int count) {
        if (manualSavepoints != null) {
            for (int i = manualSavepoints.size() - 1; i >= count; i--) {
                manualSavepoints.remove(i).open = false;
            }
        }
    }
}
