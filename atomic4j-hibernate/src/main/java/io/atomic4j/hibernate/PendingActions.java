package io.atomic4j.hibernate;

import java.lang.reflect.Field;
import org.hibernate.action.internal.EntityAction;
import org.hibernate.engine.spi.ActionQueue;
import org.hibernate.engine.spi.ExecutableList;
import org.hibernate.engine.spi.SessionImplementor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drops the queued INSERT/UPDATE/DELETE actions of one entity from a session's action queue.
 * Needed when a rolled-back savepoint persisted an entity whose INSERT has not run yet (or failed:
 * a failed flush leaves its actions queued): detaching the entity alone would leave an action
 * that a later flush executes. Hibernate has no public API to unschedule an insertion, so the
 * queue's lists are read reflectively, once per JVM; if a Hibernate version renames them, the
 * session is cleared instead (every entity detached, nothing rolled back is ever written), with a
 * warning.
 */
final class PendingActions {
    private static final Logger log = LoggerFactory.getLogger(PendingActions.class);
    /** ActionQueue's entity action lists (insertions, updates, deletions, orphan removals); null if not found. */
    private static final Field[] LISTS = findLists("insertions", "updates", "deletions", "orphanRemovals");

    private PendingActions() {
    }

    private static Field[] findLists(String... names) {
        try {
            Field[] fields = new Field[names.length];
            for (int i = 0; i < names.length; i++) {
                fields[i] = ActionQueue.class.getDeclaredField(names[i]);
                fields[i].setAccessible(true);
            }
            return fields;
        } catch (ReflectiveOperationException | RuntimeException e) {
            log.warn("Cannot read Hibernate's action queue ({}); after a nested rollback atomic4j-hibernate will"
                    + " clear the whole session instead of detaching only the entities the block touched", e.toString());
            return null;
        }
    }

    /** True if an INSERT/UPDATE/DELETE of {@code entity} is queued (false when that cannot be known). */
    static boolean isQueued(SessionImplementor session, Object entity) {
        ActionQueue queue = session.getActionQueue();
        if (LISTS == null || !queue.hasAnyQueuedActions()) {
            return false;
        }
        try {
            return visit(queue, entity, false);
        } catch (IllegalAccessException e) {
            return false;
        }
    }

    /** Removes {@code entity}'s queued actions; returns false if the session had to be cleared instead. */
    static boolean drop(SessionImplementor session, Object entity) {
        ActionQueue queue = session.getActionQueue();
        if (!queue.hasAnyQueuedActions()) {
            return true;
        }
        if (LISTS == null) {
            session.clear();
            return false;
        }
        try {
            visit(queue, entity, true);
            return true;
        } catch (IllegalAccessException e) {
            session.clear();
            return false;
        }
    }

    /** Looks for {@code entity}'s actions in every list (newest first), removing them if asked; true if any was found. */
    private static boolean visit(ActionQueue queue, Object entity, boolean remove) throws IllegalAccessException {
        boolean found = false;
        for (Field field : LISTS) {
            ExecutableList<?> actions = (ExecutableList<?>) field.get(queue);
            if (actions == null) {
                continue;
            }
            for (int i = actions.size() - 1; i >= 0; i--) {
                if (actions.get(i) instanceof EntityAction action && action.getInstance() == entity) {
                    if (!remove) {
                        return true;
                    }
                    actions.remove(i);
                    found = true;
                }
            }
        }
        return found;
    }
}
