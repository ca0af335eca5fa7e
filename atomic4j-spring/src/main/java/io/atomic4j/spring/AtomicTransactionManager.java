package io.atomic4j.spring;

import io.atomic4j.AtomicOptions;
import io.atomic4j.AtomicScope;
import io.atomic4j.Database;
import io.atomic4j.Isolation;
import io.atomic4j.TransactionManagementException;
import io.atomic4j.internal.engine.AtomicBlocks;
import io.atomic4j.internal.engine.Engines;
import io.atomic4j.internal.engine.TransactionState;
import io.atomic4j.spring.AtomicTransactionStatus.Kind;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.CannotGetJdbcConnectionException;
import org.springframework.jdbc.datasource.ConnectionHandle;
import org.springframework.jdbc.datasource.ConnectionHolder;
import org.springframework.transaction.IllegalTransactionStateException;
import org.springframework.transaction.InvalidIsolationLevelException;
import org.springframework.transaction.InvalidTimeoutException;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.TransactionStatus;
import org.springframework.transaction.UnexpectedRollbackException;
import org.springframework.transaction.support.ResourceTransactionManager;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionSynchronizationUtils;

/**
 * Spring's {@code @Transactional} and {@code TransactionTemplate} on atomic4j blocks: a Spring
 * transaction <em>is</em> an atomic block of {@code database}, so Spring code and
 * {@code db.atomic(...)} code share one transaction per thread, whichever side opened it.
 * <pre>{@code
 * Database db = Database.open("jdbc:postgresql://localhost/shop");
 * PlatformTransactionManager transactionManager = new AtomicTransactionManager(db);
 * new TransactionTemplate(transactionManager).executeWithoutResult(status ->
 *         new JdbcTemplate(db.dataSource()).update("insert into orders(id) values (1)"));
 * }</pre>
 * Propagation, mapped onto blocks:
 * <table>
 * <caption>Spring propagation to atomic4j</caption>
 * <tr><th>propagation</th><th>no block open</th><th>inside a block</th></tr>
 * <tr><td>REQUIRED</td><td>outermost block</td><td>joins it; a failure marks the whole transaction
 *     rollback-only ({@code setRollback(true)}), and its commit then throws {@link UnexpectedRollbackException}</td></tr>
 * <tr><td>NESTED</td><td>outermost block</td><td>nested block (a savepoint, taken lazily)</td></tr>
 * <tr><td>REQUIRES_NEW</td><td>outermost block</td><td>{@code independent(true)}: a new transaction on another connection</td></tr>
 * <tr><td>SUPPORTS</td><td>no transaction</td><td>joins</td></tr>
 * <tr><td>MANDATORY</td><td>{@link IllegalTransactionStateException}</td><td>joins</td></tr>
 * <tr><td>NOT_SUPPORTED</td><td>no transaction</td><td>puts the block aside, runs in autocommit</td></tr>
 * <tr><td>NEVER</td><td>no transaction</td><td>{@link IllegalTransactionStateException}</td></tr>
 * </table>
 * Isolation, read-only and timeout apply to a new transaction only; a joining definition's are
 * ignored, as with Spring's {@code validateExistingTransaction=false}. The timeout reaches the
 * statements Spring runs ({@code JdbcTemplate}, {@code DataSourceUtils.applyTransactionTimeout}),
 * exactly as with {@code DataSourceTransactionManager}.
 * <p>Spring's synchronizations ({@code TransactionSynchronization}, {@code @TransactionalEventListener})
 * run at the real COMMIT or rollback of the atomic4j transaction, before the application's
 * {@code onCommit}/{@code onRollback} hooks.
 * <p>Beyond {@code DataSourceTransactionManager}: a failed ROLLBACK never replaces the exception
 * that caused it (the connection is discarded, the failure logged); a failed {@code onCommit}
 * callback comes out as {@link io.atomic4j.OnCommitFailedException}, so nobody mistakes the
 * committed transaction for a rolled-back one.
 * <p>Thread-safe: one instance serves every thread; each thread's state is atomic4j's own.
 */
public final class AtomicTransactionManager implements PlatformTransactionManager, ResourceTransactionManager {
    private static final Logger log = LoggerFactory.getLogger(AtomicTransactionManager.class);

    private final Database database;
    private final AtomicBlocks engine;
    /** Where Spring's DataSourceUtils looks for the bound connection: db.dataSource(), and the pool behind it if known. */
    private final DataSource[] resourceKeys;

    /**
     * A transaction manager whose transactions are atomic blocks of {@code database}.
     * Use {@code database.dataSource()} for {@code JdbcTemplate} and other Spring JDBC code.
     */
    public AtomicTransactionManager(Database database) {
        this(database, new DataSource[0]);
    }

