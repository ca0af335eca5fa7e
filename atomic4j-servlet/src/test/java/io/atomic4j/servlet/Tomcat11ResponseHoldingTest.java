package io.atomic4j.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The response-holding suite on Tomcat 11 (Servlet 6.1), run by the surefire execution 'tomcat-11' on its own classpath. */
class Tomcat11ResponseHoldingTest extends ResponseHoldingContract {
    @BeforeAll
    static void onlyOnTheTomcat11Classpath() {
        // A -Dtest=... pattern may also pick this class in the default execution, on Tomcat 10.1.
        assumeTrue(Boolean.getBoolean("atomic4j.tomcat11"), "runs in the surefire execution 'tomcat-11'");
    }

    @Override
    boolean cutsAStartedResponseOffOnError() {
        return true;
    }

    @Override
    Containers container() {
        return Containers.TOMCAT;
    }

    @Test
    void runsOnTheIntendedTomcat() {
        assertThat(Containers.tomcatVersion()).startsWith("Apache Tomcat/11.");
    }
}
