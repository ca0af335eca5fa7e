package io.atomic4j.jdbi;

import io.atomic4j.AtomicOptions;
import io.atomic4j.Database;
import io.atomic4j.Isolation;
import java.sql.SQLException;
import java.util.Objects;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.HandleCallback;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.transaction.TransactionException;
import org.jdbi.v3.core.transaction.TransactionHandler;
import org.jdbi.v3.core.transaction.TransactionIsolationLevel;

/**
 * Makes JDBI's own transactions atomic blocks of a {@link Database}. {@code useTransaction},
 * {@code inTransaction} and {@code begin()}/{@code commit()}/{@code rollback()} open and end a
 * block: the outermost is the transaction, a nested one (inside another JDBI transaction, on
 * the same handle or not, or inside {@code db.atomic}) is a savepoint, so a throw inside it
 * rolls back exactly its own work. {@code savepoint}/{@code rollbackToSavepoint}/{@code
 * releaseSavepoint} are atomic4j's manual savepoints.
 * <pre>{@code
 * Jdbi jdbi = AtomicTransactionHandler.jdbi(db);
 * jdbi.useTransaction(handle -> handle.execute("INSERT INTO users (email) VALUES (?)", email));
 * }</pre>
 * Differences from JDBI's default handler, all for Django's semantics:
 * <ul>
 *   <li>{@code Handle.isInTransaction()} reports false, so that every {@code inTransaction}
 *       reaches this handler and nests as a savepoint instead of joining silently. Handle
 *       callbacks ({@code handle.afterCommit}) are therefore unavailable: use
 *       {@code db.onCommit} and {@code db.onRollback}, which also know about savepoints.</li>
 *   <li>A statement that fails inside a JDBI transaction marks it for rollback: if the body
 *       swallows the error, the transaction rolls back at its end and throws
 *       {@link io.atomic4j.TransactionManagementException} instead of committing.</li>
 *   <li>A handle closed with a transaction still open (begun, neither committed nor rolled back)
 *       rolls it back and its close() throws.</li>
 *   <li>An isolation level applies to an outermost transaction only, as in atomic4j.</li>
 * </ul>
 * The Jdbi must come from {@link #jdbi(Database)}: its handles' connections follow the thread's
 * block. With a Jdbi over a plain DataSource a handle keeps the connection it was opened with,
 * and a transaction begun after the handle would not contain its statements; the handler
 * refuses such handles.
 *
 * <p>Thread-safe; the per-handle state lives in the handle (JDBI's {@code specialize}), and a
 * transaction belongs to the thread that began it.
 */
public final class AtomicTransactionHandler implements TransactionHandler {
    private final Database db;

    /** JDBI transactions become blocks of {@code db}; install with {@code jdbi.setTransactionHandler}. */
    public AtomicTransactionHandler(Database db) {
        this.db = Objects.requireNonNull(db, "db");
    }

    /**
     * A Jdbi over {@code db} with this handler installed, whose handles run their statements on
     * the block's connection whenever a block of {@code db} is open on the calling thread, and on
     * a pooled autocommit connection otherwise.
     */
    public static Jdbi jdbi(Database db) {
        Objects.requireNonNull(db, "db");
        return Jdbi.create(() -> new FollowingConnection(db)).setTransactionHandler(new AtomicTransactionHandler(db));
    }

    @Override
    public TransactionHandler specialize(Handle handle) throws SQLException {
        if (!FollowingConnection.isFollowing(handle.getConnection())) {
            throw new TransactionException("AtomicTransactionHandler on database '" + db.alias() + "' needs the Jdbi made by"
                    + " AtomicTransactionHandler.jdbi(db): this handle's connection (" + handle.getConnection()
                    + ") is fixed when the handle opens, so a transaction begun later would not contain its statements.");
        }
        HandleTransactions transactions = new HandleTransactions(db);
        handle.addCleanable(transactions::closeLeftOpen);
        return transactions;
    }

    // Handles always call the specialized handler; these are reached only if JDBI changes that.

    @Override
    public void begin(Handle handle) {
        throw notSpecialized();
    }

    @Override
    public void commit(Handle handle) {
        throw notSpecialized();
    }

    @Override
    public void rollback(Handle handle) {
        throw notSpecialized();
    }

    @Override
    public boolean isInTransaction(Handle handle) {
        return false;
    }

    @Override
    public void savepoint(Handle handle, String savepointName) {
        throw notSpecialized();
    }

    @Override
    public void rollbackToSavepoint(Handle handle, String savepointName) {
        throw notSpecialized();
    }

    @Override
    public void releaseSavepoint(Handle handle, String savepointName) {
        throw notSpecialized();
    }

    @Override
    public <R, X extends Exception> R inTransaction(Handle handle, HandleCallback<R, X> callback) {
        throw notSpecialized();
    }

    @Override
    public <R, X extends Exception> R inTransaction(Handle handle, TransactionIsolationLevel level,
            HandleCallback<R, X> callback) {
        throw notSpecialized();
    }

    private TransactionException notSpecialized() {
        return new TransactionException("AtomicTransactionHandler on database '" + db.alias()
                + "' was called without a handle-specific state; JDBI calls it through Handle, after specialize(handle).");
    }

    /** atomic4j's isolation for a JDBI level; null (the database's default) for NONE and UNKNOWN. */
    static Isolation isolation(TransactionIsolationLevel level) {
        if (level == null) {
            return null;
        }
        return switch (level) {
            case READ_UNCOMMITTED -> Isolation.READ_UNCOMMITTED;
            case READ_COMMITTED -> Isolation.READ_COMMITTED;
            case REPEATABLE_READ -> Isolation.REPEATABLE_READ;
            case SERIALIZABLE -> Isolation.SERIALIZABLE;
            case NONE, UNKNOWN -> null;
        };
    }

    static AtomicOptions options(TransactionIsolationLevel level) {
        Isolation isolation = isolation(level);
        return isolation == null ? AtomicOptions.defaults() : AtomicOptions.defaults().isolation(isolation);
    }
}
