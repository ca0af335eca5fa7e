package io.atomic4j.hibernate;

import io.atomic4j.AtomicScope;
import io.atomic4j.Database;
import io.atomic4j.internal.engine.AtomicBlocks;
import io.atomic4j.internal.engine.Engines;
import io.atomic4j.internal.engine.TransactionState;
import jakarta.persistence.RollbackException;
import jakarta.transaction.Status;
import io.atomic4j.TransactionManagementException;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import org.hibernate.boot.spi.SessionFactoryOptions;
import org.hibernate.engine.spi.SessionImplementor;
import org.hibernate.engine.spi.SharedSessionContractImplementor;
import org.hibernate.jpa.spi.JpaCompliance;
import org.hibernate.resource.transaction.TransactionRequiredForJoinException;
import org.hibernate.resource.transaction.internal.SynchronizationRegistryStandardImpl;
import org.hibernate.resource.transaction.spi.IsolationDelegate;
import org.hibernate.resource.transaction.spi.SynchronizationRegistry;
import org.hibernate.resource.transaction.spi.TransactionCoordinator;
import org.hibernate.resource.transaction.spi.TransactionCoordinatorBuilder;
import org.hibernate.resource.transaction.spi.TransactionCoordinatorOwner;
import org.hibernate.resource.transaction.spi.TransactionObserver;
import org.hibernate.resource.transaction.spi.TransactionStatus;

/**
 * One session's view of atomic4j's transaction (Hibernate's TransactionCoordinator SPI). The
 * transaction is the thread's atomic block on the database, never a JDBC transaction of
 * Hibernate's own: this class never calls {@code Connection.commit/rollback}.
 * <ul>
 * <li>The session joins the block at its first use inside it (Hibernate "pulses" the coordinator
 *     on every operation), like a JTA session joins a JTA transaction. Joining registers three
 *     hooks: beforeCommit (Hibernate's before-completion: flush, action-queue callbacks),
 *     onCommit and onRollback (after-completion: second-level cache, auto-close).</li>
 * <li>Hibernate's own Transaction API ({@code em.getTransaction()}, {@code session.beginTransaction()})
 *     opens an atomic block: the outermost one commits, a nested one is a savepoint.</li>
 * <li>Entities that a rolled-back block persisted, merged, removed or wrote are detached
 *     ({@link EntityRollbacks}); a whole rollback clears the session, as Hibernate does.</li>
 * </ul>
 *
 * <p>Not thread-safe, like the session it belongs to.
 */
final class BlockCoordinator implements TransactionCoordinator {
    private final BlockCoordinatorBuilder builder;
    private final Database database;
    private final TransactionCoordinatorOwner owner;
    private final boolean autoJoin;
    private final SynchronizationRegistryStandardImpl synchronizations = new SynchronizationRegistryStandardImpl();
    private final Driver driver = new Driver();
    private List<TransactionObserver> observers;
    private int timeOut = -1;

    /** The thread's transaction this session joined (its hooks are registered there); null when not joined. */
    private TransactionState joinedState;
    /** The block opened by Hibernate's own Transaction API; null when none is open (Hibernate allows one at a time). */
    private AtomicScope ownBlock;
    /** {@code markRollbackOnly()} was called on the own block: it rolls back when committed. */
    private boolean ownBlockRollbackOnly;
    /** The own block's commit() failed and rolled it back: the rollback() Hibernate then calls has nothing to do. */
    private boolean ownBlockFailed;
    /**
     * A savepoint rollback undid SQL this session had sent. With a second-level or query cache,
     * Hibernate is then told at the end of the transaction that it failed, so none of its changes
     * reach the cache (which also clears the session).
     */
    boolean writesRolledBack;

    BlockCoordinator(BlockCoordinatorBuilder builder, TransactionCoordinatorOwner owner, boolean autoJoin) {
        this.builder = builder;
        this.database = builder.database;
        this.owner = owner;
        this.autoJoin = autoJoin;
    }

    Database database() {
        return database;
    }

    /** The session (or stateless session) this coordinator belongs to. */
    SharedSessionContractImplementor session() {
        return (SharedSessionContractImplementor) owner.getJdbcSessionOwner();
    }

    // ------------------------------------------------------------------ joining

