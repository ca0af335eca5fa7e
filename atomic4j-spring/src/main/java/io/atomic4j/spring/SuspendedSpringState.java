package io.atomic4j.spring;

import java.util.List;
import javax.sql.DataSource;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Spring's per-thread transaction state put aside while REQUIRES_NEW or NOT_SUPPORTED runs
 * (Spring's own {@code SuspendedResourcesHolder}): the synchronizations, after their
 * {@code suspend()}, the holders bound under the database's keys, and the current-transaction
 * attributes. Confined to its thread.
 */
final class SuspendedSpringState {
    private final List<TransactionSynchronization> synchronizations;
    private final DataSource[] keys;
    private final Object[] resources;
    private final String name;
    private final boolean readOnly;
    private final Integer isolation;
    private final boolean actualTransactionActive;

    private SuspendedSpringState(List<TransactionSynchronization> synchronizations, DataSource[] keys, Object[] resources) {
        this.synchronizations = synchronizations;
        this.keys = keys;
        this.resources = resources;
        this.name = TransactionSynchronizationManager.getCurrentTransactionName();
        this.readOnly = TransactionSynchronizationManager.isCurrentTransactionReadOnly();
        this.isolation = TransactionSynchronizationManager.getCurrentTransactionIsolationLevel();
        this.actualTransactionActive = TransactionSynchronizationManager.isActualTransactionActive();
    }

    /** Puts Spring's state aside; null when there is nothing to put aside. */
    static SuspendedSpringState suspend(DataSource[] keys) {
        List<TransactionSynchronization> synchronizations = null;
        if (TransactionSynchronizationManager.isSynchronizationActive()) {
            synchronizations = TransactionSynchronizationManager.getSynchronizations();
            for (TransactionSynchronization synchronization : synchronizations) {
                synchronization.suspend();   // DataSourceUtils' own synchronizations unbind their holders here
            }
            TransactionSynchronizationManager.clearSynchronization();
        }
        Object[] resources = new Object[keys.length];
        boolean any = synchronizations != null;
        for (int i = 0; i < keys.length; i++) {
            resources[i] = TransactionSynchronizationManager.unbindResourceIfPossible(keys[i]);
            any |= resources[i] != null;
        }
        if (!any) {
            return null;
        }
        SuspendedSpringState suspended = new SuspendedSpringState(synchronizations, keys, resources);
        TransactionSynchronizationManager.setCurrentTransactionName(null);
        TransactionSynchronizationManager.setCurrentTransactionReadOnly(false);
        TransactionSynchronizationManager.setCurrentTransactionIsolationLevel(null);
        TransactionSynchronizationManager.setActualTransactionActive(false);
        return suspended;
    }

    /** Brings back what {@link #suspend} put aside. */
    void resume() {
        for (int i = 0; i < keys.length; i++) {
            if (resources[i] != null) {
                TransactionSynchronizationManager.unbindResourceIfPossible(keys[i]);
                TransactionSynchronizationManager.bindResource(keys[i], resources[i]);
            }
        }
        if (synchronizations != null) {
            TransactionSynchronizationManager.setActualTransactionActive(actualTransactionActive);
            TransactionSynchronizationManager.setCurrentTransactionIsolationLevel(isolation);
            TransactionSynchronizationManager.setCurrentTransactionReadOnly(readOnly);
            TransactionSynchronizationManager.setCurrentTransactionName(name);
            TransactionSynchronizationManager.initSynchronization();
            for (TransactionSynchronization synchronization : synchronizations) {
                synchronization.resume();
                TransactionSynchronizationManager.registerSynchronization(synchronization);
            }
        }
    }
}
