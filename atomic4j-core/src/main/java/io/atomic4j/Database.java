package io.atomic4j;

import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;

/** PLACEHOLDER: the engine is being written; the signatures are final (DESIGN.md). */
public final class Database implements AutoCloseable {
    private Database() {
    }

    public static Database open(String jdbcUrl) { throw todo(); }
    public static Builder builder(String jdbcUrl) { throw todo(); }
    public static Database wrap(String alias, DataSource pool) { throw todo(); }
    public String alias() { throw todo(); }
    public DataSource dataSource() { throw todo(); }
    public Connection connection() throws SQLException { throw todo(); }
    public <E extends Exception> void atomic(Block<E> body) throws E { throw todo(); }
    public <T, E extends Exception> T atomic(Result<T, E> body) throws E { throw todo(); }
    public <E extends Exception> void atomic(AtomicOptions options, Block<E> body) throws E { throw todo(); }
    public <T, E extends Exception> T atomic(AtomicOptions options, Result<T, E> body) throws E { throw todo(); }
    public AtomicScope begin() { throw todo(); }
    public AtomicScope begin(AtomicOptions options) { throw todo(); }
    public <T> T atomicProxy(Class<T> iface, T target) { throw todo(); }
    public boolean inAtomicBlock() { throw todo(); }
    public void onCommit(Runnable callback) { throw todo(); }
    public void onCommit(Runnable callback, boolean robust) { throw todo(); }
    public void onRollback(Runnable callback) { throw todo(); }
    public Savepoint savepoint() { throw todo(); }
    public void savepointCommit(Savepoint sid) { throw todo(); }
    public void savepointRollback(Savepoint sid) { throw todo(); }
    public void cleanSavepoints() { throw todo(); }
    public boolean getRollback() { throw todo(); }
    public void setRollback(boolean rollback) { throw todo(); }
    public <E extends Exception> void markForRollbackOnError(Block<E> body) throws E { throw todo(); }
    public boolean getAutoCommit() { throw todo(); }
    public void setAutoCommit(boolean autoCommit) { throw todo(); }
    public void commit() { throw todo(); }
    public void rollback() { throw todo(); }
    @Override public void close() { throw todo(); }

    private static UnsupportedOperationException todo() {
        return new UnsupportedOperationException("atomic4j core engine not merged yet");
    }

    /** Builder for a pooled database. */
    public static final class Builder {
        public Builder alias(String alias) { throw todo(); }
        public Builder user(String user) { throw todo(); }
        public Builder password(String password) { throw todo(); }
        public Builder atomicRequests(boolean atomicRequests) { throw todo(); }
        public Builder autoCommit(boolean autoCommit) { throw todo(); }
        public Builder isolation(Isolation isolation) { throw todo(); }
        public Builder maxPoolSize(int maxPoolSize) { throw todo(); }
        public Database build() { throw todo(); }
    }
}
