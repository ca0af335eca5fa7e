package io.atomic4j.mongodb.wire;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.bson.BsonDocument;
import org.bson.BsonDouble;
import org.bson.BsonValue;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;

/**
 * A small MongoDB server for tests, spoken to by the real driver over a real loopback socket.
 * No MongoDB server can be installed where atomic4j is built, so the MongoDB module's behavioural
 * tests run the official driver against this; the live suite runs the same tests on a real
 * replica set when one is available.
 *
 * <pre>{@code
 * try (WireServer server = WireServer.start();
 *      MongoClient client = MongoClients.create(server.clientSettings())) {
 *     server.configureFailPoint(FailPoint.failCommand("commitTransaction").closeConnectionAfterApplying().times(2));
 *     ...
 *     assertThat(server.documents("shop", "orders")).hasSize(1);
 * }
 * }</pre>
 *
 * <h2>What it implements</h2>
 * <ul>
 *   <li>Wire protocol: OP_MSG with body and document-sequence sections (the driver sends insert
 *       documents and update/delete statements as sequences), the moreToCome flag (no reply to
 *       unacknowledged writes), and the legacy OP_QUERY/OP_REPLY pair for the first {@code isMaster}
 *       of each connection. BSON is read and written with the driver's own {@code org.bson} classes.</li>
 *   <li>Handshake: {@code hello}/{@code isMaster} as the primary of replica set {@code rs0} whose only
 *       member is this server (or as a standalone, see {@link #startStandalone()}), wire version 21
 *       (MongoDB 7.0), {@code logicalSessionTimeoutMinutes}; {@code ping}, {@code buildInfo},
 *       {@code endSessions}, {@code killCursors}.</li>
 *   <li>CRUD: {@code insert}, {@code find} (filter, sort, skip, limit, top-level projection),
 *       {@code update} (replacement or {@code $set $unset $inc $setOnInsert}, multi, upsert),
 *       {@code delete}, {@code findAndModify}, {@code count}, {@code aggregate} with {@code $match
 *       $sort $skip $limit $project $group/$sum} (what countDocuments sends), {@code create},
 *       {@code drop}, {@code dropDatabase}. Filters: see {@link Queries}. Unique index on _id only
 *       (E11000 write errors).</li>
 *   <li>Sessions and transactions, keyed by {@code lsid} with mongod's txnNumber rules:
 *       {@code startTransaction}/{@code autocommit: false}, {@code commitTransaction} (idempotent
 *       when retried), {@code abortTransaction}; snapshot isolation with real buffering (writes are
 *       invisible to others until commit and discarded on abort); WriteConflict (112,
 *       TransientTransactionError) on a document written by another open transaction or committed
 *       since the snapshot; an error inside a transaction aborts it (later commands get
 *       NoSuchTransaction 251); autocommit writes to a document held by a transaction wait for it.
 *       Retryable writes ({@code txnNumber} without {@code autocommit}) are applied once: a retry
 *       replays the first reply. Error labels are added as mongod adds them.</li>
 *   <li>Faults: {@link FailPoint} (error codes and labels, closing the connection before or after
 *       the command takes effect), also through the {@code configureFailPoint} command;
 *       {@link #dropConnections()}; standalone mode.</li>
 * </ul>
 *
 * <h2>What it does not implement</h2>
 * Authentication, TLS, compression, OP_COMPRESSED; cursors (every result comes in the first batch
 * with cursor id 0, {@code getMore} fails); indexes other than _id, and {@code createIndexes};
 * read and write concerns (accepted and ignored: everything is durable at once), read preference,
 * {@code $clusterTime}/{@code operationTime} (so no causal-consistency gossip); the streaming
 * {@code hello} protocol (no {@code topologyVersion}: the driver polls); array update operators,
 * positional paths, pipeline updates, dotted projections, regular expressions, {@code $expr};
 * most aggregation stages; {@code listCollections}, {@code listIndexes}; change streams;
 * transaction lifetime limits; more than one member (no elections, no failover, no secondaries).
 *
 * <p>Thread-safe. Each client connection is served by its own daemon thread.
 */
