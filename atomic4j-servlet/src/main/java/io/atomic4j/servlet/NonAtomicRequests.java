package io.atomic4j.servlet;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Opts a servlet out of the per-request atomic block that {@link AtomicRequestsFilter} opens
 * (Django: {@code @transaction.non_atomic_requests}). With no value the servlet runs outside a
 * block on every database; with aliases, only on those, and the others still wrap it.
 * <pre>{@code
 * @NonAtomicRequests              // no per-request block at all: the servlet manages its own
 * public final class ImportServlet extends HttpServlet { ... }
 *
 * @NonAtomicRequests("reports")   // "default" still wraps each request; "reports" does not
 * public final class ReportServlet extends HttpServlet { ... }
 * }</pre>
 * A servlet that streams (downloads, exports, server-sent events) needs it: inside a per-request
 * block the filter holds the whole response until the COMMIT. Commit what must be saved in a
 * {@code db.atomic(...)} block first, then write.
 * <p>Put it on the servlet class that the request is mapped to; the filter finds that class
 * through the request's {@link jakarta.servlet.http.HttpServletMapping} and reads the
 * annotation once per class (subclasses inherit it). An alias that names no database is reported as an error on the
 * first request, so a typo cannot silently leave a servlet inside a transaction.
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface NonAtomicRequests {
    /** The aliases this servlet opts out of; empty means every database. */
    String[] value() default {};
}
