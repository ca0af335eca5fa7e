package io.atomic4j.spring;

import io.atomic4j.AtomicScope;
import io.atomic4j.internal.engine.AtomicBlocks;
import io.atomic4j.internal.engine.TransactionState;
import io.atomic4j.Savepoint;
import org.springframework.transaction.SavepointManager;
import org.springframework.transaction.support.AbstractTransactionStatus;

/**
 * One {@code getTransaction} call's result: which atomic4j block (if any) it opened, and what it
 * put aside. Extends Spring's {@link AbstractTransactionStatus} for the local rollback-only flag
 * and the completed flag; savepoints are atomic4j's blocks, never Spring's.
 */
final class AtomicTransactionStatus extends AbstractTransactionStatus {
    /** What this status stands for, decided by propagation and whether a block was open. */
    enum Kind {
        /** A new outermost block: REQUIRED/NESTED with no block open, or REQUIRES_NEW. */
        NEW,
        /** A nested block (a lazy savepoint) inside the open one: NESTED. */
        NESTED,
        /** Part of the open block, with nothing of its own: REQUIRED, SUPPORTS, MANDATORY inside a block. */
        JOINED,
        /** No transaction: SUPPORTS, NOT_SUPPORTED or NEVER, with synchronizations of its own. */
        EMPTY
    }

    private final AtomicBlocks engine;
    final Kind kind;
    final String name;
    final boolean readOnly;
    /** The block this status opened (NEW, NESTED); null otherwise. */
    final AtomicScope scope;
    /** Spring's state for a transaction this status started (NEW), or for an EMPTY one with new synchronization. */
    SpringSynchronizations synchronizations;
    /** EMPTY only: this status initialised Spring's synchronization and must trigger and clear it. */
    final boolean newEmptySynchronization;
    /** The atomic4j transaction NOT_SUPPORTED put aside; REQUIRES_NEW's is kept by its scope. */
    final TransactionState suspendedTransaction;
    /** Spring's state (synchronizations, bound holders) put aside for REQUIRES_NEW or NOT_SUPPORTED. */
    final SuspendedSpringState suspendedSpring;

    AtomicTransactionStatus(AtomicBlocks engine, Kind kind, String name, boolean readOnly, AtomicScope scope,
                            boolean newEmptySynchronization, TransactionState suspendedTransaction,
                            SuspendedSpringState suspendedSpring) {
        this.engine = engine;
        this.kind = kind;
        this.name = name;
        this.readOnly = readOnly;
        this.scope = scope;
        this.newEmptySynchronization = newEmptySynchronization;
        this.suspendedTransaction = suspendedTransaction;
        this.suspendedSpring = suspendedSpring;
    }

    @Override
    public boolean hasTransaction() {
        return kind != Kind.EMPTY;
    }

    @Override
    public boolean isNewTransaction() {
        return kind == Kind.NEW;
    }

    @Override
    public boolean hasSavepoint() {
        return kind == Kind.NESTED;
    }

    /** Spring's global rollback-only is the atomic4j transaction's own rollback mark (Database.getRollback()). */
    @Override
    public boolean isGlobalRollbackOnly() {
        return kind != Kind.EMPTY && engine.inAtomicBlock() && engine.getRollback();
    }

    @Override
    public boolean isReadOnly() {
        return readOnly;
    }

    @Override
    public String getTransactionName() {
        return name == null ? "" : name;
    }

    @Override
    public boolean isNested() {
        return kind == Kind.NESTED;
    }

    /** Programmatic savepoints ({@code status.createSavepoint()}) are atomic4j's manual savepoints. */
    @Override
    protected SavepointManager getSavepointManager() {
        if (kind == Kind.EMPTY) {
            return super.getSavepointManager();   // Spring: no transaction, no savepoints
        }
        return new SavepointManager() {
            @Override
            public Object createSavepoint() {
                return engine.savepoint();
            }

            @Override
            public void rollbackToSavepoint(Object savepoint) {
                engine.savepointRollback((Savepoint) savepoint);
            }

            @Override
            public void releaseSavepoint(Object savepoint) {
                engine.savepointCommit((Savepoint) savepoint);
            }
        };
    }

    @Override
    public String toString() {
        return "AtomicTransactionStatus[" + kind + (name == null ? "" : " " + name) + "]";
    }
}
