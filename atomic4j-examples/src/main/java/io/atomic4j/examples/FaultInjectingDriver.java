package io.atomic4j.examples;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.DriverPropertyInfo;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.util.Properties;
import java.util.logging.Logger;

/**
 * A JDBC driver for {@code jdbc:fault-switch:<switch id>:<real URL without "jdbc:">} that opens a
 * connection with the real driver and puts a {@link FaultSwitch} in front of its statements. It
 * is part of the demo, not of atomic4j: it lets {@code POST /faults} make the real database
 * connection fail mid-request. When the switch fires, the real connection's transaction is rolled
 * back and the connection closed, as a server does when the network drops, and every later call
 * on it fails with SQLSTATE 08003. Everything else goes straight to the real driver.
 */
public final class FaultInjectingDriver implements Driver {
    static final String PREFIX = "jdbc:fault-switch:";
    private static final FaultInjectingDriver INSTANCE = new FaultInjectingDriver();
    private static volatile boolean registered;

    /** Registers the driver with DriverManager, once, before the first fault-switch URL is used. */
    static void register() {
        if (!registered) {
            synchronized (FaultInjectingDriver.class) {
                if (!registered) {
                    try {
                        DriverManager.registerDriver(INSTANCE);
                    } catch (SQLException e) {
                        throw new IllegalStateException("Cannot register the demo's fault-switch JDBC driver", e);
                    }
                    registered = true;
                }
            }
        }
    }

    @Override
    public Connection connect(String url, Properties info) throws SQLException {
        if (!acceptsURL(url)) {
            return null;
        }
        int end = url.indexOf(':', PREFIX.length());
        if (end < 0) {
            throw new SQLException("Malformed fault-switch URL (expected " + PREFIX + "<id>:<driver>:...): " + url);
        }
        FaultSwitch faults = FaultSwitch.byId(url.substring(PREFIX.length(), end));
        Connection real = DriverManager.getConnection("jdbc:" + url.substring(end + 1), info);
        ConnectionHandler handler = new ConnectionHandler(real, faults);
        handler.proxy = (Connection) Proxy.newProxyInstance(FaultInjectingDriver.class.getClassLoader(),
                new Class<?>[] {Connection.class}, handler);
        return handler.proxy;
    }

    @Override
    public boolean acceptsURL(String url) {
        return url != null && url.startsWith(PREFIX);
    }

    @Override
    public DriverPropertyInfo[] getPropertyInfo(String url, Properties info) {
        return new DriverPropertyInfo[0];
    }

    @Override
    public int getMajorVersion() {
        return 1;
    }

    @Override
    public int getMinorVersion() {
        return 0;
    }

    @Override
    public boolean jdbcCompliant() {
        return false;
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        throw new SQLFeatureNotSupportedException("The fault-switch driver does not log");
    }

    private static Object call(Object target, Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    /** The connection: hands out watched statements; dead once the switch fired on it. */
    private static final class ConnectionHandler implements InvocationHandler {
        private final Connection real;
        private final FaultSwitch faults;
        private Connection proxy;
        private volatile boolean lost;

        ConnectionHandler(Connection real, FaultSwitch faults) {
            this.real = real;
            this.faults = faults;
        }

        @Override
        public Object invoke(Object self, Method method, Object[] args) throws Throwable {
            switch (method.getName()) {
                case "equals":
                    return self == args[0];
                case "hashCode":
                    return System.identityHashCode(self);
                case "toString":
                    return "FaultSwitch[" + real + (lost ? ", lost" : "") + "]";
                case "close":
                case "abort":
                    if (lost) {
                        return null;
                    }
                    break;
                case "isClosed":
                    if (lost) {
                        return true;
                    }
                    break;
                case "isValid":
                    if (lost) {
                        return false;
                    }
                    break;
                default:
                    if (lost) {
                        throw FaultSwitch.lostConnection();
                    }
            }
            Object result = call(real, method, args);
            if (result instanceof Statement) {
                // Only prepared statements count: JDBI prepares every statement, atomic4j's SAVEPOINTs are plain.
                boolean prepared = result instanceof PreparedStatement;
                String sql = prepared && FaultSwitch.counts((String) args[0]) ? (String) args[0] : null;
                Class<?> type = result instanceof CallableStatement ? CallableStatement.class
                        : prepared ? PreparedStatement.class : Statement.class;
                return Proxy.newProxyInstance(FaultInjectingDriver.class.getClassLoader(), new Class<?>[] {type},
                        new StatementHandler((Statement) result, this, sql));
            }
            return result;
        }

        /** What a dropped connection does to the server side: the open transaction is gone. */
        void lose() {
            lost = true;
            try {
                if (!real.getAutoCommit()) {
                    real.rollback();
                }
            } catch (SQLException ignored) {
                // The connection is being thrown away; closing it discards the transaction anyway.
            } finally {
                try {
                    real.close();
                } catch (SQLException ignored) {
                    // Nothing more to release.
                }
            }
        }
    }

    /** A statement: asks the switch before each execution of a prepared statement. */
    private static final class StatementHandler implements InvocationHandler {
        private final Statement real;
        private final ConnectionHandler connection;
        /** The prepared SQL; null for a plain Statement, which is not counted. */
        private final String sql;

        StatementHandler(Statement real, ConnectionHandler connection, String sql) {
            this.real = real;
            this.connection = connection;
            this.sql = sql;
        }

        @Override
        public Object invoke(Object self, Method method, Object[] args) throws Throwable {
            String name = method.getName();
            switch (name) {
                case "equals":
                    return self == args[0];
                case "hashCode":
                    return System.identityHashCode(self);
                case "getConnection":
                    return connection.proxy;
                case "close":
                    if (connection.lost) {
                        return null;
                    }
                    break;
                default:
                    if (connection.lost) {
                        throw FaultSwitch.lostConnection();
                    }
            }
            if (sql != null && name.startsWith("execute")) {
                try {
                    connection.faults.beforeStatement(sql);
                } catch (FaultSwitch.InjectedFault fault) {
                    connection.lose();
                    throw fault;
                }
            }
            return call(real, method, args);
        }
    }
}
