package io.atomic4j.jdbi;

import io.atomic4j.Database;
import java.sql.Array;
import java.sql.Blob;
import java.sql.CallableStatement;
import java.sql.Clob;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.NClob;
import java.sql.PreparedStatement;
import java.sql.SQLClientInfoException;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.SQLXML;
import java.sql.Savepoint;
import java.sql.ShardingKey;
import java.sql.Statement;
import java.sql.Struct;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Executor;

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
 * behaviour; the rest is plain delegation (written out rather than a reflective proxy: a JDBI
 * statement makes several calls here). Like a JDBC connection, used by one thread at a time.
 */
final class FollowingConnection implements Connection {
    private final Database db;
    /** The pooled autocommit connection used outside blocks; null until first needed and after close. */
    private Connection own;
    private boolean closed;

    FollowingConnection(Database db) {
        this.db = db;
    }

    private Connection target() throws SQLException {
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

    /** target() for the two setClientInfo methods, whose signature allows only SQLClientInfoException. */
    private Connection clientInfoTarget() throws SQLClientInfoException {
        try {
            return target();
        } catch (SQLClientInfoException e) {
            throw e;
        } catch (SQLException e) {
            throw new SQLClientInfoException(e.getMessage(), null, e);
        }
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

    // ---- plain delegation

    @Override
    public Statement createStatement() throws SQLException {
        return target().createStatement();
    }

    @Override
    public PreparedStatement prepareStatement(String a) throws SQLException {
        return target().prepareStatement(a);
    }

    @Override
    public CallableStatement prepareCall(String a) throws SQLException {
        return target().prepareCall(a);
    }

    @Override
    public String nativeSQL(String a) throws SQLException {
        return target().nativeSQL(a);
    }

    @Override
    public void setAutoCommit(boolean a) throws SQLException {
        target().setAutoCommit(a);
    }

    @Override
    public boolean getAutoCommit() throws SQLException {
        return target().getAutoCommit();
    }

    @Override
    public void commit() throws SQLException {
        target().commit();
    }

    @Override
    public void rollback() throws SQLException {
        target().rollback();
    }

    @Override
    public DatabaseMetaData getMetaData() throws SQLException {
        return target().getMetaData();
    }

    @Override
    public void setReadOnly(boolean a) throws SQLException {
        target().setReadOnly(a);
    }

    @Override
    public boolean isReadOnly() throws SQLException {
        return target().isReadOnly();
    }

    @Override
    public void setCatalog(String a) throws SQLException {
        target().setCatalog(a);
    }

    @Override
    public String getCatalog() throws SQLException {
        return target().getCatalog();
    }

    @Override
    public void setTransactionIsolation(int a) throws SQLException {
        target().setTransactionIsolation(a);
    }

    @Override
    public int getTransactionIsolation() throws SQLException {
        return target().getTransactionIsolation();
    }

    @Override
    public SQLWarning getWarnings() throws SQLException {
        return target().getWarnings();
    }

    @Override
    public void clearWarnings() throws SQLException {
        target().clearWarnings();
    }

    @Override
    public Statement createStatement(int a, int b) throws SQLException {
        return target().createStatement(a, b);
    }

    @Override
    public PreparedStatement prepareStatement(String a, int b, int c) throws SQLException {
        return target().prepareStatement(a, b, c);
    }

    @Override
    public CallableStatement prepareCall(String a, int b, int c) throws SQLException {
        return target().prepareCall(a, b, c);
    }

    @Override
    public Map<String, Class<?>> getTypeMap() throws SQLException {
        return target().getTypeMap();
    }

    @Override
    public void setTypeMap(Map<String, Class<?>> a) throws SQLException {
        target().setTypeMap(a);
    }

    @Override
    public void setHoldability(int a) throws SQLException {
        target().setHoldability(a);
    }

    @Override
    public int getHoldability() throws SQLException {
        return target().getHoldability();
    }

    @Override
    public Savepoint setSavepoint() throws SQLException {
        return target().setSavepoint();
    }

    @Override
    public Savepoint setSavepoint(String a) throws SQLException {
        return target().setSavepoint(a);
    }

    @Override
    public void rollback(Savepoint a) throws SQLException {
        target().rollback(a);
    }

    @Override
    public void releaseSavepoint(Savepoint a) throws SQLException {
        target().releaseSavepoint(a);
    }

    @Override
    public Statement createStatement(int a, int b, int c) throws SQLException {
        return target().createStatement(a, b, c);
    }

    @Override
    public PreparedStatement prepareStatement(String a, int b, int c, int d) throws SQLException {
        return target().prepareStatement(a, b, c, d);
    }

    @Override
    public CallableStatement prepareCall(String a, int b, int c, int d) throws SQLException {
        return target().prepareCall(a, b, c, d);
    }

    @Override
    public PreparedStatement prepareStatement(String a, int b) throws SQLException {
        return target().prepareStatement(a, b);
    }

    @Override
    public PreparedStatement prepareStatement(String a, int[] b) throws SQLException {
        return target().prepareStatement(a, b);
    }

    @Override
    public PreparedStatement prepareStatement(String a, String[] b) throws SQLException {
        return target().prepareStatement(a, b);
    }

    @Override
    public Clob createClob() throws SQLException {
        return target().createClob();
    }

    @Override
    public Blob createBlob() throws SQLException {
        return target().createBlob();
    }

    @Override
    public NClob createNClob() throws SQLException {
        return target().createNClob();
    }

    @Override
    public SQLXML createSQLXML() throws SQLException {
        return target().createSQLXML();
    }

    @Override
    public boolean isValid(int a) throws SQLException {
        return target().isValid(a);
    }

    @Override
    public void setClientInfo(String a, String b) throws SQLClientInfoException {
        clientInfoTarget().setClientInfo(a, b);
    }

    @Override
    public void setClientInfo(Properties a) throws SQLClientInfoException {
        clientInfoTarget().setClientInfo(a);
    }

    @Override
    public String getClientInfo(String a) throws SQLException {
        return target().getClientInfo(a);
    }

    @Override
    public Properties getClientInfo() throws SQLException {
        return target().getClientInfo();
    }

    @Override
    public Array createArrayOf(String a, Object[] b) throws SQLException {
        return target().createArrayOf(a, b);
    }

    @Override
    public Struct createStruct(String a, Object[] b) throws SQLException {
        return target().createStruct(a, b);
    }

    @Override
    public void setSchema(String a) throws SQLException {
        target().setSchema(a);
    }

    @Override
    public String getSchema() throws SQLException {
        return target().getSchema();
    }

    @Override
    public void abort(Executor a) throws SQLException {
        target().abort(a);
    }

    @Override
    public void setNetworkTimeout(Executor a, int b) throws SQLException {
        target().setNetworkTimeout(a, b);
    }

    @Override
    public int getNetworkTimeout() throws SQLException {
        return target().getNetworkTimeout();
    }

    @Override
    public void beginRequest() throws SQLException {
        target().beginRequest();
    }

    @Override
    public void endRequest() throws SQLException {
        target().endRequest();
    }

    @Override
    public boolean setShardingKeyIfValid(ShardingKey a, ShardingKey b, int c) throws SQLException {
        return target().setShardingKeyIfValid(a, b, c);
    }

    @Override
    public boolean setShardingKeyIfValid(ShardingKey a, int b) throws SQLException {
        return target().setShardingKeyIfValid(a, b);
    }

    @Override
    public void setShardingKey(ShardingKey a, ShardingKey b) throws SQLException {
        target().setShardingKey(a, b);
    }

    @Override
    public void setShardingKey(ShardingKey a) throws SQLException {
        target().setShardingKey(a);
    }
}
