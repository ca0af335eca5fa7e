package io.atomic4j.jdbi;

import io.atomic4j.Database;
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
 * <p>Only {@link #target()}, {@code close}, {@code isClosed} and the wrapper methods have
 * behaviour; the rest is plain delegation to {@link #target()}, generated at build time into
 * {@link DelegatingConnection} by the core's {@code src/build/GenerateJdbcWrappers.java} (rather
 * than a reflective proxy: a JDBI statement makes several calls here). Like a JDBC connection,
 * used by one thread at a time.
 */
final class FollowingConnection extends DelegatingConnection {
    private final Database db;
    /** The pooled autocommit connection used outside blocks; null until first needed and after close. */
    private Connection own;
    private boolean closed;

    FollowingConnection(Database db) {
        this.db = db;
    }

    @Override
    Connection target() throws SQLException {
        if (closed) {
            throw new SQLException("The JDBI handle's connection to database '" + db.alias() + "' is closed", "08003");
        }
        if (db.inAtomicBlock() || !db.getAutoCommit()) {
            return db.connection();     // the bound connection; its close() leaves it open
        }
        if (own == null) {
            own = db.connection();      // outside any block: an ordinary pooled autocommit connection
        }
        return own;
    }

    @Override
    public void close() throws SQLException {
        closed = true;
        Connection pooled = own;
        own = null;
        if (pooled != null) {
            pooled.close();
        }
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        return iface.isInstance(this) ? iface.cast(this) : target().unwrap(iface);
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) throws SQLException {
        return iface.isInstance(this) || target().isWrapperFor(iface);
    }

    /** True for a following connection, also behind wrappers that a JDBI plugin may have added. */
    static boolean isFollowing(Connection connection) throws SQLException {
        return connection instanceof FollowingConnection || connection.isWrapperFor(FollowingConnection.class);
    }

    @Override
    public String toString() {
        return "FollowingConnection[" + db.alias() + "]";
    }
}
