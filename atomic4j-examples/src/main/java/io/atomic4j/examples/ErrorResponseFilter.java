package io.atomic4j.examples;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.atomic4j.CommitOutcomeUnknownException;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Outside {@code AtomicRequestsFilter}: an exception reaches this filter after the request's
 * transaction was rolled back (Django's exception middleware runs at the same point), and it
 * answers in JSON what happened, how far the request got, and what the database holds now.
 */
final class ErrorResponseFilter implements Filter {
    private static final Logger log = LoggerFactory.getLogger(ErrorResponseFilter.class);
    private final Inspector inspector;

    ErrorResponseFilter(Inspector inspector) {
        this.inspector = inspector;
    }

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        HttpServletRequest http = (HttpServletRequest) request;
        if (http.getContentLengthLong() > Json.MAX_BODY_BYTES) {
            explain(http, (HttpServletResponse) response, ApiError.tooLarge("The request body has "
                    + http.getContentLengthLong() + " bytes, more than the " + Json.MAX_BODY_BYTES / 1024 + " KiB the demo "
                    + "reads; its requests are small JSON objects, for example {\"user\": \"alice\"}."));
            return;
        }
        try {
            chain.doFilter(request, new JsonErrors(http, (HttpServletResponse) response));
        } catch (IOException | ServletException | RuntimeException e) {
            if (response.isCommitted()) {
                throw e;
            }
            explain((HttpServletRequest) request, (HttpServletResponse) response, e);
        }
    }

    private void explain(HttpServletRequest request, HttpServletResponse response, Exception error) throws IOException {
        response.reset();
        ObjectNode body = Json.object();
        int status;
        FaultSwitch.InjectedFault fault = Failures.injectedFault(error);
        if (error instanceof ApiError) {
            status = ((ApiError) error).status;
            body.put("message", error.getMessage());
            body.put("outcome", "rolled back: nothing this request wrote is stored");
        } else if (fault != null) {
            status = 503;
            body.put("message", "The database failed in the middle of this request. The request's transaction was "
                    + "rolled back, so nothing it wrote is stored, and its onCommit hooks did not run.");
            body.put("outcome", "rolled back");
            body.put("error", fault.getMessage());
            log.warn("{} {}: {}; rolled back, and the pool discarded the connection", request.getMethod(),
                    request.getRequestURI(), fault.getMessage());
        } else if (error instanceof CommitOutcomeUnknownException) {
            status = 500;
            body.put("message", "The connection was lost during COMMIT: the request's writes may or may not be stored. "
                    + "Check before retrying.");
            body.put("outcome", "unknown");
            body.put("error", error.getMessage());
            log.error("{} {} failed", request.getMethod(), request.getRequestURI(), error);
        } else {
            status = 500;
            body.put("message", "The request failed and its transaction was rolled back: nothing it wrote is stored.");
            body.put("outcome", "rolled back");
            body.put("error", error.getClass().getSimpleName() + ": " + error.getMessage());
            log.error("{} {} failed", request.getMethod(), request.getRequestURI(), error);
        }
        if (status >= 500) {
            Steps recorded = Steps.of(request);
            List<String> steps = new ArrayList<>(recorded.list());
            steps.add("failed: " + (fault != null ? "the database connection was lost" : error.getMessage()));
            if (!(error instanceof CommitOutcomeUnknownException)) {
                steps.add("the transaction was rolled back");
            }
            steps.addAll(recorded.byHooks());
            body.set("steps", Json.MAPPER.valueToTree(steps));
        }
        if (status >= 500) {
            body.set("databaseNowHolds", databaseNowHolds());
        }
        Json.write(response, status, body);
    }

    private ObjectNode databaseNowHolds() {
        try {
            return Json.MAPPER.valueToTree(inspector.rowCounts());
        } catch (RuntimeException e) {
            return Json.object().put("unavailable", e.getMessage());
        }
    }

    /** Answers the servlet container's own errors (405, 501, ...) in the demo's JSON shape instead of an empty body. */
    private static final class JsonErrors extends HttpServletResponseWrapper {
        private final HttpServletRequest request;

        JsonErrors(HttpServletRequest request, HttpServletResponse response) {
            super(response);
            this.request = request;
        }

        @Override
        public void sendError(int status) throws IOException {
            sendError(status, null);
        }

        @Override
        public void sendError(int status, String reason) throws IOException {
            if (isCommitted()) {
                super.sendError(status, reason);
                return;
            }
            String what = request.getMethod() + " " + request.getRequestURI();
            String message;
            if (status == 405) {
                message = what + " is not supported: this path does not take " + request.getMethod() + ". GET / lists "
                        + "what the service offers.";
            } else if (status == 501) {
                message = "The method " + request.getMethod() + " is not known to the demo. GET / lists what it offers.";
            } else if (status == 404) {
                message = "Nothing at " + what + ". GET / lists what the service offers.";
            } else {
                message = what + " failed with HTTP " + status + (reason == null ? "" : " (" + reason + ")") + ".";
            }
            resetBuffer();
            ObjectNode body = Json.object();
            body.put("message", message);
            body.put("outcome", "nothing was done");
            Json.write((HttpServletResponse) getResponse(), status, body);
        }
    }
}
