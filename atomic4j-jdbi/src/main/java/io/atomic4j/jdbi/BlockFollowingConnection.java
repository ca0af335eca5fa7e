package io.atomic4j.jdbi;

import io.atomic4j.Database;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * The connection of a JDBI handle made by {@link AtomicTransactionHandler#jdbi}: each call goes to
 * the connection the thread should use at that moment, the block's connection while a block of
 * the Database is open (or a manual transaction), otherwise a pooled autocommit connection of the
 * handle's own, taken on first use and returned when the handle closes.
 *
 * <p>Why: a handle usually exists before its transaction ({@code jdbi.useTransaction} opens the
 * handle, then begins). With a fixed connection, the statements of a block begun after the
 * handle would run outside it, on the connection taken before.
 *
 * <p>Like a JDBC connection, one handle is used by one thread at a time.
 */
final class BlockFollowingConnection implements InvocationHandler {
    /** Marks the proxies, so that the handler can tell a following connection from a fixed one. */
    interface Following {
    }

    private static final Class<?>[] INTERFACES = {Connection.class, Following.class};

    private final Database db;
    /** The pooled autocommit connection used outside blocks; null until first needed and after close. */
    private Connection own;
    private boolean closed;

    private BlockFollowingConnection(Database db) {
        this.db = db;
    }

    static Connection open(Database db) {
        return (Connection) Proxy.newProxyInstance(BlockFollowingConnection.class.getClassLoader(), INTERFACES,
                new BlockFollowingConnection(db));
    }

    static boolean isFollowing(Connection connection) throws SQLException {
        return connection instanceof Following || connection.isWrapperFor(Following.class);
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        switch (method.getName()) {
            case "close":
                close();
                return null;
            case "isClosed":
                return closed;
            case "equals":
                return proxy == args[0];
            case "hashCode":
                return System.identityHashCode(proxy);
            case "toString":
                return "BlockFollowingConnection[" + db.alias() + "]";
            case "isWrapperFor":
                if (args[0] == Following.class) {
                    return true;
                }
                break;
            default:
                break;
        }
        if (closed) {
            throw new SQLException("The JDBI handle's connection to database '" + db.alias() + "' is closed", "08003");
        }
        try {
            return method.invoke(target(), args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    private Connection target() throws SQLException {
        if (db.inAtomicBlock() || !db.getAutoCommit()) {
            return db.connection();     // the bound connection; its close() leaves it open
        }
        if (own == null) {
            own = db.connection();      // outside any block: an ordinary pooled autocommit connection
        }
        return own;
    }

    private void close() throws SQLException {
        closed = true;
        Connection pooled = own;
        own = null;
        if (pooled != null) {
            pooled.close();
        }
    }
}
