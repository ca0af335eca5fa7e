package io.atomic4j.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A TCP proxy on 127.0.0.1 (a free port) in front of a database server, for cutting connections
 * for real at a chosen moment. Point the driver at {@link #port()} (see
 * {@link TestDatabase#jdbcUrlThrough(String, FaultProxy)}) and then:
 * <ul>
 *   <li>{@link #cutAll()}: every proxied connection is reset now, as by a network failure;</li>
 *   <li>{@link #refuseNew(boolean)}: new connections are reset at once, as if the server were down;</li>
 *   <li>{@link #cutOnClientBytes(String, Cut)}: the connection whose client next sends the given
 *       ASCII text is cut, either before the server gets it or after the server has run it and
 *       answered (the answer is dropped): the "did my COMMIT happen?" case.</li>
 * </ul>
 * <pre>{@code
 * try (FaultProxy proxy = TestDatabase.POSTGRES.newFaultProxy();
 *      Connection connection = DriverManager.getConnection(TestDatabase.POSTGRES.jdbcUrlThrough(proxy))) {
 *     connection.setAutoCommit(false);
 *     insertRow(connection);
 *     proxy.cutOnClientBytes("COMMIT", FaultProxy.Cut.AFTER_FORWARD);
 *     assertThatThrownBy(connection::commit).isInstanceOf(SQLException.class);   // yet the row is committed
 * }
 * }</pre>
 * The client side of a cut connection is closed with a TCP reset, so the driver fails at once
 * (pgjdbc: SQLSTATE 08006; MariaDB Connector/J: {@code SQLNonTransientConnectionException}, 08000);
 * the server side is closed normally, so the server sees the client go away. Markers are found
 * in the raw client-to-server byte stream (also when split across reads), which carries SQL text
 * as is in PostgreSQL's simple and extended query protocols and MariaDB's text protocol. A
 * statement the driver has server-prepared is not re-sent as text: pgjdbc does that to COMMIT
 * after its first use and to a PreparedStatement after 5 executions, which is why
 * {@link TestDatabase#jdbcUrlThrough(String, FaultProxy)} sets {@code prepareThreshold=0}.
 *
 * <p>Each connection uses two platform threads; {@link #close()} resets every connection and
 * returns only when all of the proxy's threads have ended. Thread-safe.
 */
public final class FaultProxy implements AutoCloseable {
    /** When a {@link #cutOnClientBytes} trigger cuts the connection that sent the marker. */
    public enum Cut {
        /**
         * At the read that completes the marker, which is not forwarded: the server never
         * receives the statement (at most an incomplete message, which it cannot run).
         */
        BEFORE_FORWARD,
        /**
         * The statement is forwarded and the connection is cut at the first byte the server
         * sends back: the server has run it (a COMMIT has committed), the client never learns.
         */
        AFTER_FORWARD
    }

    private static final String LOOPBACK = "127.0.0.1";
    private static final int BUFFER_SIZE = 64 * 1024;
    private static final int CONNECT_TIMEOUT_MILLIS = 5_000;
    /** How long a link cut after forwarding keeps reading the server until it hangs up. */
    private static final int DRAIN_TIMEOUT_MILLIS = 10_000;
    private static final long CLOSE_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final InetSocketAddress target;
    private final ServerSocket listener;
    private final Thread acceptor;
    private final Set<Link> links = ConcurrentHashMap.newKeySet();
    private final Set<Thread> threads = ConcurrentHashMap.newKeySet();
    private final AtomicInteger threadCounter = new AtomicInteger();
    /** The armed marker, taken (set to null) by the first connection that sends it. */
    private final AtomicReference<Trigger> trigger = new AtomicReference<>();
    /** The trigger armed last, for {@link #awaitTriggeredCut(Duration)}. */
    private volatile Trigger lastTrigger;
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger refusedConnections = new AtomicInteger();
    private final AtomicInteger cuts = new AtomicInteger();
    private final AtomicInteger triggeredCuts = new AtomicInteger();
    private volatile boolean refusing;
    private volatile boolean closed;

    private FaultProxy(InetSocketAddress target) throws IOException {
        this.target = target;
        listener = new ServerSocket(0, 50, InetAddress.getByName(LOOPBACK));
        acceptor = newThread(this::acceptLoop, "accept");
        acceptor.start();
    }

    /** Starts a proxy listening on 127.0.0.1 (a free port) that forwards to {@code host:port}. */
    public static FaultProxy to(String host, int port) throws IOException {
        return new FaultProxy(new InetSocketAddress(host, port));
    }

    /** Always 127.0.0.1. */
    public String host() {
        return LOOPBACK;
    }

    public int port() {
        return listener.getLocalPort();
    }

    /** Resets every proxied connection now; returns how many were cut. New connections still pass. */
    public int cutAll() {
        int count = 0;
        for (Link link : links) {
            if (link.cut(false)) {
                count++;
            }
        }
        return count;
    }

    /**
     * While true, each new connection is accepted and reset at once, before any byte is exchanged
     * (the driver fails to connect). Connections already open are not touched: combine with
     * {@link #cutAll()} to simulate a server that goes down.
     */
    public void refuseNew(boolean refuse) {
        refusing = refuse;
    }

    /**
     * Arms a one-shot trigger: the first connection whose client sends the exact bytes of
     * {@code asciiMarker} (case-sensitive) after this call is cut as {@code when} says; later
     * connections are not affected. Arming again replaces a trigger that has not fired.
     */
    public void cutOnClientBytes(String asciiMarker, Cut when) {
        Trigger armed = new Trigger(asciiMarker, when);
        lastTrigger = armed;
        trigger.set(armed);
    }

    /** Removes a trigger that has not fired yet. */
    public void disarm() {
        trigger.set(null);
    }

    /**
     * Waits until the trigger armed last has cut its connection; for a client running on
     * another thread. Returns false on timeout, or when no trigger was ever armed.
     */
    public boolean awaitTriggeredCut(Duration timeout) throws InterruptedException {
        Trigger armed = lastTrigger;
        return armed != null && armed.done.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** Connections proxied to the server so far (refused ones not included). */
    public int connections() {
        return connections.get();
    }

    /** Connections currently proxied. */
    public int openConnections() {
        return links.size();
    }

    /** Connections reset by {@link #refuseNew(boolean)}, or because the server could not be reached. */
    public int refusedConnections() {
        return refusedConnections.get();
    }

    /** Connections cut so far, by {@link #cutAll()} or a trigger. */
    public int cuts() {
        return cuts.get();
    }

    /** Connections cut so far by a {@link #cutOnClientBytes} trigger. */
    public int triggeredCuts() {
        return triggeredCuts.get();
    }

    /**
     * Stops listening, resets every connection and waits for all of the proxy's threads to end.
     *
     * @throws IllegalStateException if a thread is still running after 10 seconds
     */
    @Override
    public void close() {
        closed = true;
        refusing = true;
        trigger.set(null);
        closeQuietly(listener);
        long deadline = System.nanoTime() + CLOSE_TIMEOUT_NANOS;
        // The acceptor first: once it has ended, no link or thread is added any more.
        join(acceptor, deadline);
        for (Link link : links) {
            link.closeNow();
        }
        List<String> running = new ArrayList<>();
        for (Thread thread : threads) {
            if (!join(thread, deadline)) {
                running.add(thread.getName());
            }
        }
        if (!running.isEmpty()) {
            throw new IllegalStateException("FaultProxy threads still running after close(): " + running);
        }
    }

    private static boolean join(Thread thread, long deadline) {
        try {
            long remaining = deadline - System.nanoTime();
            if (remaining > 0) {
                TimeUnit.NANOSECONDS.timedJoin(thread, remaining);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return !thread.isAlive();
    }

    @Override
    public String toString() {
        return "FaultProxy[" + LOOPBACK + ":" + port() + " -> " + target.getHostString() + ":" + target.getPort()
                + ", open=" + openConnections() + ", cuts=" + cuts() + "]";
    }

    private Thread newThread(Runnable body, String role) {
        Thread thread = new Thread(body, "fault-proxy-" + port() + "-" + threadCounter.incrementAndGet() + "-" + role);
        thread.setDaemon(true);
        threads.removeIf(old -> old.getState() == Thread.State.TERMINATED);
        threads.add(thread);
        return thread;
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = listener.accept();
            } catch (IOException e) {
                return; // the listener was closed by close()
            }
            if (refusing) {
                refusedConnections.incrementAndGet();
                abort(client);
                continue;
            }
            Socket server = new Socket();
            try {
                client.setTcpNoDelay(true);
                server.setTcpNoDelay(true);
                server.connect(target, CONNECT_TIMEOUT_MILLIS);
            } catch (IOException e) {
                refusedConnections.incrementAndGet(); // the server is down: the client sees a reset
                abort(client);
                closeQuietly(server);
                continue;
            }
            Link link = new Link(client, server);
            links.add(link);
            connections.incrementAndGet();
            link.start();
        }
    }

    /** Closes with a TCP reset (SO_LINGER 0), so the peer fails at once instead of reading an end of stream. */
    private static void abort(Socket socket) {
        try {
            socket.setSoLinger(true, 0);
        } catch (IOException e) {
            // Already closed.
        }
        closeQuietly(socket);
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            // Nothing to do: the socket is unusable either way.
        }
    }

    /** A marker to look for, with its KMP fallback table so a match survives being split across reads. */
    private static final class Trigger {
        final byte[] marker;
        final int[] fallback;
        final Cut when;
        /** Counted down once the connection that sent the marker has been cut. */
        final CountDownLatch done = new CountDownLatch(1);

        Trigger(String asciiMarker, Cut when) {
            if (asciiMarker.isEmpty() || !StandardCharsets.US_ASCII.newEncoder().canEncode(asciiMarker)) {
                throw new IllegalArgumentException("The marker must be non-empty ASCII text: '" + asciiMarker + "'");
            }
            this.marker = asciiMarker.getBytes(StandardCharsets.US_ASCII);
            this.when = when;
            this.fallback = new int[marker.length];
            for (int i = 1, k = 0; i < marker.length; i++) {
                while (k > 0 && marker[i] != marker[k]) {
                    k = fallback[k - 1];
                }
                if (marker[i] == marker[k]) {
                    k++;
                }
                fallback[i] = k;
            }
        }
    }

    /** One client connection and its connection to the server, with a pump thread per direction. */
    private final class Link {
        private final Socket client;
        private final Socket server;
        /** Set once by whoever cuts or closes the link; after that nothing reaches the client. */
        private final AtomicBoolean cut = new AtomicBoolean();
        /** An AFTER_FORWARD trigger fired on this link: cut it at the server's next byte. */
        private volatile Trigger cutOnReply;
        private final AtomicInteger runningPumps = new AtomicInteger(2);
        /** The trigger being matched and how many of its bytes matched so far; client-to-server pump only. */
        private Trigger matching;
        private int matched;

        Link(Socket client, Socket server) {
            this.client = client;
            this.server = server;
        }

        void start() {
            newThread(this::clientToServer, "c2s").start();
            newThread(this::serverToClient, "s2c").start();
        }

        private void clientToServer() {
            byte[] buffer = new byte[BUFFER_SIZE];
            try {
                InputStream in = client.getInputStream();
                OutputStream out = server.getOutputStream();
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    Trigger armed = trigger.get();
                    if (armed != null && matches(armed, buffer, n) && trigger.compareAndSet(armed, null)) {
                        if (armed.when == Cut.BEFORE_FORWARD) {
                            triggeredCut(armed);
                            return;
                        }
                        // Set before the bytes leave: the server's answer cannot come earlier.
                        cutOnReply = armed;
                    }
                    out.write(buffer, 0, n);
                }
                server.shutdownOutput(); // the client hung up: pass the end of stream on
            } catch (IOException e) {
                if (!cut.get()) {
                    closeNow(); // the client reset the connection
                }
            } finally {
                pumpDone();
            }
        }

        private void serverToClient() {
            byte[] buffer = new byte[BUFFER_SIZE];
            try {
                InputStream in = server.getInputStream();
                OutputStream out = client.getOutputStream();
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    Trigger armed = cutOnReply;
                    if (armed != null && !cut.get()) {
                        cutKeepingServer(armed);
                    }
                    if (cut.get()) {
                        continue; // drain what the server still sends until it hangs up
                    }
                    out.write(buffer, 0, n);
                }
                if (!cut.get()) {
                    client.shutdownOutput(); // the server hung up (e.g. terminated backend): pass it on
                }
            } catch (IOException e) {
                if (!cut.get()) {
                    closeNow(); // the server reset the connection
                }
            } finally {
                pumpDone();
            }
        }

        /** True when {@code armed}'s marker ends in {@code buffer[0..length)}, counting bytes of earlier reads. */
        private boolean matches(Trigger armed, byte[] buffer, int length) {
            if (armed != matching) {
                matching = armed;
                matched = 0;
            }
            byte[] marker = armed.marker;
            int m = matched;
            for (int i = 0; i < length; i++) {
                byte b = buffer[i];
                while (m > 0 && marker[m] != b) {
                    m = armed.fallback[m - 1];
                }
                if (marker[m] == b && ++m == marker.length) {
                    matched = 0;
                    return true;
                }
            }
            matched = m;
            return false;
        }

        private void triggeredCut(Trigger armed) {
            cut(true);
            armed.done.countDown();
        }

        /** Resets the client and closes the server side now. False if the link was already cut or closed. */
        boolean cut(boolean triggered) {
            if (!cut.compareAndSet(false, true)) {
                return false;
            }
            // Count before the reset: a client that sees it may read the counters at once.
            cuts.incrementAndGet();
            if (triggered) {
                triggeredCuts.incrementAndGet();
            }
            abort(client);
            closeQuietly(server);
            return true;
        }

        /**
         * AFTER_FORWARD: resets the client, but only half-closes the server side and lets the
         * pump drain it, so that the server reads everything it was sent and ends normally.
         */
        private void cutKeepingServer(Trigger armed) {
            if (cut.compareAndSet(false, true)) {
                cuts.incrementAndGet();
                triggeredCuts.incrementAndGet();
                abort(client);
                try {
                    server.shutdownOutput();
                    server.setSoTimeout(DRAIN_TIMEOUT_MILLIS);
                } catch (IOException e) {
                    closeQuietly(server);
                }
            }
            armed.done.countDown();
        }

        /** Closes both sides without counting a cut (proxy closing, or a peer reset the connection). */
        void closeNow() {
            cut.set(true);
            abort(client);
            closeQuietly(server);
        }

        private void pumpDone() {
            if (runningPumps.decrementAndGet() == 0) {
                closeQuietly(client);
                closeQuietly(server);
                links.remove(this);
            }
        }
    }
}
