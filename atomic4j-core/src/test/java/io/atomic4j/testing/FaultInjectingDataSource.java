package io.atomic4j.testing;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Set;
import java.util.function.Supplier;
import javax.sql.DataSource;

/**
 * A DataSource in front of a real pool that fails the k-th JDBC call made on the armed thread:
 * every call on the DataSource and on the connections, statements, result sets and metadata it
 * hands out is counted, and the k-th is not passed to the driver but fails with the chosen
 * throwable. For the systematic fault-injection test: arm with k = 1, 2, ... until a run makes
 * fewer than k calls. The real driver and server do the real work; only one call is replaced.
 */
public final class FaultInjectingDataSource {
    private static final Set<Class<?>> WRAPPED = Set.of(Connection.class, Statement.class, PreparedStatement.class,
            CallableStatement.class, ResultSet.class, DatabaseMetaData.class);

    /** The kinds of failure injected. */
    public enum Failure {
        CONNECTION_LOST(() -> new SQLException("injected: connection lost", "08006")),
        SQL_ERROR(() -> new SQLException("injected: statement failed", "XX000")),
        RUNTIME_EXCEPTION(() -> new IllegalStateException("injected: driver bug")),
        ERROR(() -> new AssertionError("injected: Error from the driver"));

        private final Supplier<Throwable> create;

        Failure(Supplier<Throwable> create) {
            this.create = create;
        }
    }

    private final DataSource proxy;
    private Thread armedThread;
    private int calls;
    private int failAt;
    private Failure failure;
    private String failedCall;
    /** With {@link #armOn}: the call (Interface.method) that fails; null to fail by number. */
    private String failOn;
    /** With {@link #armOn}: how many more occurrences of {@link #failOn} fail. */
    private int failuresLeft;

    public FaultInjectingDataSource(DataSource real) {
        this.proxy = (DataSource) wrap(real, DataSource.class);
    }

    public DataSource dataSource() {
        return proxy;
    }

    /** Counts the calling thread's calls from now on and fails call number {@code failAt} (0: never). */
    public synchronized void arm(int failAt, Failure failure) {
        this.armedThread = Thread.currentThread();
        this.calls = 0;
        this.failAt = failAt;
        this.failure = failure;
        this.failedCall = null;
        this.failOn = null;
    }

    /** Fails the calling thread's first call to {@code call} (Interface.method, e.g. "Connection.commit") from now on. */
    public synchronized void armOn(String call, Failure failure) {
        armOn(call, failure, 1);
    }

    /** Fails the calling thread's next {@code times} calls to {@code call}; later ones go through. */
    public synchronized void armOn(String call, Failure failure, int times) {
        arm(0, failure);
        this.failOn = call;
        this.failuresLeft = times;
    }

    /** Stops counting; returns the number of calls made while armed. */
    public synchronized int disarm() {
        armedThread = null;
        return calls;
    }

    /** The call that was made to fail, as Interface.method, or null if the run made fewer calls. */
    public synchronized String failedCall() {
        return failedCall;
    }

    private synchronized Throwable count(Method method) {
        if (Thread.currentThread() != armedThread) {
            return null;
        }
        calls++;
        String call = method.getDeclaringClass().getSimpleName() + "." + method.getName();
        boolean due = failOn != null ? failOn.equals(call) && failuresLeft > 0 : calls == failAt;
        if (!due) {
            return null;
        }
        failuresLeft--;
        failedCall = call;
        return failure.create.get();
    }

    private Object wrap(Object target, Class<?> type) {
        InvocationHandler handler = (self, method, args) -> {
            if (method.getDeclaringClass() == Object.class) {
                return method.getName().equals("equals") ? self == args[0] : method.invoke(target, args);
            }
            Throwable injected = count(method);
            if (injected != null) {
                throw injected;
            }
            Object result;
            try {
                result = method.invoke(target, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
            Class<?> returned = method.getReturnType();
            if (result != null && WRAPPED.contains(returned)) {
                return wrap(result, returned);
            }
            return result;
        };
        return Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, handler);
    }
}
