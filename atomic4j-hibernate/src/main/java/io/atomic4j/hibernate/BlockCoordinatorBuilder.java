package io.atomic4j.hibernate;

import io.atomic4j.Database;
import io.atomic4j.internal.engine.Engines;
import io.atomic4j.internal.engine.TransactionState;
import java.util.ArrayList;
import org.hibernate.resource.jdbc.spi.PhysicalConnectionHandlingMode;
import org.hibernate.resource.transaction.spi.TransactionCoordinator;
import org.hibernate.resource.transaction.spi.TransactionCoordinatorBuilder;
import org.hibernate.resource.transaction.spi.TransactionCoordinatorOwner;

/**
 * Hibernate's transaction SPI entry point for one {@link Database}: every session of a factory
 * configured with it gets a {@link BlockCoordinator}. It also keeps, per thread, the coordinators
 * that joined the thread's current transaction, so that the engine's before-exit listener can
 * flush them before a block releases its savepoint or commits.
 *
 * <p>Thread-safe: the only mutable state is per thread.
 */
final class BlockCoordinatorBuilder implements TransactionCoordinatorBuilder {
    final Database database;
    /** Coordinators joined to this thread's current transaction, in join order; null until the first join. */
    private final ThreadLocal<ArrayList<BlockCoordinator>> joined = new ThreadLocal<>();

    BlockCoordinatorBuilder(Database database) {
        this.database = database;
        Engines.of(database).addBeforeExitListener(this::beforeBlockExit);
    }

    @Override
    public TransactionCoordinator buildTransactionCoordinator(TransactionCoordinatorOwner owner, Options options) {
        return new BlockCoordinator(this, owner, options.shouldAutoJoinTransaction());
    }

    /** Not JTA: Hibernate's own Transaction API stays available, and DDL runs on its own connection. */
    @Override
    public boolean isJta() {
        return false;
    }

    /**
     * Release after every statement: inside a block the connection is the block's (its close()
     * is a no-op), outside one a pooled autocommit connection. Holding one across a block
     * boundary would be refused by atomic4j, since its work would escape the block.
     */
    @Override
    public PhysicalConnectionHandlingMode getDefaultConnectionHandlingMode() {
        return PhysicalConnectionHandlingMode.DELAYED_ACQUISITION_AND_RELEASE_AFTER_STATEMENT;
    }

    /** The calling thread's transaction state on the database (identifies the transaction a session joined). */
    TransactionState currentState() {
        return Engines.of(database).state();
    }

    void joined(BlockCoordinator coordinator) {
        ArrayList<BlockCoordinator> coordinators = joined.get();
        if (coordinators == null) {
            coordinators = new ArrayList<>(2);
            joined.set(coordinators);
        }
        coordinators.add(coordinator);
    }

    void left(BlockCoordinator coordinator) {
        ArrayList<BlockCoordinator> coordinators = joined.get();
        if (coordinators != null) {
            coordinators.remove(coordinator);
        }
    }

    /**
     * Runs before every normal exit of a block on the database, nested or outermost, while it is
     * still open: pending changes of the sessions in this transaction go out now, so that a
     * constraint violation surfaces in the block that caused it and rolls back only that block.
     */
    private void beforeBlockExit() {
        ArrayList<BlockCoordinator> coordinators = joined.get();
        if (coordinators == null || coordinators.isEmpty()) {
            return;
        }
        TransactionState state = currentState();
        // A flush may open another session's work (listeners, cascades): iterate over a copy.
        for (BlockCoordinator coordinator : coordinators.toArray(new BlockCoordinator[0])) {
            coordinator.flushIfJoinedTo(state);
        }
    }
}
