package io.atomic4j.internal.engine;

import io.atomic4j.AtomicScope;
import io.atomic4j.internal.errors.Messages;

/** An {@link AtomicScope}: the try-with-resources form of a block. Its close() is the block's exit. */
final class Scope implements AtomicScope {
    private final AtomicBlocks blocks;
    final TransactionState state;
    final BlockFrame frame;
    /** The thread's transaction that an independent scope put aside; resumed when this scope closes. */
    final TransactionState suspended;
    private boolean complete;
    boolean closed;

    Scope(AtomicBlocks blocks, TransactionState state, BlockFrame frame, TransactionState suspended) {
        this.blocks = blocks;
        this.state = state;
        this.frame = frame;
        this.suspended = suspended;
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
            throw Messages.scopeWrongThread(blocks.alias());
        }
        if (blocks.lambdaBlockAbove(state, frame)) {
            throw Messages.scopeOutOfOrder(blocks.alias());
        }
        closed = true;
        Throwable failure;
        try {
            failure = blocks.exit(state, frame, null, !complete);
        } finally {
            if (suspended != null) {
                blocks.resume(suspended);
            }
        }
        if (failure != null) {
            throw Failures.<RuntimeException>sneaky(failure);
        }
    }
}
