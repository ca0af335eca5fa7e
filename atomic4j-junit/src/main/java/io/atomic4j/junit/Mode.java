package io.atomic4j.junit;

/** How a test class's tests treat the database. */
enum Mode {
    /** Each test in a block rolled back afterwards, class set-up in an outer one (Django's TestCase). */
    ROLLBACK,
    /** Tests commit for real; named tables are emptied after each test (Django's TransactionTestCase). */
    COMMIT
}
