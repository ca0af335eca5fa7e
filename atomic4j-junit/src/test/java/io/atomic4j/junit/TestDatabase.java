package io.atomic4j.junit;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * Stand-in for io.atomic4j.testing.TestDatabase (core's test jar, branch testinfra) until it is
 * merged: the same method names, SQLite and H2 only. Delete it when the real one lands.
 */
public enum TestDatabase {
    SQLITE,
    H2;

    private static final AtomicInteger COUNTER = new AtomicInteger();

    public String newDatabaseUrl(String prefix) {
        String name = prefix.toLowerCase().replaceAll("[^a-z0-9_]", "_") + "_" + COUNTER.incrementAndGet();
        if (this == H2) {
            return "jdbc:h2:mem:" + name + ";DB_CLOSE_DELAY=-1";
        }
        try {
            Path dir = Files.createTempDirectory("atomic4j-junit");
            dir.toFile().deleteOnExit();
            return "jdbc:sqlite:" + dir.resolve(name + ".db");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String user() {
        return "sa";
    }

    public String password() {
        return "";
    }

    public DataSource newPlainDataSource(String jdbcUrl) {
        return new DataSource() {
            @Override public Connection getConnection() throws SQLException { return DriverManager.getConnection(jdbcUrl, user(), password()); }
            @Override public Connection getConnection(String u, String p) throws SQLException { return getConnection(); }
            @Override public PrintWriter getLogWriter() { return null; }
            @Override public void setLogWriter(PrintWriter out) { }
            @Override public void setLoginTimeout(int seconds) { }
            @Override public int getLoginTimeout() { return 0; }
            @Override public Logger getParentLogger() { return Logger.getGlobal(); }
            @Override public <T> T unwrap(Class<T> iface) throws SQLException { throw new SQLException("not a wrapper"); }
            @Override public boolean isWrapperFor(Class<?> iface) { return false; }
        };
    }
}
