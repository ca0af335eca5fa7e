package io.atomic4j.benchmarks;

import java.sql.Connection;

/**
 * The statements of one transaction or nested block: the same hand-written JDBC for every peer,
 * so that what the benchmarks compare is only how each library demarcates the transaction.
 */
@FunctionalInterface
interface Work {
    void run(Connection connection, Tx tx) throws Exception;

    /** What a body can do besides running statements: open a nested block on the same transaction. */
    interface Tx {
        /** Runs {@code body} in a nested block (a savepoint); an exception rolls back to it and propagates. */
        void nested(Work body) throws Exception;
    }
}
