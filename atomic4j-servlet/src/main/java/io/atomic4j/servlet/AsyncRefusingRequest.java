package io.atomic4j.servlet;

import io.atomic4j.Database;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;

/**
 * The request a servlet sees inside per-request blocks: the same request, except that it does
 * not support async processing and {@code startAsync} fails with a message saying why.
 */
final class AsyncRefusingRequest extends HttpServletRequestWrapper {
    private final Database[] wrapping;

    AsyncRefusingRequest(HttpServletRequest request, Database[] wrapping) {
        super(request);
        this.wrapping = wrapping;
    }

    @Override
    public boolean isAsyncSupported() {
        return false;
    }

    @Override
    public AsyncContext startAsync() {
        throw Messages.asyncRefused(wrapping);
    }

    @Override
    public AsyncContext startAsync(ServletRequest servletRequest, ServletResponse servletResponse) {
        throw Messages.asyncRefused(wrapping);
    }
}
