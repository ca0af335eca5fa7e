/** JUnit Jupiter support: every test in a rolled-back block, on-commit callbacks captured. */
module io.atomic4j.junit {
    requires transitive io.atomic4j;
    // The extension's callbacks and @ExtendWith on the annotations are Jupiter API.
    requires transitive org.junit.jupiter.api;
    requires org.junit.platform.commons;
    requires org.slf4j;

    exports io.atomic4j.junit;
}
