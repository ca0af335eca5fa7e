package io.atomic4j.jdbi;

import io.atomic4j.Database;
import io.atomic4j.librarytests.LibraryMatrix;
import io.atomic4j.testing.TestDatabase;
import java.util.ArrayDeque;
import java.util.Deque;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * The library matrix for JDBI: useTransaction through {@link AtomicTransactionHandler}. A library
 * transaction nested in another runs {@code useTransaction} on the outer one's handle, so nesting
 * on one handle is covered too.
 */
class JdbiMatrixTest extends LibraryMatrix {
    private Jdbi jdbi;
    /** The handles of the JDBI transactions open on this thread, innermost first. */
    private final Deque<Handle> transactions = new ArrayDeque<>();

    @Override
    protected void open(Database db, TestDatabase testDatabase) {
        jdbi = AtomicTransactionHandler.jdbi(db);
    }

    @Override
    protected void insert(int id) {
        if (transactions.isEmpty()) {
            jdbi.useHandle(handle -> handle.execute("INSERT INTO item (id, name) VALUES (?, ?)", id, "item " + id));
        } else {
            transactions.peek().execute("INSERT INTO item (id, name) VALUES (?, ?)", id, "item " + id);
        }
    }

    @Override
    protected void libraryTransaction(Body body) throws Exception {
        if (transactions.isEmpty()) {
            jdbi.useTransaction(handle -> run(handle, body));
        } else {
            transactions.peek().useTransaction(handle -> run(handle, body));
        }
    }

    private void run(Handle handle, Body body) throws Exception {
        transactions.push(handle);
        try {
            body.run();
        } finally {
            transactions.pop();
        }
    }
}
