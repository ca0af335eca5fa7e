package io.atomic4j.librarytests;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.Statement;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;

/**
 * A real DataSource whose connections count the calls that make the database do something:
 * statement executions, commit, rollback and the savepoint calls. Used to prove that a nested
 * library transaction which runs no statement sends nothing.
 */
final class CountingDataSource implements InvocationHandler {
    private static final Set<String> WORK = Set.of("execute", "executeQuery", "executeUpdate", "executeLargeUpdate",
            "executeBatch", "executeLargeBatch", "commit", "rollback", "setSavepoint", "releaseSavepoint");

    private final DataSource target;
    private final AtomicInteger statements = new AtomicInteger();
    private final DataSource proxy;

    CountingDataSource(DataSource target) {
        this.target = target;
        this.proxy = (DataSource) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {DataSource.class}, this);
    }

    DataSource dataSource() {
        return proxy;
    }

    int statements() {
        return statements.get();
    }

    @Override
    public Object invoke(Object self, Method method, Object[] args) throws Throwable {
        return counting(call(target, method, args));
    }

    private Object counting(Object result) {
        if (result instanceof Connection || result instanceof Statement) {
            Class<?> type = result instanceof Connection ? Connection.class
                    : result instanceof java.sql.CallableStatement ? java.sql.CallableStatement.class
                    : result instanceof java.sql.PreparedStatement ? java.sql.PreparedStatement.class : Statement.class;
            return Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {type}, (self, method, args) -> {
                if (WORK.contains(method.getName())) {
                    statements.incrementAndGet();
                }
                return counting(call(result, method, args));
            });
        }
        return result;
    }

    private static Object call(Object target, Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
