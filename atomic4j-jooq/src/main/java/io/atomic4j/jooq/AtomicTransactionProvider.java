package io.atomic4j.jooq;

import io.atomic4j.AtomicOptions;
import io.atomic4j.AtomicScope;
import io.atomic4j.Database;
import java.util.Objects;
import org.jooq.Transaction;
import org.jooq.TransactionContext;
import org.jooq.TransactionProvider;
import org.jooq.exception.DataAccessException;
import org.jooq.impl.DataSourceConnectionProvider;

/**
 * Makes jOOQ's own transactions ({@code DSLContext.transaction}, {@code transactionResult})
 * atomic blocks of a {@link Database}: the outermost is the transaction, a nested one (inside
 * another jOOQ transaction or inside {@code db.atomic}) is a savepoint, taken only when the
 * nested transaction runs a statement.
 * <pre>{@code
 * DSLContext dsl = DSL.using(db.dataSource(), SQLDialect.POSTGRES);
 * dsl.configuration().set(new AtomicTransactionProvider(db));
 * dsl.transaction(tx -> tx.dsl().insertInto(USERS).set(USERS.EMAIL, email).execute());
 * }</pre>
 * The DSLContext must reach the database through {@code db.dataSource()}, so that its queries
 * run on the block's connection. Everything else follows atomic4j's rules: a query that fails
 * inside a jOOQ transaction marks it for rollback, and a transaction whose body swallowed such
 * an error rolls back and throws {@link io.atomic4j.TransactionManagementException} at its end
 * instead of committing. onCommit callbacks run after the outermost commit.
 *
 * <p>Thread-safe; one provider serves any number of threads. A jOOQ transaction belongs to the
 * thread that began it.
 */
public final class AtomicTransactionProvider implements TransactionProvider {
    private final Database db;
    private final AtomicOptions options;

    /** jOOQ transactions become blocks of {@code db} with default options. */
    public AtomicTransactionProvider(Database db) {
        this(db, AtomicOptions.defaults());
    }

    /**
     * jOOQ transactions become blocks of {@code db} opened with {@code options} (isolation and
     * read-only apply to outermost blocks only; retries need the lambda form {@code db.atomic}).
     */
    public AtomicTransactionProvider(Database db, AtomicOptions options) {
        this.db = Objects.requireNonNull(db, "db");
        this.options = Objects.requireNonNull(options, "options must not be null; use AtomicOptions.defaults()");
    }

    @Override
    public void begin(TransactionContext context) {
        if (context.configuration().connectionProvider() instanceof DataSourceConnectionProvider provider
                && provider.dataSource() != db.dataSource()) {
            // Its queries would run on connections of their own, outside the block: refuse before any work.
            throw new DataAccessException("AtomicTransactionProvider of database '" + db.alias() + "' on a DSLContext over"
                    + " another DataSource (" + provider.dataSource() + "): create it with DSL.using(db.dataSource(), dialect).");
        }
        context.transaction(new Block(db.begin(options)));
    }

    @Override
    public void commit(TransactionContext context) {
        AtomicScope scope = scope(context);
        scope.complete();
        scope.close();
    }

    @Override
    public void rollback(TransactionContext context) {
        // jOOQ also calls this after a failed commit; the scope is closed by then and close() does nothing.
        scope(context).close();
    }

    private AtomicScope scope(TransactionContext context) {
        if (context.transaction() instanceof Block block) {
            return block.scope;
        }
        throw new DataAccessException("The jOOQ transaction on database '" + db.alias()
                + "' was not begun by AtomicTransactionProvider (found " + context.transaction()
                + "); set the provider before the transaction starts and do not replace it inside one.");
    }

    /** The atomic block of one jOOQ transaction, kept in jOOQ's TransactionContext. */
    private record Block(AtomicScope scope) implements Transaction {
    }
}
