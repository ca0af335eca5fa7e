/** jOOQ's transactions as atomic blocks: {@link io.atomic4j.jooq.AtomicTransactionProvider}. */
module io.atomic4j.jooq {
    requires transitive io.atomic4j;
    // A jOOQ TransactionProvider; the application brings jOOQ (open-source or commercial edition).
    requires transitive org.jooq;

    exports io.atomic4j.jooq;
}
