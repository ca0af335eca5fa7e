package io.atomic4j.internal.jdbc;

import io.atomic4j.internal.errors.Messages;
import io.atomic4j.internal.errors.Urls;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.Properties;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * Where the pool atomic4j opens gets its physical connections: a JDBC URL and the driver
 * properties (user and password included), handed to HikariCP as a DataSource so that the pool
 * never holds the URL. HikariCP logs its configuration at DEBUG with the URL in it and masks only
 * a lower-case {@code password=} parameter, so H2's {@code ;PASSWORD=...} was printed as is
 * (ErrorMessagesTest). Same connecting as HikariCP's own DriverDataSource: the driver
 * DriverManager picks for the URL, given the properties. Immutable and thread-safe.
 */
public final class DriverUrlDataSource implements DataSource {
    private final String url;
    private final Properties properties;

    public DriverUrlDataSource(String url, Properties properties) {
        this.url = url;
        this.properties = (Properties) properties.clone();
    }

    @Override
    public Connection getConnection() throws SQLException {
        return connect(properties);
    }

    @Override
    public Connection getConnection(String user, String password) throws SQLException {
        Properties withCredentials = (Properties) properties.clone();
        if (user != null) {
            withCredentials.setProperty("user", user);
        }
        if (password != null) {
            withCredentials.setProperty("password", password);
        }
        return connect(withCredentials);
    }

    private Connection connect(Properties connectProperties) throws SQLException {
        Driver driver;
        try {
            driver = DriverManager.getDriver(url);
        } catch (SQLException e) {
            // DriverManager.getConnection would put the whole URL, password and all, into this message.
            throw Messages.noDriver(url, e);
        }
        Connection connection = driver.connect(url, connectProperties);
        if (connection == null) {
            throw Messages.driverRefusedUrl(driver, url);
        }
        return connection;
    }

    @Override
    public PrintWriter getLogWriter() {
        return null;
    }

    @Override
    public void setLogWriter(PrintWriter out) {
        // Drivers log through their own loggers.
    }

    /** Like HikariCP's DriverDataSource: JDBC has no per-driver login timeout, only DriverManager's. */
    @Override
    public void setLoginTimeout(int seconds) {
        DriverManager.setLoginTimeout(seconds);
    }

    @Override
    public int getLoginTimeout() {
        return DriverManager.getLoginTimeout();
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        throw new SQLFeatureNotSupportedException("DriverUrlDataSource does not log");
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        if (iface.isInstance(this)) {
            return iface.cast(this);
        }
        throw new SQLException("DriverUrlDataSource does not wrap a " + iface.getName());
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) {
        return iface.isInstance(this);
    }

    @Override
    public String toString() {
        return "DriverUrlDataSource[" + Urls.redact(url) + "]";
    }
}