    /**
     * Called by Hibernate before every operation. Joins the thread's open block, notices a
     * transaction that ended without telling us, and refuses use inside an independent block.
     */
    @Override
    public void pulse() {
        TransactionState state = builder.currentState();
        if (joinedState != null && joinedState != state) {
            if (joinedState.suspended()) {
                throw new IllegalStateException("This EntityManager/Session joined a transaction on database '"
                        + database.alias() + "' that an independent block has suspended; its SQL would run in the"
                        + " independent transaction. Use a new EntityManager inside the independent block.");
            }
            completed(false);
        } else if (joinedState != null && !state.inAtomicBlock()) {
            // The transaction ended without our hooks (commit outcome unknown, a failing onCommit before ours).
            completed(false);
        }
        if (joinedState == null && autoJoin && state.inAtomicBlock()) {
            join(state);
        }
    }

    @Override
    public void explicitJoin() {
        TransactionState state = builder.currentState();
        if (!state.inAtomicBlock()) {
            throw new TransactionRequiredForJoinException("No atomic block is open on database '" + database.alias()
                    + "' on this thread: call joinTransaction() inside db.atomic(...).");
        }
        if (joinedState == null) {
            join(state);
        }
    }

    @Override
    public boolean isJoined() {
        return joinedState != null;
    }

    /** True inside a block this session has joined: Hibernate allows writes and flushes at its end. */
    @Override
    public boolean isTransactionActive() {
        pulse();
        return joinedState != null;
    }

    private void join(TransactionState state) {
        joinedState = state;
        builder.joined(this);
        registerCompletionHooks();
        if (timeOut > 0) {
            owner.setTransactionTimeOut(timeOut);
        }
        owner.startTransactionBoundary();
        owner.afterTransactionBegin();
        for (TransactionObserver observer : observers()) {
            observer.afterBegin();
        }
    }

    private void registerCompletionHooks() {
        database.beforeCommit(this::beforeCompletion);
        database.onCommit(this::afterCommit, true);
        database.onRollback(this::afterRollback);
    }

    /** Flushes the session before a block on {@code state}'s transaction exits (engine listener). */
    void flushIfJoinedTo(TransactionState state) {
        if (joinedState == state && usable()) {
            owner.flushBeforeTransactionCompletion();
        }
    }

    /**
     * The session is open, or closed by JPA's close() inside the block and waiting for its end. A
     * session closed for good (native bootstrap) has nothing left to flush.
     */
    private boolean usable() {
        return owner.isActive() && session().isOpenOrWaitingForAutoClose();
    }

    // ------------------------------------------------------------------ completion

    private void beforeCompletion() {
        if (joinedState == null || !usable()) {
            return;
        }
        owner.beforeTransactionCompletion();
        synchronizations.notifySynchronizationsBeforeTransactionCompletion();
        for (TransactionObserver observer : observers()) {
            observer.beforeCompletion();
        }
    }

    private void afterCommit() {
        completed(true);
    }

    private void afterRollback() {
        if (joinedState != null && joinedState.inAtomicBlock()) {
            // Our hooks sat in a savepoint that rolled back; the transaction goes on, and so does the session in it.
            registerCompletionHooks();
            return;
        }
        completed(false);
    }

    private void completed(boolean committed) {
        if (joinedState == null) {
            return;
        }
        joinedState = null;
        builder.left(this);
        callMarks = null;
        // Reporting failure keeps rolled-back state out of the caches, but also clears the session: only when caching.
        boolean successful = committed && !(writesRolledBack && caching());
        writesRolledBack = false;
        synchronizations.notifySynchronizationsAfterTransactionCompletion(
                committed ? Status.STATUS_COMMITTED : Status.STATUS_ROLLEDBACK);
        synchronizations.clearSynchronizations();
        if (owner.isActive()) {
            owner.afterTransactionCompletion(successful, false);
        }
        for (TransactionObserver observer : observers()) {
            observer.afterCompletion(successful, false);
        }
    }

    /** Hook index at which each entity's latest persist/merge/remove hook was registered; null until the first. */
    private IdentityHashMap<Object, Integer> callMarks;

    /** Index the next hook of the thread's transaction gets; during a savepoint's rollback hooks, where that savepoint's hooks began. */
    int hookMark() {
        return Engines.of(database).hooks().mark();
    }

    void calledAt(Object entity) {
        if (callMarks == null) {
            callMarks = new IdentityHashMap<>();
        }
        callMarks.put(entity, hookMark());
    }

    /** During a savepoint's rollback hooks: true if persist/merge/remove of {@code entity} was called inside it. */
    boolean calledInRolledBackBlock(Object entity) {
        Integer mark = callMarks == null ? null : callMarks.get(entity);
        return mark != null && mark >= hookMark();
    }

    /** Marks the innermost open block for rollback with {@code message}: its exit throws instead of committing. */
    void refuseCommit(String message) {
        AtomicBlocks engine = Engines.of(database);
        engine.statements().statementFailed(engine.state(), new TransactionManagementException(message), false);
    }

