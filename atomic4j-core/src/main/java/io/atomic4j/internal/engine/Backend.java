package io.atomic4j.internal.engine;

import io.atomic4j.AtomicOptions;

/**
 * What the engine ({@link AtomicBlocks}) drives: the transactional resource of one database
 * alias. JDBC implements it with a pooled connection; atomic4j-mongodb with a client session.
 * The engine never imports java.sql; everything that talks to a driver lives behind this.
 *
 * <p>Implementations are thread-safe; a {@link Session} is used by one thread at a time.
 */
public interface Backend {
    /** The alias named in every message. */
    String alias();

    /**
     * Opens this thread's transaction: borrows the resource and starts a transaction on it,
     * honouring the outermost block's options ({@link AtomicOptions#defaults()} for a manual
     * transaction) and whatever the front end passed with them ({@code frontEndSettings}, null
     * from Database; MongoAtomic's transaction options). Failures are
     * {@link io.atomic4j.DatabaseException}s.
     */
    Session begin(AtomicOptions options, Object frontEndSettings);

    /**
     * True when re-running the whole transaction may succeed after {@code error}: serialization
     * failure, deadlock, lock timeout, or a connection lost before COMMIT. Never true for
     * {@link io.atomic4j.CommitOutcomeUnknownException}.
     */
    boolean isTransient(Throwable error);

    /** False where nested blocks cannot roll back on their own (MongoDB): they join the transaction instead. */
    boolean supportsSavepoints();

    /** One open transaction on a borrowed resource. All failures are {@link io.atomic4j.DatabaseException}s. */
    interface Session {
        void savepoint(String name);

        void rollbackToSavepoint(String name);

        /** Releases a savepoint; dialects that cannot release tolerate it silently. */
        void releaseSavepoint(String name);

        /**
         * Undoes a failed nested block: rolls back to its savepoint, which the engine never uses
         * again, so a backend may release it in the same round trip or leave it to the end of the
         * transaction (its name is not reused while anything the engine tracks is open).
         */
        default void rollbackToAndReleaseSavepoint(String name) {
            rollbackToSavepoint(name);
            releaseSavepoint(name);
        }

        /**
         * Commits. Returns normally if the transaction committed (also when a lost connection's
         * outcome was resolved as committed); throws a {@link io.atomic4j.DatabaseException} if it
         * did not, or {@link io.atomic4j.CommitOutcomeUnknownException} if nobody can tell.
         */
        void commit();

        /**
         * {@link #commit()} for a transaction that ends the session ({@link #close()} follows at
         * once), so a backend may fold the restoring of its defaults into the commit.
         */
        default void commitBeforeClose() {
            commit();
        }

        void rollback();

        /** True once the resource is known to be unusable (connection lost): no more work is sent to it. */
        boolean isBroken();

        /** Marks the resource unusable, so {@link #close()} discards it instead of returning it. */
        void markBroken();

        /** Ends the session: restores the resource's defaults and returns it, or discards it if broken. Never throws. */
        void close();

        /**
         * Called from another thread when the database closes: makes the resource unusable at once,
         * so that nothing it holds (locks) outlives the database; the owning thread finds out at its
         * next use and still calls {@link #close()}. Never throws.
         */
        default void abort() {
            markBroken();
        }
    }

    /** The broken flag every session keeps the same way; backends extend this. */
    abstract class BrokenFlagSession implements Session {
        /** Volatile: {@link #abort()} sets it from the thread that closes the database. */
        protected volatile boolean broken;

        @Override
        public final boolean isBroken() {
            return broken;
        }

        @Override
        public final void markBroken() {
            broken = true;
        }
    }
}