    /**
     * For the Boot auto-configuration: also binds the block's connection under {@code pools} (the
     * application's DataSource bean that {@code database} wraps), so that Spring code given that
     * bean joins the transaction instead of escaping it.
     */
    AtomicTransactionManager(Database database, DataSource... pools) {
        this.database = Objects.requireNonNull(database, "AtomicTransactionManager needs a Database, got null");
        this.engine = Engines.of(database);
        DataSource[] keys = new DataSource[pools.length + 1];
        keys[0] = database.dataSource();
        System.arraycopy(pools, 0, keys, 1, pools.length);
        this.resourceKeys = keys;
    }

    /** The database whose blocks this manager opens. */
    public Database getDatabase() {
        return database;
    }

    /** The key under which the transaction's connection is bound for Spring: {@code database.dataSource()}. */
    @Override
    public Object getResourceFactory() {
        return database.dataSource();
    }

    // ------------------------------------------------------------------ begin

    @Override
    public TransactionStatus getTransaction(TransactionDefinition definition) {
        TransactionDefinition def = definition != null ? definition : TransactionDefinition.withDefaults();
        if (def.getTimeout() < TransactionDefinition.TIMEOUT_DEFAULT) {
            throw new InvalidTimeoutException("Invalid transaction timeout on database '" + database.alias() + "'",
                    def.getTimeout());
        }
        if (engine.inAtomicBlock()) {
            return inExistingBlock(def);
        }
        switch (def.getPropagationBehavior()) {
            case TransactionDefinition.PROPAGATION_MANDATORY:
                throw new IllegalTransactionStateException("No existing transaction found for transaction marked with "
                        + "propagation 'mandatory' on database '" + database.alias() + "'. Call it inside a "
                        + "@Transactional method or a db.atomic block.");
            case TransactionDefinition.PROPAGATION_REQUIRED:
            case TransactionDefinition.PROPAGATION_REQUIRES_NEW:
            case TransactionDefinition.PROPAGATION_NESTED:
                // Synchronizations of an enclosing non-transactional scope (SUPPORTS) wait for its end, as in Spring.
                return newTransaction(def, false, SuspendedSpringState.suspend(resourceKeys));
            default:
                return empty(def, null, null);
        }
    }

    private TransactionStatus inExistingBlock(TransactionDefinition def) {
        switch (def.getPropagationBehavior()) {
            case TransactionDefinition.PROPAGATION_NEVER:
                throw new IllegalTransactionStateException("Existing transaction found for transaction marked with "
                        + "propagation 'never' on database '" + database.alias() + "'. Call it outside any "
                        + "@Transactional method and db.atomic block.");
            case TransactionDefinition.PROPAGATION_NOT_SUPPORTED: {
                SuspendedSpringState suspendedSpring = SuspendedSpringState.suspend(resourceKeys);
                TransactionState suspended = engine.suspend();
                return empty(def, suspended, suspendedSpring);
            }
            case TransactionDefinition.PROPAGATION_REQUIRES_NEW:
                return newTransaction(def, true, SuspendedSpringState.suspend(resourceKeys));
            case TransactionDefinition.PROPAGATION_NESTED: {
                joinSynchronizations();
                AtomicScope scope = database.begin(AtomicOptions.defaults());
                return new AtomicTransactionStatus(engine, Kind.NESTED, def.getName(), def.isReadOnly(), scope,
                        false, null, null);
            }
            default:
                // REQUIRED, SUPPORTS, MANDATORY: part of the open block.
                joinSynchronizations();
                return new AtomicTransactionStatus(engine, Kind.JOINED, def.getName(), def.isReadOnly(), null,
                        false, null, null);
        }
    }

    /** An outermost block (independent when {@code independent}), with Spring's state started for it. */
    private TransactionStatus newTransaction(TransactionDefinition def, boolean independent, SuspendedSpringState suspended) {
        AtomicScope scope = null;
        try {
            AtomicOptions options = AtomicOptions.defaults().independent(independent).readOnly(def.isReadOnly());
            Isolation isolation = isolation(def.getIsolationLevel());
            if (isolation != null) {
                options = options.isolation(isolation);
            }
            scope = database.begin(options);
            AtomicTransactionStatus status = new AtomicTransactionStatus(engine, Kind.NEW, def.getName(),
                    def.isReadOnly(), scope, false, null, suspended);
            Integer isolationLevel = def.getIsolationLevel() == TransactionDefinition.ISOLATION_DEFAULT
                    ? null : def.getIsolationLevel();
            int timeout = def.getTimeout() == TransactionDefinition.TIMEOUT_DEFAULT ? -1 : def.getTimeout();
            status.synchronizations = SpringSynchronizations.start(engine, resourceKeys, newHolder(), def.getName(),
                    def.isReadOnly(), isolationLevel, timeout);
            return status;
        } catch (RuntimeException | Error e) {
            // Nothing may stay half-begun: the block (empty so far) is closed, what was put aside comes back.
            if (scope != null) {
                try {
                    scope.close();
                } catch (RuntimeException closeError) {
                    e.addSuppressed(closeError);
                }
            }
            if (suspended != null) {
                suspended.resume();
            }
            throw e;
        }
    }

