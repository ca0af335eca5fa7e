package io.atomic4j.internal.engine;

import io.atomic4j.Savepoint;

/** A savepoint taken with {@code Database.savepoint()}; valid while {@link #open}. */
final class ManualSavepoint implements Savepoint {
    final String name;
    final TransactionState state;
    final Backend.Session session;
    /** The block depth it was taken at: it can be rolled back to from that block only. */
    final int depth;
    /** Hook queue size when taken: rolling back to it discards the hooks registered since. */
    final int hookMark;
    boolean open = true;

    ManualSavepoint(String name, TransactionState state, Backend.Session session, int depth, int hookMark) {
        this.name = name;
        this.state = state;
        this.session = session;
        this.depth = depth;
        this.hookMark = hookMark;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String toString() {
        return "Savepoint[" + name + (open ? "" : ", closed") + "]";
    }
}
