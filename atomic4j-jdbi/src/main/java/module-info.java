/** JDBI's transactions and savepoints as atomic blocks: {@link io.atomic4j.jdbi.AtomicTransactionHandler}. */
module io.atomic4j.jdbi {
    requires transitive io.atomic4j;
    // A JDBI TransactionHandler; the application brings JDBI.
    requires transitive org.jdbi.v3.core;

    exports io.atomic4j.jdbi;
}