    /** A block opened by db.atomic that Spring code now joins: Spring's state is started for it on first contact. */
    private void joinSynchronizations() {
        if (!TransactionSynchronizationManager.isSynchronizationActive()) {
            SpringSynchronizations.start(engine, resourceKeys, newHolder(), null, false, null, -1);
        }
    }

    /** No transaction (SUPPORTS, NOT_SUPPORTED, NEVER): Spring still gives the scope synchronizations of its own. */
    private TransactionStatus empty(TransactionDefinition def, TransactionState suspended, SuspendedSpringState suspendedSpring) {
        boolean newSynchronization = !TransactionSynchronizationManager.isSynchronizationActive();
        if (newSynchronization) {
            TransactionSynchronizationManager.setActualTransactionActive(false);
            TransactionSynchronizationManager.setCurrentTransactionIsolationLevel(
                    def.getIsolationLevel() == TransactionDefinition.ISOLATION_DEFAULT ? null : def.getIsolationLevel());
            TransactionSynchronizationManager.setCurrentTransactionReadOnly(def.isReadOnly());
            TransactionSynchronizationManager.setCurrentTransactionName(def.getName());
            TransactionSynchronizationManager.initSynchronization();
        }
        return new AtomicTransactionStatus(engine, Kind.EMPTY, def.getName(), def.isReadOnly(), null,
                newSynchronization, suspended, suspendedSpring);
    }

    /** The holder Spring's JDBC code finds: it fetches the block's connection only when a statement needs it. */
    private ConnectionHolder newHolder() {
        DataSource dataSource = database.dataSource();
        return new ConnectionHolder(new ConnectionHandle() {
            @Override
            public Connection getConnection() {
                try {
                    return dataSource.getConnection();
                } catch (SQLException e) {
                    throw new CannotGetJdbcConnectionException("Failed to obtain the transaction's connection on database '"
                            + database.alias() + "'", e);
                }
            }
        });
    }

    private Isolation isolation(int level) {
        switch (level) {
            case TransactionDefinition.ISOLATION_DEFAULT: return null;
            case TransactionDefinition.ISOLATION_READ_UNCOMMITTED: return Isolation.READ_UNCOMMITTED;
            case TransactionDefinition.ISOLATION_READ_COMMITTED: return Isolation.READ_COMMITTED;
            case TransactionDefinition.ISOLATION_REPEATABLE_READ: return Isolation.REPEATABLE_READ;
            case TransactionDefinition.ISOLATION_SERIALIZABLE: return Isolation.SERIALIZABLE;
            default:
                throw new InvalidIsolationLevelException("Unknown isolation level " + level + " on database '"
                        + database.alias() + "'");
        }
    }

    // ------------------------------------------------------------------ end

    @Override
    public void commit(TransactionStatus transactionStatus) {
        AtomicTransactionStatus status = checkOpen(transactionStatus, "commit");
        if (status.isLocalRollbackOnly()) {
            // Spring: transactional code asked for a rollback (status.setRollbackOnly()): roll back, no exception.
            end(status, Outcome.ROLLBACK);
        } else if (status.isGlobalRollbackOnly()) {
            end(status, Outcome.ROLLBACK_ONLY);
        } else {
            end(status, Outcome.COMMIT);
        }
    }

    @Override
    public void rollback(TransactionStatus transactionStatus) {
        end(checkOpen(transactionStatus, "rollback"), Outcome.ROLLBACK);
    }

    /** How a status ends. */
    private enum Outcome {
        /** commit() on a status that may commit. */
        COMMIT,
        /** rollback(), or commit() after status.setRollbackOnly(): no exception. */
        ROLLBACK,
        /** commit() on a transaction marked rollback-only: Spring's UnexpectedRollbackException (except when joined). */
        ROLLBACK_ONLY
    }

    private AtomicTransactionStatus checkOpen(TransactionStatus transactionStatus, String operation) {
        if (!(transactionStatus instanceof AtomicTransactionStatus)) {
            throw new IllegalTransactionStateException(operation + "() on database '" + database.alias()
                    + "' was given a status this manager did not create: " + transactionStatus);
        }
        AtomicTransactionStatus status = (AtomicTransactionStatus) transactionStatus;
        if (status.isCompleted()) {
            throw new IllegalTransactionStateException("Transaction is already completed - do not call commit or "
                    + "rollback more than once per transaction (database '" + database.alias() + "')");
        }
        return status;
    }

