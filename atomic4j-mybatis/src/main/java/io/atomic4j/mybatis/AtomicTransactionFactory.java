package io.atomic4j.mybatis;

import io.atomic4j.AtomicOptions;
import io.atomic4j.Database;
import io.atomic4j.Isolation;
import java.sql.Connection;
import java.util.Objects;
import javax.sql.DataSource;
import org.apache.ibatis.session.TransactionIsolationLevel;
import org.apache.ibatis.transaction.Transaction;
import org.apache.ibatis.transaction.TransactionFactory;

/**
 * Makes MyBatis sessions atomic blocks of a {@link Database}. A session opened with
 * {@code openSession()} opens a block at its first statement; {@code commit()} ends it
 * successfully (the outermost block commits, a nested one releases its savepoint),
 * {@code rollback()} and {@code close()} without a commit roll it back, and the next statement
 * opens a new block. Inside {@code db.atomic}, or inside another session's block, a session is
 * therefore a savepoint: its failure rolls back exactly its own work.
 * <pre>{@code
 * Environment environment = new Environment("app", new AtomicTransactionFactory(db), db.dataSource());
 * SqlSessionFactory sessions = new SqlSessionFactoryBuilder().build(new Configuration(environment));
 * }</pre>
 * A session opened with {@code openSession(true)} (autocommit) opens no block: outside blocks each
 * statement commits by itself, inside one its statements are part of the block.
 *
 * <p>Why not MyBatis's default {@code JdbcTransactionFactory}: its transactions call
 * {@code Connection.commit()}, {@code rollback()} and {@code setAutoCommit(true)} themselves,
 * which atomic4j refuses on a block's connection (the block would otherwise be committed or
 * undone behind its back); and outside blocks it bypasses atomic4j (no onCommit, no savepoints).
 *
 * <p>atomic4j's rules hold: a statement that fails inside a session's block marks it for
 * rollback, and a commit() after a swallowed error rolls back and throws (MyBatis wraps the
 * {@link io.atomic4j.TransactionManagementException} in a PersistenceException). A session must
 * be closed on the thread that opened it, before the blocks around it end.
 * {@code openSession(Connection)} is refused: the connection comes from the Database. Thread-safe.
 */
public final class AtomicTransactionFactory implements TransactionFactory {
    private final Database db;

    /** Sessions become blocks of {@code db}; the Environment's DataSource should be {@code db.dataSource()}. */
    public AtomicTransactionFactory(Database db) {
        this.db = Objects.requireNonNull(db, "db");
    }

    @Override
    public Transaction newTransaction(Connection connection) {
        throw new UnsupportedOperationException("openSession(Connection) with AtomicTransactionFactory on database '"
                + db.alias() + "': the session takes its connection from the Database, so that it follows the blocks."
                + " Call openSession() or openSession(true).");
    }

    @Override
    public Transaction newTransaction(DataSource dataSource, TransactionIsolationLevel level, boolean autoCommit) {
        return new AtomicTransaction(db, options(level), autoCommit);
    }

    private AtomicOptions options(TransactionIsolationLevel level) {
        if (level == null || level == TransactionIsolationLevel.NONE) {
            return AtomicOptions.defaults();
        }
        Isolation isolation = switch (level) {
            case READ_UNCOMMITTED -> Isolation.READ_UNCOMMITTED;
            case READ_COMMITTED -> Isolation.READ_COMMITTED;
            case REPEATABLE_READ -> Isolation.REPEATABLE_READ;
            case SERIALIZABLE -> Isolation.SERIALIZABLE;
            default -> throw new IllegalArgumentException("Isolation level " + level + " is not supported by atomic4j"
                    + " (database '" + db.alias() + "'); use READ_UNCOMMITTED, READ_COMMITTED, REPEATABLE_READ or SERIALIZABLE.");
        };
        return AtomicOptions.defaults().isolation(isolation);
    }
}
