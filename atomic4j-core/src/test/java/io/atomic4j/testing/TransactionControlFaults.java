package io.atomic4j.testing;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;

/**
 * A DataSource in front of a real one whose connections fail chosen transaction-control calls,
 * a set number of times: SQL statements that start with an armed prefix (RELEASE SAVEPOINT,
 * ROLLBACK TO SAVEPOINT), {@code Connection.rollback()}, and the commit ({@code Connection.commit()}
 * or {@code setAutoCommit(true)}, which commits an open transaction). For the failures that
 * {@link FaultInjectingDataSource} cannot combine, such as a RELEASE whose rollback fails too.
 * The injected error is an ordinary SQL error (the connection stays usable); the real driver does
 * everything else. Also counts the connections aborted, which is how atomic4j discards a
 * connection it no longer trusts when the DataSource is not a Hikari pool, and records the SQL
 * statements sent. It can also present the database under another product name, so that atomic4j
 * treats it as a database it has no dialect for. Thread-safe.
 */
public final class TransactionControlFaults {
    private static final String ROLLBACK = "Connection.rollback()";
    private static final String COMMIT = "Connection.commit()";

    private final DataSource proxy;
    /** Upper-case SQL prefix (or {@link #ROLLBACK}) to the number of times it still fails. */
    private final Map<String, AtomicInteger> armed = new ConcurrentHashMap<>();
    private final AtomicInteger aborted = new AtomicInteger();
    private final List<String> executed = new CopyOnWriteArrayList<>();
    private volatile String productName;

    public TransactionControlFaults(DataSource real) {
        InvocationHandler handler = (self, method, args) -> {
            if (method.getName().equals("getConnection")) {
                return connection((Connection) call(real, method, args));
            }
            return call(real, method, args);
        };
        proxy = (DataSource) Proxy.newProxyInstance(DataSource.class.getClassLoader(), new Class<?>[] {DataSource.class},
                handler);
    }

    public DataSource dataSource() {
        return proxy;
    }

    /** The next {@code times} statements whose SQL starts with {@code prefix} (any case) fail. */
    public void failStatements(String prefix, int times) {
        armed.put(prefix.toUpperCase(Locale.ROOT), new AtomicInteger(times));
    }

    /** The next {@code times} calls of {@code Connection.rollback()} fail. */
    public void failRollback(int times) {
        armed.put(ROLLBACK, new AtomicInteger(times));
    }

    /** The next {@code times} commits fail: {@code Connection.commit()} and {@code setAutoCommit(true)}. */
    public void failCommit(int times) {
        armed.put(COMMIT, new AtomicInteger(times));
    }

    /** From now on the connections' metadata names the database {@code productName}. */
    public void reportProductName(String productName) {
        this.productName = productName;
    }

    /** The SQL statements sent through {@code Statement.execute...} so far, oldest first. */
    public List<String> executedStatements() {
        return List.copyOf(executed);
    }

    /** Connections aborted so far (atomic4j discarding a broken connection). */
    public int abortedConnections() {
        return aborted.get();
    }

    private void failIfArmed(String key, String what) throws SQLException {
        AtomicInteger remaining = armed.get(key);
        if (remaining != null && remaining.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            throw new SQLException("injected: " + what + " failed", "XX000");
        }
    }

    private void failIfArmedStatement(String sql) throws SQLException {
        String upper = sql.stripLeading().toUpperCase(Locale.ROOT);
        for (String prefix : armed.keySet()) {
            if (!prefix.equals(ROLLBACK) && !prefix.equals(COMMIT) && upper.startsWith(prefix)) {
                failIfArmed(prefix, sql);
            }
        }
    }

    private Connection connection(Connection real) {
        InvocationHandler handler = (self, method, args) -> {
            switch (method.getName()) {
                case "rollback" -> {
                    if (args == null) {
                        failIfArmed(ROLLBACK, "rollback");
                    }
                }
                case "commit" -> failIfArmed(COMMIT, "commit");
                case "setAutoCommit" -> {
                    if (Boolean.TRUE.equals(args[0])) {
                        failIfArmed(COMMIT, "commit by setAutoCommit(true)");
                    }
                }
                case "abort" -> aborted.incrementAndGet();
                case "createStatement" -> {
                    return statement((Statement) call(real, method, args));
                }
                case "getMetaData" -> {
                    return metaData((DatabaseMetaData) call(real, method, args));
                }
                default -> {
                }
            }
            return call(real, method, args);
        };
        return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
                handler);
    }

    private Statement statement(Statement real) {
        InvocationHandler handler = (self, method, args) -> {
            if (method.getName().startsWith("execute") && args != null && args.length > 0 && args[0] instanceof String) {
                executed.add((String) args[0]);
                failIfArmedStatement((String) args[0]);
            }
            return call(real, method, args);
        };
        return (Statement) Proxy.newProxyInstance(Statement.class.getClassLoader(), new Class<?>[] {Statement.class},
                handler);
    }

    private DatabaseMetaData metaData(DatabaseMetaData real) {
        InvocationHandler handler = (self, method, args) -> {
            String renamed = productName;
            if (renamed != null && method.getName().equals("getDatabaseProductName")) {
                return renamed;
            }
            return call(real, method, args);
        };
        return (DatabaseMetaData) Proxy.newProxyInstance(DatabaseMetaData.class.getClassLoader(),
                new Class<?>[] {DatabaseMetaData.class}, handler);
    }

    private static Object call(Object target, Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
