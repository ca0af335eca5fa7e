package io.atomic4j.servlet;

/** The response-holding suite on Undertow 2.3. */
class UndertowResponseHoldingTest extends ResponseHoldingContract {
    @Override
    boolean cutsAStartedResponseOffOnError() {
        return false;
    }

    @Override
    Containers container() {
        return Containers.UNDERTOW;
    }
}
