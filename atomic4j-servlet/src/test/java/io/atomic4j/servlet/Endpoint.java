package io.atomic4j.servlet;

import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/** A servlet whose GET runs a lambda, so each test states its servlet inline. */
class Endpoint extends HttpServlet {
    @FunctionalInterface
    interface Body {
        void handle(HttpServletRequest request, HttpServletResponse response) throws Exception;
    }

    private final transient Body body;

    Endpoint(Body body) {
        this.body = body;
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response)
            throws IOException, ServletException {
        try {
            body.handle(request, response);
        } catch (IOException | ServletException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new ServletException(e);
        }
    }

    /** Opts out of every per-request block. */
    @NonAtomicRequests
    static final class NonAtomic extends Endpoint {
        NonAtomic(Body body) {
            super(body);
        }
    }

    /** Opts out of the block on alias "other" only. */
    @NonAtomicRequests("other")
    static final class NonAtomicOnOther extends Endpoint {
        NonAtomicOnOther(Body body) {
            super(body);
        }
    }

    /** Names an alias that no database has. */
    @NonAtomicRequests("reprots")
    static final class NonAtomicOnTypo extends Endpoint {
        NonAtomicOnTypo(Body body) {
            super(body);
        }
    }
}
