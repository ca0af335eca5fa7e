package io.atomic4j.servlet;

import io.atomic4j.Database;
import io.atomic4j.Databases;
import io.atomic4j.OnCommitFailedException;
import io.atomic4j.internal.engine.Engines;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRegistration;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletMapping;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wraps each HTTP request in an atomic block on every database built with
 * {@code atomicRequests(true)} (Django: {@code ATOMIC_REQUESTS = True}).
 * <pre>{@code
 * Database db = Database.builder("jdbc:postgresql://localhost/shop").atomicRequests(true).build();
 * ServletContextHandler context = new ServletContextHandler();
 * context.addFilter(new FilterHolder(new AtomicRequestsFilter(Databases.of(db))), "/*",
 *         EnumSet.of(DispatcherType.REQUEST));
 * }</pre>
 * What a request sees, as in Django:
 * <ul>
 * <li>The servlet returns normally: the block commits; then the response it wrote (status,
 *     headers, body), held until now, goes to the client whole; then the {@code onCommit} hooks
 *     run. A servlet that sets an error status without throwing still commits, unless
 *     {@link Builder#rollbackOnServerError(boolean)} is on. A hook that fails after the commit
 *     does not change the response (the data is committed): it is logged at ERROR as an
 *     {@link io.atomic4j.OnCommitFailedException}.</li>
 * <li>The COMMIT fails: nothing the servlet wrote leaves, flushes included; the exception goes on
 *     to the container or an outer error filter, which answers with its error response.</li>
 * <li>The servlet throws: the block rolls back and the same exception goes on to the container
 *     (or to an outer filter that renders errors), like Django's exception middleware, which runs
 *     after the rollback.</li>
 * <li>Several databases: one block each, nested in alias order with the first alias innermost,
 *     so on success the first alias commits first. A later alias that fails to commit rolls back
 *     while the earlier ones stay committed; there is no cross-database atomicity.</li>
 * <li>A servlet annotated {@link NonAtomicRequests} runs outside the blocks it opts out of.</li>
 * <li>{@code startAsync()} inside a per-request block is refused with an
 *     {@link IllegalStateException} (Django refuses async views the same way): the block would
 *     end when the servlet returns, before the async work runs.</li>
 * </ul>
 * Only {@link DispatcherType#REQUEST} dispatches open blocks. Forwards and includes run inside
 * the request's blocks; an ERROR dispatch renders the error page after the rollback.
 * <p>The held body is limited ({@link Builder#maxHeldResponseBytes(int)}, 4 MiB by default): a
 * servlet that writes more fails and its request rolls back. Servlets that stream (downloads,
 * server-sent events) opt out with {@link NonAtomicRequests} and commit before they write.
 * <p>Beyond Django, opt in through {@link #builder(Databases)}: roll back on a 5xx status set
 * without an exception, and a warning when a request holds its transaction too long.
 * <p>Thread-safe: one instance serves every request; per-servlet decisions are cached.
 */
public final class AtomicRequestsFilter implements Filter {
    private static final Logger log = LoggerFactory.getLogger(AtomicRequestsFilter.class);
    /** Large enough for pages and JSON documents, small enough for a few hundred concurrent requests. */
    static final int DEFAULT_MAX_HELD_RESPONSE_BYTES = 4 << 20;

    /** What {@link NonAtomicRequests} says for each servlet class, read once per class. */
    private static final ClassValue<OptOut> OPT_OUTS = new ClassValue<>() {
        @Override
        protected OptOut computeValue(Class<?> servletClass) {
            NonAtomicRequests annotation = servletClass.getAnnotation(NonAtomicRequests.class);
            if (annotation == null) {
                return OptOut.NONE;
            }
            return new OptOut(annotation.value().length == 0, Set.copyOf(Arrays.asList(annotation.value())));
        }
    };

    private final Databases databases;
    /** The databases that wrap requests, in alias order: index 0 is innermost and commits first. */
    private final Database[] atomicDatabases;
    private final boolean rollbackOnServerError;
    private final boolean holdResponse;
    private final int maxHeldResponseBytes;
    /** Warn when a request's blocks stay open longer than this; negative means never. */
    private final long slowRequestNanos;
    /** Statement count above which a request is logged at WARN; -1 = off. */
    private final int manyStatementsThreshold;
    /** The databases that wrap requests to each servlet, by servlet name, after its opt-outs. */
    private final ConcurrentHashMap<String, Database[]> databasesByServlet = new ConcurrentHashMap<>();

    /**
     * A filter that wraps each request on every database of {@code databases} built with
     * {@code atomicRequests(true)}, with the Django defaults (no 5xx rollback, no warnings).
     * <pre>{@code new AtomicRequestsFilter(Databases.of(db))}</pre>
     */
    public AtomicRequestsFilter(Databases databases) {
        this(new Builder(databases));
    }

    private AtomicRequestsFilter(Builder builder) {
        this.databases = builder.databases;
        this.atomicDatabases = builder.selectDatabases();
        this.rollbackOnServerError = builder.rollbackOnServerError;
        this.holdResponse = builder.holdResponse;
        this.maxHeldResponseBytes = builder.maxHeldResponseBytes;
        this.slowRequestNanos = builder.slowRequestThreshold == null ? -1 : builder.slowRequestThreshold.toNanos();
        this.manyStatementsThreshold = builder.manyStatementsThreshold;
    }

    /**
     * A builder for the options beyond Django.
     * <pre>{@code
     * AtomicRequestsFilter filter = AtomicRequestsFilter.builder(databases)
     *         .rollbackOnServerError(true)
     *         .slowRequestWarning(Duration.ofMillis(500))
     *         .build();
     * }</pre>
     */
    public static Builder builder(Databases databases) {
        return new Builder(databases);
    }

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        if (request.getDispatcherType() != DispatcherType.REQUEST || !(request instanceof HttpServletRequest)) {
            chain.doFilter(request, response);
            return;
        }
        HttpServletRequest httpRequest = (HttpServletRequest) request;
        Database[] wrapping = databasesFor(httpRequest);
        if (wrapping.length == 0) {
            chain.doFilter(request, response);
            return;
        }
        long started = slowRequestNanos >= 0 ? System.nanoTime() : 0L;
        HeldResponse held = holdResponse && response instanceof HttpServletResponse
                ? new HeldResponse((HttpServletResponse) response, maxHeldResponseBytes, httpRequest, wrapping)
                : null;
        try {
            RequestRun run = new RequestRun(wrapping, new AsyncRefusingRequest(httpRequest, wrapping),
                    held != null ? held : response, held, chain);
            runBlock(run, wrapping.length - 1);
            if (held != null) {
                // Committed (released already by the outermost hook) or rolled back without an
                // exception (setRollback, rollbackOnServerError): the servlet's own response stands.
                held.release();
            }
            if (run.releaseFailure != null) {
                throw run.releaseFailure;
            }
        } finally {
            if (slowRequestNanos >= 0) {
                warnIfSlow(httpRequest, wrapping, System.nanoTime() - started);
            }
        }
    }

    /**
     * Opens the block on {@code wrapping[index]} around the blocks of the lower indexes (Django's
     * make_view_atomic: the first alias is innermost, so it commits first). The first hook of each
     * block marks its commit, so that what fails after it (an onCommit callback) is told apart
     * from what rolled it back; the outermost one also releases the held response, before the
     * application's callbacks run.
     */
    private void runBlock(RequestRun run, int index) throws IOException, ServletException {
        Database database = run.wrapping[index];
        boolean outermost = index == run.wrapping.length - 1;
        try {
            database.atomic(() -> {
                database.onCommit(outermost ? run::committedOutermost : () -> run.committed[index] = true);
                if (index == 0) {
                    run.chain.doFilter(run.request, run.response);
                    afterServlet(run);
                } else {
                    runBlock(run, index - 1);
                }
            });
        } catch (RuntimeException | Error e) {
            if (!run.committed[index] || e instanceof VirtualMachineError) {
                throw e;
            }
            // The data is committed: never report "the request failed and nothing was saved".
            OnCommitFailedException failure = e instanceof OnCommitFailedException
                    ? (OnCommitFailedException) e : new OnCommitFailedException(database.alias(), e);
            log.error(Messages.CALLBACK_FAILED, run.request.getMethod(), run.request.getRequestURI(),
                    database.alias(), failure);
        } catch (IOException | ServletException e) {
            throw e;
        } catch (Exception e) {
            // chain.doFilter throws nothing else; keep the compiler honest without hiding anything.
            throw new ServletException(e);
        }
    }

    /** Runs inside every block, after the servlet returned normally. */
    private void afterServlet(RequestRun run) {
        Database[] wrapping = run.wrapping;
        HttpServletRequest request = run.request;
        if (run.held != null) {
            run.held.flushWriter();
            if (run.held.overLimit() != null) {
                // Also when the servlet caught it: a cut-off response must not commit as a success.
                throw run.held.overLimit();
            }
        }
        if (manyStatementsThreshold >= 0) {
            warnIfManyStatements(wrapping, request);
        }
        if (request.isAsyncStarted()) {
            // The servlet reached the container's request past our wrapper (it unwrapped it).
            request.getAsyncContext().complete();
            throw Messages.asyncRefused(wrapping);
        }
        ServletResponse response = run.response;
        if (rollbackOnServerError && response instanceof HttpServletResponse
                && ((HttpServletResponse) response).getStatus() >= 500) {
            for (Database database : wrapping) {
                database.setRollback(true);
            }
            if (log.isDebugEnabled()) {
                log.debug("{} {} answered {}; rolling back its transaction on {}", request.getMethod(),
                        request.getRequestURI(), ((HttpServletResponse) response).getStatus(),
                        Messages.aliases(wrapping));
            }
        }
    }

    /** One request's way through its blocks. */
    private static final class RequestRun {
        final Database[] wrapping;
        final HttpServletRequest request;
        final ServletResponse response;
        final HeldResponse held;
        final FilterChain chain;
        /** Set by the first onCommit hook of each block: that alias committed. */
        final boolean[] committed;
        /** Writing the released response failed (the client went away): the data is committed. */
        IOException releaseFailure;

        RequestRun(Database[] wrapping, HttpServletRequest request, ServletResponse response, HeldResponse held,
                   FilterChain chain) {
            this.wrapping = wrapping;
            this.request = request;
            this.response = response;
            this.held = held;
            this.chain = chain;
            this.committed = new boolean[wrapping.length];
        }

        /** The outermost block's first hook: every alias committed, so the client may see the response. */
        void committedOutermost() {
            committed[committed.length - 1] = true;
            if (held == null) {
                return;
            }
            try {
                held.release();
            } catch (IOException e) {
                releaseFailure = e;
            } catch (RuntimeException e) {
                releaseFailure = new IOException("Writing the held response of " + request.getMethod() + " "
                        + request.getRequestURI() + " after the commit failed", e);
            }
        }
    }

    private void warnIfManyStatements(Database[] wrapping, HttpServletRequest request) {
        for (Database database : wrapping) {
            int statements = Engines.of(database).statementCount();
            if (statements > manyStatementsThreshold) {
                log.warn(Messages.MANY_STATEMENTS, request.getMethod(), request.getRequestURI(), statements,
                        database.alias(), manyStatementsThreshold);
            }
        }
    }

    private void warnIfSlow(HttpServletRequest request, Database[] wrapping, long elapsedNanos) {
        if (elapsedNanos > slowRequestNanos) {
            log.warn(Messages.SLOW_REQUEST, request.getMethod(), request.getRequestURI(), Messages.aliases(wrapping),
                    TimeUnit.NANOSECONDS.toMillis(elapsedNanos), TimeUnit.NANOSECONDS.toMillis(slowRequestNanos));
        }
    }

    /** The databases whose blocks wrap this request: all, minus the target servlet's opt-outs. */
    private Database[] databasesFor(HttpServletRequest request) {
        HttpServletMapping mapping = request.getHttpServletMapping();
        String servletName = mapping == null ? null : mapping.getServletName();
        if (servletName == null || servletName.isEmpty()) {
            return atomicDatabases;
        }
        Database[] cached = databasesByServlet.get(servletName);
        if (cached == null) {
            cached = databasesByServlet.computeIfAbsent(servletName, name -> resolve(request, name));
        }
        return cached;
    }

    private Database[] resolve(HttpServletRequest request, String servletName) {
        Class<?> servletClass = servletClass(request, servletName);
        OptOut optOut = servletClass == null ? OptOut.NONE : OPT_OUTS.get(servletClass);
        if (optOut == OptOut.NONE) {
            return atomicDatabases;
        }
        if (optOut.all) {
            return new Database[0];
        }
        for (String alias : optOut.aliases) {
            if (!isKnown(alias)) {
                throw Messages.unknownOptOut(servletClass, alias, databases);
            }
        }
        List<Database> kept = new ArrayList<>(atomicDatabases.length);
        for (Database database : atomicDatabases) {
            if (!optOut.aliases.contains(database.alias())) {
                kept.add(database);
            }
        }
        return kept.toArray(new Database[0]);
    }

    private boolean isKnown(String alias) {
        for (Database database : databases.all()) {
            if (database.alias().equals(alias)) {
                return true;
            }
        }
        return false;
    }

    private static Class<?> servletClass(HttpServletRequest request, String servletName) {
        ServletRegistration registration = request.getServletContext().getServletRegistration(servletName);
        String className = registration == null ? null : registration.getClassName();
        if (className == null) {
            return null;
        }
        ClassLoader loader = request.getServletContext().getClassLoader();
        try {
            return Class.forName(className, false, loader != null ? loader : AtomicRequestsFilter.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            log.warn("Cannot load servlet class {} of servlet '{}' to read @NonAtomicRequests; its requests "
                    + "run in per-request blocks", className, servletName, e);
            return null;
        }
    }

    /** The aliases a servlet class opts out of; {@link #NONE} when it is not annotated. */
    private static final class OptOut {
        static final OptOut NONE = new OptOut(false, Set.of());
        final boolean all;
        final Set<String> aliases;

        OptOut(boolean all, Set<String> aliases) {
            this.all = all;
            this.aliases = aliases;
        }
    }

    /**
     * Options for {@link AtomicRequestsFilter}; every one is off by default, which is Django's
     * behaviour. Not thread-safe; the filter it builds is.
     */
    public static final class Builder {
        private final Databases databases;
        private Set<String> aliases;
        private boolean rollbackOnServerError;
        private Duration slowRequestThreshold;
        private int manyStatementsThreshold = -1;
        private boolean holdResponse = true;
        private int maxHeldResponseBytes = DEFAULT_MAX_HELD_RESPONSE_BYTES;

        private Builder(Databases databases) {
            if (databases == null) {
                throw new IllegalArgumentException("AtomicRequestsFilter needs the application's Databases");
            }
            this.databases = databases;
        }

        /**
         * Wrap requests on exactly these databases instead of those built with
         * {@code atomicRequests(true)}. They still nest in the order of {@code Databases}.
         * <pre>{@code AtomicRequestsFilter.builder(databases).aliases("default").build()}</pre>
         * Useful for a {@code Database.wrap(alias, pool)}, which has no {@code atomicRequests} flag.
         * @throws IllegalArgumentException naming the known aliases, for an unknown one
         */
        public Builder aliases(String... aliases) {
            Set<String> chosen = new LinkedHashSet<>(Arrays.asList(aliases));
            for (String alias : chosen) {
                databases.get(alias);
            }
            this.aliases = chosen;
            return this;
        }

        /**
         * Beyond Django: roll back when the servlet returns normally with a status of 500 or more
         * (for example after {@code sendError(503)}). Default false: like Django, only an
         * exception rolls back.
         */
        public Builder rollbackOnServerError(boolean rollbackOnServerError) {
            this.rollbackOnServerError = rollbackOnServerError;
            return this;
        }

        /**
         * Beyond Django: log a WARN naming the method, URI, aliases and time when a request's
         * blocks stay open longer than {@code threshold} (measured from opening the outermost
         * block to its commit or rollback, hooks included). Null turns it off (the default).
         */
        public Builder slowRequestWarning(Duration threshold) {
            if (threshold != null && threshold.isNegative()) {
                throw new IllegalArgumentException("slowRequestWarning needs a threshold of zero or more, not " + threshold);
            }
            this.slowRequestThreshold = threshold;
            return this;
        }

        /**
         * Beyond Django: log a WARN naming the method, URI, alias and count when a request that
         * returns normally ran more than {@code threshold} statements in its transaction on a
         * database (the usual sign of a query in a loop). Negative turns it off (the default).
         * <pre>{@code AtomicRequestsFilter.builder(databases).manyStatementsWarning(50).build()}</pre>
         */
        public Builder manyStatementsWarning(int threshold) {
            this.manyStatementsThreshold = threshold < 0 ? -1 : threshold;
            return this;
        }

        /**
         * Whether the response (status, headers, body, flushes included) is held until the
         * request's transactions committed (default true). With false, what the servlet flushes
         * or writes past the container's buffer leaves before the COMMIT, and a failed COMMIT can
         * then reach the client as a complete success on some containers (Undertow): turn it off
         * only for measurements or when every servlet commits before it writes.
         */
        public Builder holdResponse(boolean holdResponse) {
            this.holdResponse = holdResponse;
            return this;
        }

        /**
         * The most response body bytes held per request (default 4 MiB). A servlet that writes
         * more gets an {@link IllegalStateException} from that write, and the request rolls back
         * and fails even if the servlet caught it: a response that must stream belongs in a
         * {@link NonAtomicRequests} servlet that commits before it writes.
         * <pre>{@code AtomicRequestsFilter.builder(databases).maxHeldResponseBytes(16 << 20).build()}</pre>
         */
        public Builder maxHeldResponseBytes(int maxBytes) {
            if (maxBytes < 0) {
                throw new IllegalArgumentException("maxHeldResponseBytes needs zero or more bytes, not " + maxBytes);
            }
            this.maxHeldResponseBytes = maxBytes;
            return this;
        }

        /** The filter, with the databases chosen now. */
        public AtomicRequestsFilter build() {
            return new AtomicRequestsFilter(this);
        }

        private Database[] selectDatabases() {
            List<Database> selected = new ArrayList<>();
            for (Database database : databases.all()) {
                boolean wanted = aliases != null ? aliases.contains(database.alias())
                        : database.atomicRequests();
                if (wanted) {
                    selected.add(database);
                }
            }
            return selected.toArray(new Database[0]);
        }
    }
}
