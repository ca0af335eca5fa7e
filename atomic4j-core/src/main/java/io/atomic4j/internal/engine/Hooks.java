package io.atomic4j.internal.engine;

import io.atomic4j.internal.errors.Messages;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Registering callbacks (Django: {@code on_commit}; beyond Django: {@code beforeCommit} and
 * {@code onRollback}) and what happens to them when the work they belong to is undone. When they
 * run is {@link HookQueue}'s part; the queue itself is the thread's {@link TransactionState#hooks}.
 */
public final class Hooks {
    private final AtomicBlocks blocks;

    Hooks(AtomicBlocks blocks) {
        this.blocks = blocks;
    }

    /** Queues {@code callback} for after the outermost commit; outside a block (autocommit) runs it now. */
    public void onCommit(Runnable callback, boolean robust) {
        Objects.requireNonNull(callback, "onCommit() needs a callback, got null");
        TransactionState state = blocks.state();
        if (!state.inAtomicBlock) {
            if (!state.autocommit) {
                throw Messages.onCommitInManualMode(blocks.alias(), "onCommit()");
            }
            // No transaction: the work is already committed, so the callback runs now.
            if (robust) {
                HookQueue.runRobust(callback, blocks.alias(), blocks.events(), false);
            } else {
                callback.run();
            }
            return;
        }
        state.hooks.add(callback, robust ? HookQueue.ON_COMMIT_ROBUST : HookQueue.ON_COMMIT);
    }

    /** Queues {@code callback} for after the work it belongs to is rolled back; dropped in autocommit. */
    public void onRollback(Runnable callback) {
        Objects.requireNonNull(callback, "onRollback() needs a callback, got null");
        TransactionState state = blocks.state();
        if (!state.inAtomicBlock) {
            if (!state.autocommit) {
                throw Messages.onCommitInManualMode(blocks.alias(), "onRollback()");
            }
            return;   // autocommit: the work is committed already and can never be rolled back
        }
        state.hooks.add(callback, HookQueue.ON_ROLLBACK);
    }

    /** Queues {@code callback} for just before the outermost commit, inside the transaction; refused outside a block. */
    public void beforeCommit(Runnable callback) {
        Objects.requireNonNull(callback, "beforeCommit() needs a callback, got null");
        TransactionState state = blocks.state();
        if (!state.inAtomicBlock) {
            throw Messages.beforeCommitOutsideBlock(blocks.alias());
        }
        state.hooks.add(callback, HookQueue.BEFORE_COMMIT);
    }

    /** Drops the hooks registered since {@code mark}, running their onRollback callbacks newest first. */
    Throwable discard(TransactionState state, int mark, Throwable toThrow) {
        if (state.hooks.size() <= mark) {
            return toThrow;
        }
        return state.hooks.splitFrom(mark).runRollbackHooks(blocks.events(), toThrow);
    }

    /** Index of the next hook to be registered, for test capture of callbacks (Django: captureOnCommitCallbacks). */
    public int mark() {
        return blocks.state().hooks.size();
    }

    /** An onCommit callback still queued in the current transaction. */
    public record QueuedHook(Runnable callback, boolean robust) {
    }

    /** The onCommit callbacks registered since {@code mark} that are still queued, in order. */
    public List<QueuedHook> commitHooksSince(int mark) {
        HookQueue hooks = blocks.state().hooks;
        List<QueuedHook> result = new ArrayList<>();
        for (int i = mark; i < hooks.size(); i++) {
            byte kind = hooks.kind(i);
            if (kind == HookQueue.ON_COMMIT || kind == HookQueue.ON_COMMIT_ROBUST) {
                result.add(new QueuedHook(hooks.callback(i), kind == HookQueue.ON_COMMIT_ROBUST));
            }
        }
        return result;
    }
}
