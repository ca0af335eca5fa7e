package io.atomic4j.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The response-holding suite on Tomcat 10.1 (Servlet 6.0). */
class TomcatResponseHoldingTest extends ResponseHoldingContract {
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
        assertThat(Containers.tomcatVersion()).startsWith("Apache Tomcat/10.1.");
    }
}