    /** True while the session is in the thread's current transaction and that transaction is still open. */
    boolean inOpenTransaction() {
        return joinedState != null && joinedState.inAtomicBlock();
    }

    // ------------------------------------------------------------------ the rest of the SPI

    @Override
    public TransactionDriver getTransactionDriverControl() {
        return driver;
    }

    @Override
    public SynchronizationRegistry getLocalSynchronizations() {
        return synchronizations;
    }

    @Override
    public JpaCompliance getJpaCompliance() {
        return owner.getJdbcSessionOwner().getJdbcSessionContext().getJpaCompliance();
    }

    @Override
    public boolean isActive() {
        return owner.isActive();
    }

    @Override
    public IsolationDelegate createIsolationDelegate() {
        return new IndependentWork(database);
    }

    @Override
    public TransactionCoordinatorBuilder getTransactionCoordinatorBuilder() {
        return builder;
    }

    @Override
    public void addObserver(TransactionObserver observer) {
        if (observers == null) {
            observers = new ArrayList<>(2);
        }
        observers.add(observer);
    }

    @Override
    public void removeObserver(TransactionObserver observer) {
        if (observers != null) {
            observers.remove(observer);
        }
    }

    private List<TransactionObserver> observers() {
        return observers == null || observers.isEmpty() ? List.of() : new ArrayList<>(observers);
    }

    @Override
    public void setTimeOut(int seconds) {
        timeOut = seconds;
    }

    @Override
    public int getTimeOut() {
        return timeOut;
    }

    /**
     * Hibernate's Transaction API over atomic blocks. Its {@link #isActive()} answers "is a
     * transaction begun through this API open" (so begin() inside a db.atomic block opens a
     * nested block instead of failing as "already active"), while {@link #getStatus()} says
     * ACTIVE inside any block (Hibernate then flushes and defers a JPA close() to the block's end).
     */
    private final class Driver implements TransactionDriver {
        @Override
        public void begin() {
            if (joinedState != null && joinedState == builder.currentState() && usable()) {
                // What changed before the nested block belongs to the enclosing one: send it now, so a
                // rollback of the nested block undoes exactly the work done in it.
                owner.flushBeforeTransactionCompletion();
            }
            ownBlock = database.begin();
            ownBlockRollbackOnly = false;
            ownBlockFailed = false;
            pulse();
        }

        @Override
        public void commit() {
            AtomicScope block = ownBlock;
            boolean rollbackOnly = ownBlockRollbackOnly;
            ownBlock = null;
            ownBlockRollbackOnly = false;
            if (!rollbackOnly) {
                block.complete();
            }
            ownBlockFailed = true;
            block.close();   // the engine's exit listener flushes every session of this transaction first
            ownBlockFailed = rollbackOnly;
            if (rollbackOnly) {
                throw new RollbackException("The transaction was marked for rollback only; it was rolled back"
                        + " (database '" + database.alias() + "').");
            }
        }

        @Override
        public void rollback() {
            AtomicScope block = ownBlock;
            if (block == null && ownBlockFailed) {
                ownBlockFailed = false;
                return;
            }
            if (block == null) {
                // Joined to a block opened elsewhere: only that block may end it.
                AtomicBlocks engine = Engines.of(database);
                throw engine.statements().refuseInBlock(engine.state(), "Transaction.rollback() of a transaction this"
                        + " EntityManager did not begin (throw from the db.atomic block instead)");
            }
            ownBlock = null;
            ownBlockRollbackOnly = false;
            block.close();
        }

        @Override
        public TransactionStatus getStatus() {
            if (ownBlock != null) {
                return ownBlockRollbackOnly ? TransactionStatus.MARKED_ROLLBACK : TransactionStatus.ACTIVE;
            }
            return inOpenTransaction() ? TransactionStatus.ACTIVE : TransactionStatus.NOT_ACTIVE;
        }

        @Override
        public boolean isActive() {
            return ownBlock != null;
        }

        @Override
        public void markRollbackOnly() {
            if (ownBlock != null) {
                ownBlockRollbackOnly = true;
            }
        }
    }

    private boolean caching() {
        SessionFactoryOptions options = session().getFactory().getSessionFactoryOptions();
        return options.isSecondLevelCacheEnabled() || options.isQueryCacheEnabled();
    }

    /** For {@link EntityRollbacks}: the session's persistence context, or null for a stateless session. */
    SessionImplementor statefulSession() {
        Object session = owner.getJdbcSessionOwner();
        return session instanceof SessionImplementor stateful ? stateful : null;
    }
}
