package io.atomic4j.servlet;

import io.atomic4j.Database;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.nio.charset.Charset;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The response a servlet sees inside per-request blocks: everything that would reach the client
 * (status, headers, cookies, body, {@code sendError}, {@code sendRedirect}) is kept here until
 * the request's transactions have committed, and only then written to the container's response.
 * Flushes are no-ops, so the container's response stays uncommitted and a failed COMMIT can still
 * become an error response on every container. Content type, character encoding and locale go to
 * the container's response at once: they are metadata that error pages replace anyway.
 *
 * <p>Not thread-safe, like the container's response it stands for.
 */
final class HeldResponse extends HttpServletResponseWrapper {
    private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC);

    private final HttpServletResponse target;
    private final int limit;
    /** For the over-limit message only. */
    private final HttpServletRequest request;
    private final Database[] wrapping;

    private int status;
    /** Headers set by the servlet, by name ignoring case; a set header hides the container's. */
    private final Map<String, Header> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    private final List<Cookie> cookies = new ArrayList<>(2);
    private long contentLength = -1;
    private final Body body = new Body();
    private ServletOutputStream stream;
    private PrintWriter writer;
    private Charset writerCharset;
    /** After sendError or sendRedirect the servlet must write nothing more (Servlet spec). */
    private boolean finished;
    private int errorStatus = -1;
    private String errorMessage;
    private String redirect;
    private int redirectStatus = -1;
    private boolean redirectClearsBuffer = true;
    /** The first write past the limit; later writes throw it again and the filter rolls back. */
    private IllegalStateException overLimit;
    private boolean released;

    HeldResponse(HttpServletResponse target, int limit, HttpServletRequest request, Database[] wrapping) {
        super(target);
        this.target = target;
        this.limit = limit;
        this.request = request;
        this.wrapping = wrapping;
        this.status = target.getStatus();
    }

    // ------------------------------------------------------------------ status, headers, cookies

    @Override
    public void setStatus(int sc) {
        if (!finished) {
            status = sc;
        }
    }

    @Override
    public int getStatus() {
        if (errorStatus >= 0) {
            return errorStatus;
        }
        if (redirect != null) {
            return redirectStatus >= 0 ? redirectStatus : HttpServletResponse.SC_FOUND;
        }
        return status;
    }

    @Override
    public void setHeader(String name, String value) {
        if (finished || name == null) {
            return;
        }
        if (isContentLength(name)) {
            contentLength = value == null ? -1 : Long.parseLong(value.trim());
            return;
        }
        if (name.equalsIgnoreCase("Content-Type")) {
            setContentType(value);
            return;
        }
        Header header = new Header(name, true);
        if (value != null) {
            header.values.add(value);
        }
        headers.put(name, header);
    }

    @Override
    public void addHeader(String name, String value) {
        if (finished || name == null || value == null) {
            return;
        }
        if (isContentLength(name) || name.equalsIgnoreCase("Content-Type")) {
            setHeader(name, value);
            return;
        }
        headers.computeIfAbsent(name, n -> new Header(n, false)).values.add(value);
    }

    @Override
    public void setIntHeader(String name, int value) {
        setHeader(name, Integer.toString(value));
    }

    @Override
    public void addIntHeader(String name, int value) {
        addHeader(name, Integer.toString(value));
    }

    @Override
    public void setDateHeader(String name, long date) {
        setHeader(name, HTTP_DATE.format(Instant.ofEpochMilli(date)));
    }

    @Override
    public void addDateHeader(String name, long date) {
        addHeader(name, HTTP_DATE.format(Instant.ofEpochMilli(date)));
    }

    @Override
    public boolean containsHeader(String name) {
        Header header = headers.get(name);
        if (header == null) {
            return super.containsHeader(name);
        }
        return !header.values.isEmpty() || !header.replaces && super.containsHeader(name);
    }

    @Override
    public String getHeader(String name) {
        Header header = headers.get(name);
        if (header == null) {
            return super.getHeader(name);
        }
        if (!header.replaces) {
            String outer = super.getHeader(name);
            if (outer != null) {
                return outer;
            }
        }
        return header.values.isEmpty() ? null : header.values.get(0);
    }

    @Override
    public Collection<String> getHeaders(String name) {
        Header header = headers.get(name);
        if (header == null) {
            return super.getHeaders(name);
        }
        List<String> values = new ArrayList<>();
        if (!header.replaces) {
            values.addAll(super.getHeaders(name));
        }
        values.addAll(header.values);
        return values;
    }

    @Override
    public Collection<String> getHeaderNames() {
        Set<String> names = new LinkedHashSet<>(super.getHeaderNames());
        for (Header header : headers.values()) {
            if (header.values.isEmpty()) {
                names.removeIf(header.name::equalsIgnoreCase);
            } else {
                names.add(header.name);
            }
        }
        return names;
    }

    @Override
    public void addCookie(Cookie cookie) {
        if (!finished) {
            cookies.add(cookie);
        }
    }

    @Override
    public void setContentLength(int len) {
        setContentLengthLong(len);
    }

    @Override
    public void setContentLengthLong(long len) {
        if (!finished) {
            contentLength = len;
        }
    }

    @Override
    public void setContentType(String type) {
        if (finished) {
            return;
        }
        super.setContentType(type);
        if (writer != null) {
            // The writer's charset is fixed once it exists (Servlet spec); keep the header saying so.
            super.setCharacterEncoding(writerCharset.name());
        }
    }

    @Override
    public void setCharacterEncoding(String charset) {
        if (!finished && writer == null) {
            super.setCharacterEncoding(charset);
        }
    }

    // ------------------------------------------------------------------ errors and redirects

    @Override
    public void sendError(int sc, String msg) {
        checkNotFinished("sendError");
        finished = true;
        errorStatus = sc;
        errorMessage = msg;
        body.clear();
    }

    @Override
    public void sendError(int sc) {
        sendError(sc, null);
    }

    @Override
    public void sendRedirect(String location) {
        checkNotFinished("sendRedirect");
        finished = true;
        redirect = location;
        body.clear();
    }

    /**
     * Servlet 6.1's form (Tomcat 11). Without this method a 6.1 container's wrapper would pass
     * the call straight to the container's response and send the redirect before the commit.
     */
    public void sendRedirect(String location, int sc, boolean clearBuffer) {
        checkNotFinished("sendRedirect");
        finished = true;
        redirect = location;
        redirectStatus = sc;
        redirectClearsBuffer = clearBuffer;
        if (clearBuffer) {
            body.clear();
        }
    }

    /** Servlet 6.1's form (Tomcat 11), held like the others. */
    public void sendRedirect(String location, int sc) {
        sendRedirect(location, sc, true);
    }

    /** Servlet 6.1's form (Tomcat 11), held like the others. */
    public void sendRedirect(String location, boolean clearBuffer) {
        sendRedirect(location, HttpServletResponse.SC_FOUND, clearBuffer);
    }

    private void checkNotFinished(String method) {
        if (finished) {
            throw new IllegalStateException(method + "() after sendError() or sendRedirect(): the response is "
                    + "already complete");
        }
    }

    // ------------------------------------------------------------------ body

    @Override
    public ServletOutputStream getOutputStream() {
        if (writer != null) {
            throw new IllegalStateException("getOutputStream() after getWriter() on the same response");
        }
        if (stream == null) {
            stream = new HeldOutputStream();
        }
        return stream;
    }

    @Override
    public PrintWriter getWriter() {
        if (stream != null) {
            throw new IllegalStateException("getWriter() after getOutputStream() on the same response");
        }
        if (writer == null) {
            String encoding = getCharacterEncoding();
            writerCharset = Charset.forName(encoding == null ? "ISO-8859-1" : encoding);
            // Make the header state the charset the bytes are in, as a container does at getWriter().
            super.setCharacterEncoding(writerCharset.name());
            writer = new PrintWriter(new OutputStreamWriter(new HeldOutputStream(), writerCharset), false);
        }
        return writer;
    }

    /** Nothing leaves before the commit; the servlet may still reset what it wrote. */
    @Override
    public void flushBuffer() {
    }

    @Override
    public boolean isCommitted() {
        return finished;
    }

    @Override
    public void resetBuffer() {
        if (finished) {
            throw new IllegalStateException("resetBuffer() after sendError() or sendRedirect()");
        }
        body.clear();
    }

    @Override
    public void reset() {
        if (finished) {
            throw new IllegalStateException("reset() after sendError() or sendRedirect()");
        }
        super.reset();
        status = HttpServletResponse.SC_OK;
        headers.clear();
        cookies.clear();
        contentLength = -1;
        body.clear();
        stream = null;
        writer = null;
        writerCharset = null;
    }

    @Override
    public void setBufferSize(int size) {
        // The container's buffer is not used before the release; accept any size, as before output.
    }

    // ------------------------------------------------------------------ the filter's side

    /** Pushes what the writer still buffers into the held body (which may exceed the limit). */
    void flushWriter() {
        if (writer != null) {
            writer.flush();
        }
    }

    /** The error of a write past the limit, or null. */
    IllegalStateException overLimit() {
        return overLimit;
    }

    int heldBytes() {
        return body.size;
    }

    boolean released() {
        return released;
    }

    /**
     * Writes the held response to the container's response and flushes it, so that a client
     * reading by Content-Length has the whole response before the filter returns. Once only.
     */
    void release() throws IOException {
        if (released) {
            return;
        }
        released = true;
        if (writer != null) {
            writer.flush();
        }
        for (Header header : headers.values()) {
            int first = 0;
            if (header.replaces) {
                // Servlet 6: a null value removes the header (a removal is all an empty set header means).
                target.setHeader(header.name, header.values.isEmpty() ? null : header.values.get(0));
                first = 1;
            }
            for (int i = first; i < header.values.size(); i++) {
                target.addHeader(header.name, header.values.get(i));
            }
        }
        for (Cookie cookie : cookies) {
            target.addCookie(cookie);
        }
        if (errorStatus >= 0) {
            target.sendError(errorStatus, errorMessage);
            return;
        }
        if (redirect != null) {
            sendRedirectOn(target);
            return;
        }
        target.setStatus(status);
        if (contentLength >= 0) {
            target.setContentLengthLong(contentLength);
        } else if (hasBody(status) && !headers.containsKey("Transfer-Encoding")) {
            target.setContentLengthLong(body.size);
        }
        if (body.size > 0) {
            body.writeTo(target.getOutputStream());
        }
        target.flushBuffer();
    }

    private void sendRedirectOn(HttpServletResponse response) throws IOException {
        if (redirectStatus < 0) {
            response.sendRedirect(redirect);
            return;
        }
        try {
            // Only a Servlet 6.1 container gets here: its servlet called the 6.1 form.
            response.getClass().getMethod("sendRedirect", String.class, int.class, boolean.class)
                    .invoke(response, redirect, redirectStatus, redirectClearsBuffer);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException(e.getCause());
        } catch (ReflectiveOperationException e) {
            response.sendRedirect(redirect);
        }
    }

    /** 1xx, 204 and 304 responses have no body, so no Content-Length either. */
    private static boolean hasBody(int status) {
        return status >= 200 && status != HttpServletResponse.SC_NO_CONTENT
                && status != HttpServletResponse.SC_NOT_MODIFIED;
    }

    private static boolean isContentLength(String name) {
        return name.equalsIgnoreCase("Content-Length");
    }

    private void write(byte[] bytes, int offset, int length) {
        if (overLimit != null) {
            throw overLimit;
        }
        if (finished) {
            return;   // after sendError/sendRedirect the container ignores output too
        }
        if ((long) body.size + length > limit) {
            overLimit = Messages.responseTooLarge(request.getMethod() + " " + request.getRequestURI(),
                    Messages.aliases(wrapping), (long) body.size + length, limit);
            throw overLimit;
        }
        body.append(bytes, offset, length);
    }

    /** A header the servlet set ({@code replaces}) or only added to. */
    private static final class Header {
        final String name;
        final boolean replaces;
        final List<String> values = new ArrayList<>(1);

        Header(String name, boolean replaces) {
            this.name = name;
            this.replaces = replaces;
        }
    }

    /**
     * The body in pieces that grow from 1 KiB to 64 KiB and are never copied: a request holds
     * its body's size plus at most one piece's slack (a doubling array would allocate twice).
     */
    private static final class Body {
        private static final int FIRST = 1024;
        private static final int LARGEST = 64 * 1024;
        private final List<byte[]> pieces = new ArrayList<>(4);
        /** Bytes used in the last piece. */
        private int used;
        int size;

        void append(byte[] source, int offset, int length) {
            while (length > 0) {
                byte[] last = pieces.isEmpty() ? null : pieces.get(pieces.size() - 1);
                if (last == null || used == last.length) {
                    last = new byte[Math.min(LARGEST, Math.max(FIRST, Math.max(size, Math.min(length, LARGEST))))];
                    pieces.add(last);
                    used = 0;
                }
                int n = Math.min(length, last.length - used);
                System.arraycopy(source, offset, last, used, n);
                used += n;
                size += n;
                offset += n;
                length -= n;
            }
        }

        void clear() {
            pieces.clear();
            used = 0;
            size = 0;
        }

        void writeTo(OutputStream out) throws IOException {
            for (int i = 0; i < pieces.size(); i++) {
                byte[] piece = pieces.get(i);
                out.write(piece, 0, i == pieces.size() - 1 ? used : piece.length);
            }
        }
    }

    private final class HeldOutputStream extends ServletOutputStream {
        private final byte[] one = new byte[1];

        @Override
        public void write(int b) {
            one[0] = (byte) b;
            HeldResponse.this.write(one, 0, 1);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) {
            HeldResponse.this.write(bytes, offset, length);
        }

        @Override
        public void flush() {
            // Held until the commit: see flushBuffer().
        }

        @Override
        public void close() {
        }

        @Override
        public boolean isReady() {
            return true;
        }

        @Override
        public void setWriteListener(WriteListener listener) {
            throw new IllegalStateException("Non-blocking output needs async processing, which a per-request "
                    + "transaction refuses; annotate the servlet with @NonAtomicRequests");
        }
    }
}
