package io.atomic4j.spring;

import io.atomic4j.internal.engine.AtomicBlocks;
import java.util.List;
import javax.sql.DataSource;
import org.springframework.jdbc.datasource.ConnectionHolder;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionSynchronizationUtils;

/**
 * Spring's per-thread transaction state ({@link TransactionSynchronizationManager}) for one
 * atomic4j transaction: set up when Spring code first meets the transaction, and driven by the
 * transaction's own hooks, so Spring's callbacks run at the real COMMIT or rollback whichever
 * side (Spring or {@code db.atomic}) opened the outermost block:
 * <ul>
 * <li>atomic4j beforeCommit: {@code beforeCommit} then {@code beforeCompletion} of every synchronization;</li>
 * <li>atomic4j onCommit: {@code afterCommit}, then {@code afterCompletion(COMMITTED)};</li>
 * <li>atomic4j onRollback: {@code beforeCompletion} (unless already run), then {@code afterCompletion(ROLLED_BACK)}.</li>
 * </ul>
 * It also binds a {@link ConnectionHolder} under the database's {@code dataSource()} (and the
 * pool behind it, when known), so that {@code DataSourceUtils} and {@code JdbcTemplate} use the
 * block's connection and the transaction's timeout. Confined to its thread.
 */
final class SpringSynchronizations {
    private final DataSource[] resourceKeys;
    private final ConnectionHolder holder;
    private boolean beforeCompletionDone;
    private boolean completed;

    private SpringSynchronizations(DataSource[] resourceKeys, ConnectionHolder holder) {
        this.resourceKeys = resourceKeys;
        this.holder = holder;
    }

    /**
     * Starts Spring's synchronization for the transaction open on this thread and hooks it to the
     * transaction's end. {@code timeoutSeconds} is Spring's (-1 = none).
     */
    static SpringSynchronizations start(AtomicBlocks engine, DataSource[] resourceKeys, ConnectionHolder holder,
                                        String name, boolean readOnly, Integer isolation, int timeoutSeconds) {
        SpringSynchronizations synchronizations = new SpringSynchronizations(resourceKeys, holder);
        holder.setSynchronizedWithTransaction(true);
        if (timeoutSeconds >= 0) {
            holder.setTimeoutInSeconds(timeoutSeconds);
        }
        for (DataSource key : resourceKeys) {
            TransactionSynchronizationManager.bindResource(key, holder);
        }
        TransactionSynchronizationManager.setActualTransactionActive(true);
        TransactionSynchronizationManager.setCurrentTransactionIsolationLevel(isolation);
        TransactionSynchronizationManager.setCurrentTransactionReadOnly(readOnly);
        TransactionSynchronizationManager.setCurrentTransactionName(name);
        TransactionSynchronizationManager.initSynchronization();
        // Registered before any hook of the body, so Spring's callbacks run before the application's onCommit hooks.
        engine.hooks().beforeCommit(() -> synchronizations.beforeCommit(readOnly));
        engine.hooks().onCommit(synchronizations::afterCommit, false);
        engine.hooks().onRollback(synchronizations::afterRollback);
        return synchronizations;
    }

    private void beforeCommit(boolean readOnly) {
        if (completed) {
            return;
        }
        TransactionSynchronizationUtils.triggerBeforeCommit(readOnly);
        beforeCompletion();
    }

    /** Runs {@code beforeCompletion} once: the manager calls it before a rollback it drives, the hooks otherwise. */
    void beforeCompletion() {
        if (!beforeCompletionDone && !completed) {
            beforeCompletionDone = true;
            TransactionSynchronizationUtils.triggerBeforeCompletion();
        }
    }

    private void afterCommit() {
        if (completed) {
            return;
        }
        try {
            TransactionSynchronizationUtils.triggerAfterCommit();
        } finally {
            complete(TransactionSynchronization.STATUS_COMMITTED);
        }
    }

    private void afterRollback() {
        if (completed) {
            return;
        }
        beforeCompletion();
        complete(TransactionSynchronization.STATUS_ROLLED_BACK);
    }

    /**
     * Ends Spring's state for this transaction and runs {@code afterCompletion}. Also called by
     * the manager with STATUS_UNKNOWN when COMMIT's outcome is unknown (atomic4j runs no hook then).
     */
    void complete(int status) {
        if (completed) {
            return;
        }
        completed = true;
        List<TransactionSynchronization> synchronizations = TransactionSynchronizationManager.isSynchronizationActive()
                ? TransactionSynchronizationManager.getSynchronizations() : List.of();
        clear();
        TransactionSynchronizationUtils.invokeAfterCompletion(synchronizations, status);
    }

    boolean completed() {
        return completed;
    }

    private void clear() {
        for (DataSource key : resourceKeys) {
            if (TransactionSynchronizationManager.getResource(key) == holder) {
                TransactionSynchronizationManager.unbindResource(key);
            }
        }
        holder.clear();
        if (TransactionSynchronizationManager.isSynchronizationActive()) {
            TransactionSynchronizationManager.clearSynchronization();
        }
        TransactionSynchronizationManager.setCurrentTransactionName(null);
        TransactionSynchronizationManager.setCurrentTransactionReadOnly(false);
        TransactionSynchronizationManager.setCurrentTransactionIsolationLevel(null);
        TransactionSynchronizationManager.setActualTransactionActive(false);
    }
}
