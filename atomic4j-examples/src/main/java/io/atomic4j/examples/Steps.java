package io.atomic4j.examples;

import jakarta.servlet.http.HttpServletRequest;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * What a request did, in plain words, in order: the response shows it, and when the request
 * fails {@link ErrorResponseFilter} shows how far it got before the rollback, then what the
 * rollback hooks did. Lives in a request attribute.
 */
final class Steps {
    private static final String ATTRIBUTE = Steps.class.getName();
    private final List<String> done = new CopyOnWriteArrayList<>();
    private final List<String> byHooks = new CopyOnWriteArrayList<>();

    static Steps of(HttpServletRequest request) {
        Steps steps = (Steps) request.getAttribute(ATTRIBUTE);
        if (steps == null) {
            steps = new Steps();
            request.setAttribute(ATTRIBUTE, steps);
        }
        return steps;
    }

    /** A step of the request itself. */
    void add(String step) {
        done.add(step);
    }

    /** A step taken by an onCommit/onRollback hook, after the transaction ended. */
    void addByHook(String step) {
        byHooks.add(step);
    }

    List<String> list() {
        return List.copyOf(done);
    }

    List<String> byHooks() {
        return List.copyOf(byHooks);
    }
}
