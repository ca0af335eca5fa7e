package io.atomic4j.hibernate;

import org.hibernate.boot.Metadata;
import org.hibernate.boot.spi.BootstrapContext;
import org.hibernate.engine.spi.EntityEntry;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.hibernate.engine.spi.SessionImplementor;
import org.hibernate.engine.spi.SharedSessionContractImplementor;
import org.hibernate.event.service.spi.EventListenerRegistry;
import org.hibernate.event.spi.DeleteContext;
import org.hibernate.event.spi.DeleteEvent;
import org.hibernate.event.spi.DeleteEventListener;
import org.hibernate.event.spi.EventType;
import org.hibernate.event.spi.MergeContext;
import org.hibernate.event.spi.MergeEvent;
import org.hibernate.event.spi.MergeEventListener;
import org.hibernate.event.spi.PersistContext;
import org.hibernate.event.spi.PersistEvent;
import org.hibernate.event.spi.PersistEventListener;
import org.hibernate.event.spi.PostDeleteEvent;
import org.hibernate.event.spi.PostDeleteEventListener;
import org.hibernate.event.spi.PostInsertEvent;
import org.hibernate.event.spi.PostInsertEventListener;
import org.hibernate.event.spi.PostUpdateEvent;
import org.hibernate.event.spi.PostUpdateEventListener;
import org.hibernate.integrator.spi.Integrator;
import org.hibernate.persister.entity.EntityPersister;
import org.hibernate.resource.transaction.spi.TransactionCoordinator;

/**
 * Keeps the persistence context true to the database after a rollback. Every entity a block
 * touches (persist, merge or remove called in it, or an INSERT/UPDATE/DELETE that Hibernate sent
 * while it was open) gets an onRollback hook in that block; if the block's savepoint is rolled
 * back, the entity is detached and its pending actions dropped, so no later flush writes the
 * rolled-back change and the entity no longer shows as managed. A whole rollback needs nothing
 * here: Hibernate clears the session at after-completion.
 *
 * <p>Installed by Hibernate's service loader in every factory, active only in factories whose
 * transaction coordinator is atomic4j's. Stateless; thread-safe.
 */
public final class EntityRollbacks implements Integrator, PersistEventListener, MergeEventListener,
        DeleteEventListener, PostInsertEventListener, PostUpdateEventListener, PostDeleteEventListener {

    /** For Hibernate's service loader only. */
    public EntityRollbacks() {
    }

    @Override
    public void integrate(Metadata metadata, BootstrapContext bootstrapContext, SessionFactoryImplementor sessionFactory) {
        if (!(sessionFactory.getServiceRegistry().requireService(
                org.hibernate.resource.transaction.spi.TransactionCoordinatorBuilder.class)
                instanceof BlockCoordinatorBuilder)) {
            return;
        }
        EventListenerRegistry listeners = sessionFactory.getEventListenerRegistry();
        listeners.appendListeners(EventType.PERSIST, this);
        listeners.appendListeners(EventType.PERSIST_ONFLUSH, this);
        listeners.appendListeners(EventType.MERGE, this);
        listeners.appendListeners(EventType.DELETE, this);
        listeners.appendListeners(EventType.POST_INSERT, this);
        listeners.appendListeners(EventType.POST_UPDATE, this);
        listeners.appendListeners(EventType.POST_DELETE, this);
    }

    // ------------------------------------------------------------------ calls made in a block

    @Override
    public void onPersist(PersistEvent event) {
        touched(event.getSession(), event.getObject(), CALL);
    }

    @Override
    public void onPersist(PersistEvent event, PersistContext createdAlready) {
        touched(event.getSession(), event.getObject(), CALL);
    }

    @Override
    public void onMerge(MergeEvent event) {
        touched(event.getSession(), event.getResult(), CALL);
    }

    @Override
    public void onMerge(MergeEvent event, MergeContext copiedAlready) {
        touched(event.getSession(), event.getResult(), CALL);
    }

    @Override
    public void onDelete(DeleteEvent event) {
        touched(event.getSession(), event.getObject(), CALL);
    }

    @Override
    public void onDelete(DeleteEvent event, DeleteContext transientEntities) {
        touched(event.getSession(), event.getObject(), CALL);
    }

    // ------------------------------------------------------------------ SQL sent in a block

    @Override
    public void onPostInsert(PostInsertEvent event) {
        touched(event.getSession(), event.getEntity(), INSERT_OR_DELETE);
    }

    @Override
    public void onPostUpdate(PostUpdateEvent event) {
        touched(event.getSession(), event.getEntity(), UPDATE);
    }

    @Override
    public void onPostDelete(PostDeleteEvent event) {
        touched(event.getSession(), event.getEntity(), INSERT_OR_DELETE);
    }

    @Override
    public boolean requiresPostCommitHandling(EntityPersister persister) {
        return false;
    }

    // ------------------------------------------------------------------ undo

    /** persist/merge/remove called. */
    private static final int CALL = 0;
    /** An INSERT or DELETE sent. */
    private static final int INSERT_OR_DELETE = 1;
    /** An UPDATE sent (dirty checking: no call says when the change was made). */
    private static final int UPDATE = 2;

    private static void touched(SharedSessionContractImplementor session, Object entity, int kind) {
        if (entity == null) {
            return;
        }
        TransactionCoordinator coordinator = session.getTransactionCoordinator();
        if (coordinator instanceof BlockCoordinator block && block.inOpenTransaction()) {
            if (kind == CALL) {
                block.calledAt(entity);
            }
            block.database().onRollback(() -> rolledBack(block, entity, kind));
        }
    }

    /**
     * The block that touched {@code entity} was rolled back to its savepoint. Runs among the
     * block's onRollback hooks, while the queue holds only the hooks registered before the block:
     * a call whose hook index is at or above {@link BlockCoordinator#hookMark()} was made inside it.
     */
    private static void rolledBack(BlockCoordinator block, Object entity, int kind) {
        if (!block.inOpenTransaction()) {
            return;   // the whole transaction rolled back: after-completion clears the session
        }
        SessionImplementor session = block.statefulSession();
        if (session == null || !session.isOpenOrWaitingForAutoClose()
                || session.getPersistenceContextInternal().getEntry(entity) == null) {
            return;   // stateless, closed, or already detached by an earlier hook of this rollback
        }
        if (kind != CALL) {
            block.writesRolledBack = true;
        }
        if (kind == INSERT_OR_DELETE && !block.calledInRolledBackBlock(entity)) {
            // The INSERT/DELETE of a persist/remove made before the block went out inside it (a
            // flush there) and was rolled back with it.
            if (PendingActions.isQueued(session, entity)) {
                return;   // the flush failed later on: the action is still queued and will be sent again
            }
            PendingActions.drop(session, entity);
            session.evict(entity);
            block.refuseCommit("A nested atomic block on database '" + block.database().alias() + "' was rolled"
                    + " back after Hibernate had flushed in it the INSERT or DELETE of " + session.bestGuessEntityName(entity)
                    + " requested before the block began; that change is lost, so the enclosing block cannot commit."
                    + " Flush (em.flush()) before opening a nested block that may roll back.");
            return;
        }
        PendingActions.drop(session, entity);
        session.evict(entity);
    }
}
