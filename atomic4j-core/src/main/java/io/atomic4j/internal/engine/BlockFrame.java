package io.atomic4j.internal.engine;

/**
 * One open atomic block on a thread. Frames live in {@link TransactionState#frames} and are
 * reused from block to block, so entering a block allocates nothing.
 */
final class BlockFrame {
    /** This block started the transaction and commits it on exit (Django: commit_on_exit on the outermost block). */
    boolean outermost;
    /**
     * This nested block can roll back on its own: it asked for a savepoint, the backend has them,
     * and the transaction was not already marked for rollback when it was entered. The savepoint
     * itself is created lazily, just before the first statement inside the block.
     */
    boolean ownsSavepoint;
    /** The savepoint's SQL name once it exists on the server; null while it is still pending. */
    String savepoint;
    /** Refuses to be nested (Django durable=True). */
    boolean durable;
    /** A test framework's block (Django's _from_testcase): durable blocks may open directly inside it. */
    boolean testBoundary;
    /** Size of the hook queue when the block was entered: hooks past it were registered inside the block. */
    int hookMark;
    /** Number of manual savepoints open when the block was entered: later ones die with the block. */
    int manualMark;
    /** Set by the AtomicScope form when the scope is closed, to catch out-of-order closing. */
    Object owner;

    void reset(boolean outermost, boolean ownsSavepoint, boolean durable, boolean testBoundary, int hookMark, int manualMark) {
        this.outermost = outermost;
        this.ownsSavepoint = ownsSavepoint;
        this.savepoint = null;
        this.durable = durable;
        this.testBoundary = testBoundary;
        this.hookMark = hookMark;
        this.manualMark = manualMark;
        this.owner = null;
    }
}
