package io.atomic4j.testing;

import java.sql.SQLException;

/** A {@link TestBackend} that is a separate server process, reached over TCP. */
interface TestServer extends TestBackend {
    String host();

    /** Stays the same across {@link #stopServer()} and {@link #startServer()}. */
    int port();

    /** Stops the server process, keeping its data; no-op when stopped. */
    void stopServer();

    /** Starts the server again on the same port and data directory; no-op when it runs. */
    void startServer();

    /** Kills every other connection to {@code database} and waits until they are gone; returns how many. */
    int killConnections(String database) throws SQLException;
}