public final class WireServer implements AutoCloseable {
    /** The replica-set name answered in hello; the URI names it. */
    public static final String SET_NAME = "rs0";
    /** How long an autocommit write waits for a transaction that holds its document. */
    private static final long LOCK_WAIT_MILLIS = 5_000;
    private static final Set<String> MONITORING = Set.of("hello", "isMaster", "ismaster");

    private final boolean standalone;
    private final ServerSocket serverSocket;
    private final String address;
    private final DataStore store = new DataStore(LOCK_WAIT_MILLIS);
    private final CommandHandler handler;
    private final List<FailPoint> failPoints = new ArrayList<>();
    private final List<BsonDocument> commandLog = new ArrayList<>();
    private final Set<Socket> clients = ConcurrentHashMap.newKeySet();
    private final AtomicInteger connectionIds = new AtomicInteger();
    private final AtomicInteger replyIds = new AtomicInteger();
    private volatile boolean closed;

    private WireServer(boolean standalone) throws IOException {
        this.standalone = standalone;
        this.serverSocket = new ServerSocket();
        serverSocket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        this.address = "127.0.0.1:" + serverSocket.getLocalPort();
        this.handler = new CommandHandler(store, standalone, SET_NAME, address);
        Thread acceptor = new Thread(this::acceptLoop, "wire-server-" + serverSocket.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** A server that answers as the primary of the one-member replica set {@value #SET_NAME}. */
    public static WireServer start() {
        return create(false);
    }

    /**
     * A server that answers as a standalone mongod: sessions work, transactions and retryable
     * writes are refused with mongod's IllegalOperation (20) "Transaction numbers are only allowed
     * on a replica set member or mongos".
     */
    public static WireServer startStandalone() {
        return create(true);
    }

    private static WireServer create(boolean standalone) {
        try {
            return new WireServer(standalone);
        } catch (IOException e) {
            throw new UncheckedIOException("could not listen on loopback", e);
        }
    }

    /** {@code host:port}, as this server names itself in hello. */
    public String address() {
        return address;
    }

    public int port() {
        return serverSocket.getLocalPort();
    }

    /** A connection string for the driver: replica-set discovery, or a direct connection when standalone. */
    public String uri() {
        return "mongodb://" + address + "/?" + (standalone ? "directConnection=true" : "replicaSet=" + SET_NAME)
                + "&serverSelectionTimeoutMS=5000&connectTimeoutMS=2000";
    }

    /**
     * Driver settings for {@link #uri()} with a 50 ms minimum heartbeat (the driver's default is
     * 500 ms), so a test that drops a connection does not wait half a second for rediscovery.
     */
    public MongoClientSettings clientSettings() {
        return MongoClientSettings.builder()
                .applyConnectionString(new ConnectionString(uri()))
                .applyToServerSettings(settings -> settings.minHeartbeatFrequency(50, TimeUnit.MILLISECONDS))
                .build();
    }

    public boolean standalone() {
        return standalone;
    }

    // ---------------------------------------------------------------- faults

    public void configureFailPoint(FailPoint failPoint) {
        synchronized (failPoints) {
            failPoints.add(failPoint.copy());
        }
    }

    public void clearFailPoints() {
        synchronized (failPoints) {
            failPoints.clear();
        }
    }

    /** Closes every client connection now, as a network failure would. The server keeps listening. */
    public void dropConnections() {
        for (Socket client : clients) {
            closeQuietly(client);
        }
    }

    // ---------------------------------------------------------------- inspection

    /** The committed documents of {@code database.collection}, in insertion order; copies. */
    public List<BsonDocument> documents(String database, String collection) {
        return store.committedDocuments(database + "." + collection);
    }

    /** Transactions committed since start or {@link #reset()}. */
    public int commits() {
        return store.commits();
    }

    /** Transactions aborted (explicitly, by an error, or by a newer txnNumber or endSessions). */
    public int aborts() {
        return store.aborts();
    }

    public int openTransactions() {
        return store.openTransactions();
    }

    /** Every command received except the handshake/monitoring ones (hello, isMaster), in arrival order. */
    public List<BsonDocument> commands() {
        synchronized (commandLog) {
            return new ArrayList<>(commandLog);
        }
    }

    /** The names of {@link #commands()}, e.g. [insert, find, commitTransaction]. */
    public List<String> commandNames() {
        List<String> names = new ArrayList<>();
        commands().forEach(command -> names.add(command.getFirstKey()));
        return names;
    }

    /**
     * Waits until {@code count} commands named {@code name} have arrived (a command waiting for a
     * lock has arrived); false on timeout.
     */
    public boolean awaitCommands(String name, int count, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (commandLog) {
            while (commandLog.stream().filter(command -> command.getFirstKey().equals(name)).count() < count) {
                long remaining = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (remaining <= 0) {
                    return false;
                }
                commandLog.wait(remaining);
            }
            return true;
        }
    }

    public void clearCommandLog() {
        synchronized (commandLog) {
            commandLog.clear();
        }
    }

    /** Connections accepted since start. */
    public int connectionsOpened() {
        return connectionIds.get();
    }

    /** Forgets all data, sessions, transactions, fail points, counters and the command log. */
    public void reset() {
        clearFailPoints();
        clearCommandLog();
        handler.reset();
    }

    @Override
    public void close() {
        closed = true;
        closeQuietly(serverSocket);
        dropConnections();
    }

    // ---------------------------------------------------------------- serving

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket client = serverSocket.accept();
                client.setTcpNoDelay(true);
                clients.add(client);
                int connectionId = connectionIds.incrementAndGet();
                Thread thread = new Thread(() -> serve(client, connectionId), "wire-server-connection-" + connectionId);
                thread.setDaemon(true);
                thread.start();
            } catch (IOException e) {
                if (!closed) {
                    System.err.println("WireServer: accept failed: " + e);
                }
            }
        }
    }

