/** MyBatis sessions as atomic blocks: {@link io.atomic4j.mybatis.AtomicTransactionFactory}. */
module io.atomic4j.mybatis {
    requires transitive io.atomic4j;
    // A MyBatis TransactionFactory; the application brings MyBatis.
    requires transitive org.mybatis;

    exports io.atomic4j.mybatis;
}
