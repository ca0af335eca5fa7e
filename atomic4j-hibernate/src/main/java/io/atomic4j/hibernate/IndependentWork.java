package io.atomic4j.hibernate;

import io.atomic4j.AtomicOptions;
import io.atomic4j.Database;
import java.sql.Connection;
import java.util.concurrent.Callable;
import org.hibernate.HibernateException;
import org.hibernate.jdbc.WorkExecutor;
import org.hibernate.jdbc.WorkExecutorVisitable;
import org.hibernate.resource.transaction.spi.IsolationDelegate;

/**
 * Work Hibernate wants isolated from the current transaction (table-based id generators, some
 * schema tools): an independent atomic block on its own pooled connection, committed on its own.
 * Hibernate's default would commit on the connection it is given, which inside a block is the
 * block's connection, refused there.
 */
final class IndependentWork implements IsolationDelegate {
    private static final AtomicOptions INDEPENDENT = AtomicOptions.defaults().independent(true);
    private final Database database;

    IndependentWork(Database database) {
        this.database = database;
    }

    @Override
    public <T> T delegateWork(WorkExecutorVisitable<T> work, boolean transacted) throws HibernateException {
        return delegateCallable(() -> {
            try (Connection connection = database.connection()) {
                return work.accept(new WorkExecutor<>(), connection);
            }
        }, transacted);
    }

    /** Transacted or not, the work runs in its own block: a one-statement block costs what autocommit does. */
    @Override
    public <T> T delegateCallable(Callable<T> callable, boolean transacted) throws HibernateException {
        try {
            return database.atomic(INDEPENDENT, callable::call);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new HibernateException("Isolated work failed on database '" + database.alias() + "'", e);
        }
    }
}