    private void serve(Socket client, int connectionId) {
        try (client;
             InputStream input = new BufferedInputStream(client.getInputStream());
             OutputStream output = new BufferedOutputStream(client.getOutputStream())) {
            WireMessages.Request request;
            while ((request = WireMessages.read(input)) != null) {
                String name = request.commandName();
                if (!MONITORING.contains(name)) {
                    synchronized (commandLog) {
                        commandLog.add(request.command());
                        commandLog.notifyAll();
                    }
                }
                FailPoint failPoint = firedFailPoint(name);
                if (failPoint != null && failPoint.closesBeforeApplying()) {
                    return;
                }
                BsonDocument reply = name.equals("configureFailPoint") ? configureFailPoint(request.command())
                        : handler.handle(request.command(), connectionId, failPoint == null ? null : failPoint.error(name));
                if (failPoint != null && failPoint.closesAfterApplying()) {
                    return;
                }
                if (request.expectsReply()) {
                    output.write(WireMessages.reply(request, replyIds.incrementAndGet(), reply));
                    output.flush();
                }
            }
        } catch (IOException e) {
            // The client hung up, or a test dropped the connection: nothing to answer.
        } finally {
            clients.remove(client);
        }
    }

    /** The wire form, as mongod has it with enableTestCommands: {configureFailPoint: "failCommand", mode, data}. */
    private BsonDocument configureFailPoint(BsonDocument command) {
        try {
            if (!command.getString("configureFailPoint").getValue().equals("failCommand")) {
                throw CommandError.badValue("WireServer implements only the failCommand fail point");
            }
            BsonValue mode = command.get("mode");
            if (mode != null && mode.isString() && mode.asString().getValue().equals("off")) {
                clearFailPoints();
            } else {
                configureFailPoint(FailPoint.fromCommand(command));
            }
            return new BsonDocument("ok", new BsonDouble(1));
        } catch (CommandError error) {
            return error.toReply();
        }
    }

    /** The fail point that fires for this command, counting the firing. */
    private FailPoint firedFailPoint(String commandName) {
        synchronized (failPoints) {
            for (FailPoint failPoint : failPoints) {
                if (failPoint.matches(commandName) && failPoint.fire()) {
                    return failPoint;
                }
            }
            return null;
        }
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            // closing is best effort
        }
    }
}