    /** Ends what {@code status} opened, then resumes what it put aside. */
    private void end(AtomicTransactionStatus status, Outcome outcome) {
        status.setCompleted();
        try {
            switch (status.kind) {
                case NEW:
                case NESTED:
                    endBlock(status, outcome);
                    break;
                case JOINED:
                    if (outcome == Outcome.ROLLBACK) {
                        markForRollback(status);
                    }
                    // ROLLBACK_ONLY: Spring does not fail early; the block that owns the transaction reports it.
                    break;
                default:
                    endEmpty(status, outcome == Outcome.COMMIT);
            }
        } finally {
            if (status.suspendedTransaction != null) {
                engine.resume(status.suspendedTransaction);
            }
            if (status.suspendedSpring != null) {
                status.suspendedSpring.resume();
            }
        }
    }

    /**
     * Spring's globalRollbackOnParticipationFailure: the whole transaction must roll back. The mark
     * carries a cause, so a {@code db.atomic} block that owns the transaction does not roll back
     * silently but throws, like after any error swallowed inside it.
     */
    private void markForRollback(AtomicTransactionStatus status) {
        UnexpectedRollbackException cause = new UnexpectedRollbackException("A participating Spring transaction"
                + (status.name == null ? "" : " (" + status.name + ")") + " on database '" + database.alias()
                + "' failed or was marked rollback-only; the transaction it joined must roll back");
        try {
            engine.markForRollbackOnError(() -> {
                throw cause;
            });
        } catch (UnexpectedRollbackException expected) {
            // the mark is what was wanted
        }
    }

    private void endBlock(AtomicTransactionStatus status, Outcome outcome) {
        SpringSynchronizations synchronizations = status.synchronizations;
        try {
            if (outcome == Outcome.ROLLBACK) {
                if (synchronizations != null) {
                    // Spring calls beforeCompletion before the rollback; the hooks would only reach it after.
                    synchronizations.beforeCompletion();
                }
                rollBack(status.scope);
                return;
            }
            status.scope.complete();
            if (outcome == Outcome.COMMIT) {
                status.scope.close();
                return;
            }
            // Marked rollback-only: the block rolls back; it throws only if the mark came from a swallowed error.
            RuntimeException swallowed = null;
            try {
                status.scope.close();
            } catch (TransactionManagementException e) {
                swallowed = e;
            }
            throw new UnexpectedRollbackException("Transaction rolled back because it has been marked as "
                    + "rollback-only (database '" + database.alias() + "')", swallowed);
        } finally {
            if (synchronizations != null && !synchronizations.completed()) {
                // atomic4j runs no hook when COMMIT's outcome is unknown: Spring's state must still end.
                synchronizations.complete(TransactionSynchronization.STATUS_UNKNOWN);
            }
        }
    }

    /**
     * Beyond DataSourceTransactionManager: the exception that led to the rollback is never replaced
     * by a failure of the rollback itself. atomic4j has discarded the connection, so nothing of the
     * transaction is committed; the failure is logged.
     */
    private void rollBack(AtomicScope scope) {
        try {
            scope.close();
        } catch (RuntimeException e) {
            log.warn("Rolling back a Spring transaction on database '{}' failed; its work was not committed", database.alias(), e);
        }
    }

    /** Spring's synchronizations of a scope without a transaction run when the scope ends, as in Spring. */
    private void endEmpty(AtomicTransactionStatus status, boolean commit) {
        if (!status.newEmptySynchronization) {
            return;
        }
        int outcome = TransactionSynchronization.STATUS_ROLLED_BACK;
        boolean beforeCompletionDone = false;
        try {
            if (commit) {
                TransactionSynchronizationUtils.triggerBeforeCommit(status.readOnly);
            }
            beforeCompletionDone = true;
            TransactionSynchronizationUtils.triggerBeforeCompletion();
            if (commit) {
                outcome = TransactionSynchronization.STATUS_COMMITTED;
                TransactionSynchronizationUtils.triggerAfterCommit();
            }
        } finally {
            if (!beforeCompletionDone) {
                TransactionSynchronizationUtils.triggerBeforeCompletion();
            }
            List<TransactionSynchronization> synchronizations = TransactionSynchronizationManager.getSynchronizations();
            TransactionSynchronizationManager.clear();
            TransactionSynchronizationUtils.invokeAfterCompletion(synchronizations, outcome);
        }
    }

    @Override
    public String toString() {
        return "AtomicTransactionManager[" + database.alias() + (resourceKeys.length > 1
                ? ", also bound to " + Arrays.toString(Arrays.copyOfRange(resourceKeys, 1, resourceKeys.length)) : "") + "]";
    }
}
