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
        touched(event.getSession(), event.getObject(), false);
    }

    @Override
    public void onPersist(PersistEvent event, PersistContext createdAlready) {
        touched(event.getSession(), event.getObject(), false);
    }

    @Override
    public void onMerge(MergeEvent event) {
        touched(event.getSession(), event.getResult(), false);
    }

    @Override
    public void onMerge(MergeEvent event, MergeContext copiedAlready) {
        touched(event.getSession(), event.getResult(), false);
    }

    @Override
    public void onDelete(DeleteEvent event) {
        touched(event.getSession(), event.getObject(), false);
    }

    @Override
    public void onDelete(DeleteEvent event, DeleteContext transientEntities) {
        touched(event.getSession(), event.getObject(), false);
    }

    // ------------------------------------------------------------------ SQL sent in a block

    @Override
    public void onPostInsert(PostInsertEvent event) {
        touched(event.getSession(), event.getEntity(), true);
    }

    @Override
    public void onPostUpdate(PostUpdateEvent event) {
        touched(event.getSession(), event.getEntity(), true);
    }

    @Override
    public void onPostDelete(PostDeleteEvent event) {
        touched(event.getSession(), event.getEntity(), true);
    }

    @Override
    public boolean requiresPostCommitHandling(EntityPersister persister) {
        return false;
    }

    // ------------------------------------------------------------------ undo

    private static void touched(SharedSessionContractImplementor session, Object entity, boolean wrote) {
        if (entity == null) {
            return;
        }
        TransactionCoordinator coordinator = session.getTransactionCoordinator();
        if (coordinator instanceof BlockCoordinator block && block.inOpenTransaction()) {
            block.database().onRollback(() -> rolledBack(block, entity, wrote));
        }
    }

    /** The block that touched {@code entity} was rolled back. */
    private static void rolledBack(BlockCoordinator block, Object entity, boolean wrote) {
        if (!block.inOpenTransaction()) {
            return;   // the whole transaction rolled back: after-completion clears the session
        }
        if (wrote) {
            block.writesRolledBack = true;
        }
        SessionImplementor session = block.statefulSession();
        if (session == null || !session.isOpenOrWaitingForAutoClose()) {
            return;
        }
        EntityEntry entry = session.getPersistenceContextInternal().getEntry(entity);
        if (entry == null) {
            return;   // already detached (an earlier hook of the same rollback, or the user)
        }
        PendingActions.drop(session, entity);
        session.evict(entity);
    }
}
