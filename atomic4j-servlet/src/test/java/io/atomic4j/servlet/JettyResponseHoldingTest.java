package io.atomic4j.servlet;

/** The response-holding suite on Jetty 12 (ee10). */
class JettyResponseHoldingTest extends ResponseHoldingContract {
    @Override
    boolean cutsAStartedResponseOffOnError() {
        return true;
    }

    @Override
    Containers container() {
        return Containers.JETTY;
    }
}
