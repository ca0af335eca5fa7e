package io.atomic4j.jdbi;

import io.atomic4j.AtomicScope;
import io.atomic4j.Database;
import io.atomic4j.Savepoint;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.HandleCallback;
import org.jdbi.v3.core.transaction.TransactionException;
import org.jdbi.v3.core.transaction.TransactionHandler;
import org.jdbi.v3.core.transaction.TransactionIsolationLevel;

/**
 * The transactions of one JDBI handle: the atomic blocks it opened, innermost first, and its
 * named savepoints. Used by the handle's thread only.
 */
final class HandleTransactions implements TransactionHandler {
    private final Database db;
    /** The blocks opened by begin() and inTransaction(), innermost first. */
    private final Deque<AtomicScope> blocks = new ArrayDeque<>();
    /** Named savepoints, each with the number of blocks open when it was taken (it dies with the innermost). */
    private final Map<String, Named> savepoints = new HashMap<>();

    private record Named(Savepoint savepoint, int depth) {
    }

    HandleTransactions(Database db) {
        this.db = db;
    }

    @Override
    public void begin(Handle handle) {
        blocks.push(db.begin());
    }

    @Override
    public void commit(Handle handle) {
        AtomicScope block = innermost("commit()");
        block.complete();
        block.close();
    }

    @Override
    public void rollback(Handle handle) {
        innermost("rollback()").close();
    }

    /** Takes the innermost block off the stack, with the savepoints taken inside it. */
    private AtomicScope innermost(String call) {
        AtomicScope block = blocks.poll();
        if (block == null) {
            throw new TransactionException(call + " on a JDBI handle of database '" + db.alias()
                    + "' that has no transaction open: call begin() first, or use useTransaction/inTransaction.");
        }
        savepoints.values().removeIf(named -> named.depth() > blocks.size());
        return block;
    }

    /** False, so that Handle.inTransaction always reaches this handler and nests as a savepoint (class doc of AtomicTransactionHandler). */
    @Override
    public boolean isInTransaction(Handle handle) {
        return false;
    }

    @Override
    public void savepoint(Handle handle, String name) {
        Savepoint savepoint = db.savepoint();
        if (savepoint == null) {
            throw new TransactionException("savepoint(\"" + name + "\") on database '" + db.alias()
                    + "' outside a transaction: savepoints exist only inside a block or a JDBI transaction.");
        }
        savepoints.put(name, new Named(savepoint, blocks.size()));
    }

    @Override
    public void rollbackToSavepoint(Handle handle, String name) {
        db.savepointRollback(named(name, "rollbackToSavepoint").savepoint());
    }

    @Override
    public void releaseSavepoint(Handle handle, String name) {
        db.savepointCommit(named(name, "releaseSavepoint").savepoint());
        savepoints.remove(name);
    }

    private Named named(String name, String call) {
        Named named = savepoints.get(name);
        if (named == null) {
            throw new TransactionException(call + "(\"" + name + "\") on database '" + db.alias()
                    + "': no such savepoint on this handle (open: " + savepoints.keySet() + ").");
        }
        return named;
    }

    @Override
    public <R, X extends Exception> R inTransaction(Handle handle, HandleCallback<R, X> callback) throws X {
        return inTransaction(handle, TransactionIsolationLevel.UNKNOWN, callback);
    }

    @Override
    public <R, X extends Exception> R inTransaction(Handle handle, TransactionIsolationLevel level,
            HandleCallback<R, X> callback) throws X {
        AtomicScope block = db.begin(AtomicTransactionHandler.options(level));
        blocks.push(block);
        R result;
        try {
            result = callback.withHandle(handle);
        } catch (Throwable error) {
            try {
                end(block, false);
            } catch (RuntimeException rollbackError) {
                error.addSuppressed(rollbackError);
            }
            throw error;
        }
        end(block, true);
        return result;
    }

    private void end(AtomicScope block, boolean complete) {
        // The callback may have ended the block itself (handle.commit() / rollback()); close() is then a no-op.
        if (blocks.peek() == block) {
            innermost(complete ? "commit()" : "rollback()");
        }
        if (complete) {
            block.complete();
        }
        block.close();
    }

    /** The handle's cleanable: a transaction begun and never ended is rolled back, and the close fails. */
    void closeLeftOpen() {
        if (blocks.isEmpty()) {
            return;
        }
        int open = blocks.size();
        RuntimeException failure = null;
        while (!blocks.isEmpty()) {
            try {
                innermost("close()").close();
            } catch (RuntimeException e) {
                failure = e;
            }
        }
        TransactionException leaked = new TransactionException("A JDBI handle of database '" + db.alias() + "' was closed with "
                + open + " transaction(s) open; they were rolled back. End each begin() with commit() or rollback().");
        if (failure != null) {
            leaked.addSuppressed(failure);
        }
        throw leaked;
    }
}
