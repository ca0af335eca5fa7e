package io.atomic4j.examples;

import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The database half of {@code POST /faults}: makes the database fail after N more statements,
 * the way a database that goes away mid-request looks to the application. The service reaches
 * its database through {@link #jdbcUrl(String)}, a URL of {@link FaultInjectingDriver}, which
 * wraps the real driver and asks {@link #beforeStatement(String)} before each statement.
 * <p>What counts: every statement the service prepares (JDBI prepares every statement; a JDBC
 * batch counts once). atomic4j's own SAVEPOINT/RELEASE statements, the outbox's background
 * statements (its enqueue INSERT counts) and the read-only
 * "database holds" queries of {@link Inspector} do not count. The fault fires once: the failing
 * connection is dropped, like a connection cut by the network, and the next statement on a
 * fresh connection works again. Thread-safe.
 */
public final class FaultSwitch {
    private static final AtomicInteger IDS = new AtomicInteger();
    private static final Map<String, FaultSwitch> BY_ID = new ConcurrentHashMap<>();

    private final String id;
    /** Statements still allowed before the failure; -1 when the switch is off. */
    private final AtomicInteger remaining = new AtomicInteger(-1);
    /** The N of the last {@link #failAfter(int)}, for the message. */
    private volatile int armedWith;

    private FaultSwitch(String id) {
        this.id = id;
    }

    /** A new switch, off; its {@link #jdbcUrl} routes a database through it. */
    public static FaultSwitch create() {
        FaultSwitch faults = new FaultSwitch(Integer.toString(IDS.incrementAndGet()));
        BY_ID.put(faults.id, faults);
        return faults;
    }

    static FaultSwitch byId(String id) {
        FaultSwitch faults = BY_ID.get(id);
        if (faults == null) {
            throw new IllegalArgumentException("No fault switch " + id + " in this JVM");
        }
        return faults;
    }

    /** {@code realUrl} ("jdbc:sqlite:...") routed through this switch ("jdbc:fault-switch:1:sqlite:..."). */
    public String jdbcUrl(String realUrl) {
        if (!realUrl.startsWith("jdbc:")) {
            throw new IllegalArgumentException("Not a JDBC URL: " + realUrl);
        }
        FaultInjectingDriver.register();
        return FaultInjectingDriver.PREFIX + id + ":" + realUrl.substring("jdbc:".length());
    }

    /** The next {@code statements} statements work; the one after them fails. 0 fails the very next. */
    public void failAfter(int statements) {
        if (statements < 0) {
            throw new IllegalArgumentException("failAfterStatements must be 0 or more, got " + statements);
        }
        armedWith = statements;
        remaining.set(statements);
    }

    /** Turns the switch off. */
    public void clear() {
        remaining.set(-1);
    }

    /** Statements left before the failure, or -1 when the switch is off. */
    public int remaining() {
        return remaining.get();
    }

    /**
     * Whether a prepared statement counts. The outbox's own background statements (claims, done
     * marks, renewals, run by its poller and workers at any moment) do not, or a scenario's
     * count would depend on timing; its INSERT, part of the request, does.
     */
    static boolean counts(String sql) {
        return !sql.contains("atomic4j_outbox") || sql.startsWith("INSERT");
    }

    /** Called by the driver before each counted statement; throws the injected failure when due. */
    void beforeStatement(String sql) throws SQLException {
        while (true) {
            int left = remaining.get();
            if (left < 0) {
                return;
            }
            if (left > 0) {
                if (remaining.compareAndSet(left, left - 1)) {
                    return;
                }
            } else if (remaining.compareAndSet(0, -1)) {
                throw new InjectedFault("Injected fault: the database connection was lost at statement "
                        + (armedWith + 1) + " after POST /faults {\"failAfterStatements\": " + armedWith + "}, while "
                        + "running: " + shorten(sql));
            }
        }
    }

    static SQLException lostConnection() {
        return new SQLNonTransientConnectionException(
                "Injected fault: this connection was lost earlier (POST /faults); it cannot be used any more", "08003");
    }

    private static String shorten(String sql) {
        String oneLine = sql.replaceAll("\\s+", " ").trim();
        return oneLine.length() <= 80 ? oneLine : oneLine.substring(0, 77) + "...";
    }

    /** The failure the switch injects: a lost connection (SQLSTATE 08006), as the driver reports a real one. */
    public static final class InjectedFault extends SQLNonTransientConnectionException {
        private static final long serialVersionUID = 1L;

        InjectedFault(String message) {
            super(message, "08006");
        }
    }
}
