package io.atomic4j.benchmarks;

import com.zaxxer.hikari.HikariDataSource;
import io.atomic4j.Database;
import io.atomic4j.jdbi.AtomicTransactionHandler;
import io.atomic4j.jooq.AtomicTransactionProvider;
import io.atomic4j.spring.AtomicTransactionManager;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.Locale;
import org.jdbi.v3.core.Jdbi;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * One library's way to run a transaction over the shared HikariCP pool. Each implementation is
 * what a user of that library would write; thread-safe, so JMH threads can share one.
 */
abstract class Peer implements AutoCloseable {
    /** The peers, in the order of the report's columns. */
    enum Kind {
        JDBC("hand-written JDBC"),
        ATOMIC4J("atomic4j"),
        /** PostgreSQL only: atomic4j without the pre-COMMIT transaction-id query that resolves lost COMMITs. */
        ATOMIC4J_NO_RESOLVE("atomic4j, resolveCommitOutcome(false)"),
        SPRING("Spring TransactionTemplate"),
        /** The same TransactionTemplate code on AtomicTransactionManager (atomic4j-spring) over the same pool. */
        SPRING_ATOMIC4J("Spring TransactionTemplate on AtomicTransactionManager"),
        JOOQ("jOOQ"),
        /** jOOQ's own DSLContext.transaction, made atomic blocks by atomic4j-jooq. */
        JOOQ_ATOMIC4J("jOOQ, AtomicTransactionProvider"),
        JDBI("JDBI"),
        /** JDBI's own useTransaction, made atomic blocks by atomic4j-jdbi. */
        JDBI_ATOMIC4J("JDBI, AtomicTransactionHandler");

        /** The peer that the same library's native transactions give, for the integration peers; null otherwise. */
        Kind nativeCounterpart() {
            return switch (this) {
                case JOOQ_ATOMIC4J -> JOOQ;
                case JDBI_ATOMIC4J -> JDBI;
                default -> null;
            };
        }

        final String title;

        Kind(String title) {
            this.title = title;
        }
    }

    /** What an autocommit body gets for nesting: nothing to nest in. */
    static final Work.Tx NO_NESTING = body -> {
        throw new UnsupportedOperationException("no nested block outside a transaction");
    };

    /** Runs {@code body} as one transaction: commit on return, rollback and rethrow on an exception. */
    abstract void transaction(Work body) throws Exception;

    /** Runs {@code body} on a connection in autocommit mode: every statement commits by itself. */
    abstract void autocommit(Work body) throws Exception;

    @Override
    public void close() {
    }

    static Peer create(Kind kind, HikariDataSource pool, BenchDatabase database) {
        return switch (kind) {
            case JDBC -> new HandWrittenJdbc(pool);
            case ATOMIC4J -> new Atomic4j(Database.wrap("bench", pool));
            case ATOMIC4J_NO_RESOLVE -> new Atomic4j(Database.builder(database.jdbcUrl())
                    .user(database.user()).password(database.password())
                    .maxPoolSize(pool.getMaximumPoolSize()).resolveCommitOutcome(false).build());
            case SPRING -> new Spring(new DataSourceTransactionManager(pool), pool, null);
            case SPRING_ATOMIC4J -> {
                Database db = Database.wrap("bench", pool);
                yield new Spring(new AtomicTransactionManager(db), db.dataSource(), db);
            }
            case JOOQ -> new Jooq(DSL.using(pool, jooqDialect(database.kind())));
            case JOOQ_ATOMIC4J -> Jooq.atomic(Database.wrap("bench", pool), jooqDialect(database.kind()));
            case JDBI -> new JdbiPeer(Jdbi.create(pool));
            case JDBI_ATOMIC4J -> new JdbiAtomic(Database.wrap("bench", pool));
        };
    }

    private static SQLDialect jooqDialect(String kind) {
        return switch (kind.toUpperCase(Locale.ROOT)) {
            case "H2" -> SQLDialect.H2;
            case "SQLITE" -> SQLDialect.SQLITE;
            case "POSTGRES" -> SQLDialect.POSTGRES;
            case "MARIADB" -> SQLDialect.MARIADB;
            default -> throw new IllegalArgumentException("No jOOQ dialect for " + kind);
        };
    }

    /** The floor: try-with-resources, autocommit off, commit or rollback, savepoints by hand. */
    static final class HandWrittenJdbc extends Peer {
        private final HikariDataSource pool;

        HandWrittenJdbc(HikariDataSource pool) {
            this.pool = pool;
        }

        @Override
        void transaction(Work body) throws Exception {
            try (Connection connection = pool.getConnection()) {
                connection.setAutoCommit(false);    // HikariCP restores autocommit when the connection is closed
                try {
                    body.run(connection, nestedBody -> nested(connection, nestedBody));
                    connection.commit();
                } catch (Exception | Error e) {
                    connection.rollback();
                    throw e;
                }
            }
        }

        private static void nested(Connection connection, Work body) throws Exception {
            Savepoint savepoint = connection.setSavepoint();
            try {
                body.run(connection, nestedBody -> nested(connection, nestedBody));
            } catch (Exception | Error e) {
                connection.rollback(savepoint);
                throw e;
            }
            connection.releaseSavepoint(savepoint);
        }

        @Override
        void autocommit(Work body) throws Exception {
            try (Connection connection = pool.getConnection()) {
                body.run(connection, NO_NESTING);
            }
        }
    }

    /** Statements go through db.connection(), the transaction-aware DataSource, as JDBI, jOOQ or plain JDBC code would. */
    static final class Atomic4j extends Peer {
        private final Database db;
        private final Work.Tx tx;

        Atomic4j(Database db) {
            this.db = db;
            this.tx = this::atomic;
        }

        @Override
        void transaction(Work body) throws Exception {
            atomic(body);
        }

        private void atomic(Work body) throws Exception {
            db.atomic(() -> {
                try (Connection connection = db.connection()) {
                    body.run(connection, tx);
                }
            });
        }

        @Override
        void autocommit(Work body) throws Exception {
            try (Connection connection = db.connection()) {
                body.run(connection, tx);
            }
        }

        @Override
        public void close() {
            db.close();
        }
    }

    /**
     * TransactionTemplate over DataSourceTransactionManager (nested blocks with PROPAGATION_NESTED:
     * JDBC savepoints), or the same code over AtomicTransactionManager (nested: lazy savepoints).
     */
    static final class Spring extends Peer {
        private final javax.sql.DataSource pool;
        private final TransactionTemplate required;
        private final TransactionTemplate nested;
        private final JdbcTemplate jdbc;
        private final Work.Tx tx;
        /** The atomic4j database behind AtomicTransactionManager; null for Spring's own manager. */
        private final Database db;

        /** {@code pool}: the DataSource Spring code is given (the plain pool, or {@code db.dataSource()}). */
        Spring(PlatformTransactionManager manager, javax.sql.DataSource pool, Database db) {
            this.pool = pool;
            this.db = db;
            this.required = new TransactionTemplate(manager);
            this.nested = new TransactionTemplate(manager);
            nested.setPropagationBehavior(TransactionDefinition.PROPAGATION_NESTED);
            this.jdbc = new JdbcTemplate(pool);
            this.tx = body -> run(nested, body);
        }

        @Override
        void transaction(Work body) throws Exception {
            run(required, body);
        }

        private void run(TransactionTemplate template, Work body) throws Exception {
            try {
                template.executeWithoutResult(status -> {
                    Connection connection = DataSourceUtils.getConnection(pool);
                    try {
                        body.run(connection, tx);
                    } catch (RuntimeException e) {
                        throw e;
                    } catch (Exception e) {
                        throw new Checked(e);
                    } finally {
                        DataSourceUtils.releaseConnection(connection, pool);
                    }
                });
            } catch (Checked e) {
                throw e.checked;
            }
        }

        @Override
        void autocommit(Work body) throws Exception {
            try {
                jdbc.execute((ConnectionCallback<Void>) connection -> {
                    try {
                        body.run(connection, tx);
                    } catch (SQLException | RuntimeException e) {
                        throw e;
                    } catch (Exception e) {
                        throw new Checked(e);
                    }
                    return null;
                });
            } catch (Checked e) {
                throw e.checked;
            }
        }

        @Override
        public void close() {
            if (db != null) {
                db.close();
            }
        }
    }

    /**
     * DSLContext.transaction; nested transactions are savepoints in jOOQ's DefaultTransactionProvider, or, with
     * {@link AtomicTransactionProvider}, atomic blocks (lazy savepoints) of a Database over the same pool.
     */
    static final class Jooq extends Peer {
        private final DSLContext dsl;
        private final Database db;

        Jooq(DSLContext dsl) {
            this(dsl, null);
        }

        private Jooq(DSLContext dsl, Database db) {
            this.dsl = dsl;
            this.db = db;
        }

        static Jooq atomic(Database db, SQLDialect dialect) {
            DSLContext dsl = DSL.using(db.dataSource(), dialect);
            dsl.configuration().set(new AtomicTransactionProvider(db));
            return new Jooq(dsl, db);
        }

        @Override
        void transaction(Work body) {
            run(dsl, body);
        }

        private static void run(DSLContext context, Work body) {
            context.transaction(configuration -> {
                DSLContext inner = configuration.dsl();
                inner.connection(connection -> body.run(connection, nestedBody -> run(inner, nestedBody)));
            });
        }

        @Override
        void autocommit(Work body) {
            dsl.connection(connection -> body.run(connection, NO_NESTING));
        }

        @Override
        public void close() {
            if (db != null) {
                db.close();
            }
        }
    }

    /** Jdbi.useTransaction; nested blocks with Handle.savepoint / rollbackToSavepoint / release. */
    static final class JdbiPeer extends Peer {
        private final Jdbi jdbi;

        JdbiPeer(Jdbi jdbi) {
            this.jdbi = jdbi;
        }

        @Override
        void transaction(Work body) throws Exception {
            jdbi.useTransaction(handle -> body.run(handle.getConnection(), nestedBody -> nested(handle, nestedBody, 1)));
        }

        private static void nested(org.jdbi.v3.core.Handle handle, Work body, int depth) throws Exception {
            String name = "sp" + depth;
            handle.savepoint(name);
            try {
                body.run(handle.getConnection(), nestedBody -> nested(handle, nestedBody, depth + 1));
            } catch (Exception | Error e) {
                handle.rollbackToSavepoint(name);
                throw e;
            }
            handle.release(name);
        }

        @Override
        void autocommit(Work body) throws Exception {
            jdbi.useHandle(handle -> body.run(handle.getConnection(), NO_NESTING));
        }
    }

    /** Jdbi.useTransaction through AtomicTransactionHandler; a nested block is Handle.useTransaction (a lazy savepoint). */
    static final class JdbiAtomic extends Peer {
        private final Database db;
        private final Jdbi jdbi;

        JdbiAtomic(Database db) {
            this.db = db;
            this.jdbi = AtomicTransactionHandler.jdbi(db);
        }

        @Override
        void transaction(Work body) throws Exception {
            jdbi.useTransaction(handle -> body.run(handle.getConnection(), nestedBody -> nested(handle, nestedBody)));
        }

        private static void nested(org.jdbi.v3.core.Handle handle, Work body) throws Exception {
            handle.useTransaction(inner -> body.run(inner.getConnection(), nestedBody -> nested(inner, nestedBody)));
        }

        @Override
        void autocommit(Work body) throws Exception {
            jdbi.useHandle(handle -> body.run(handle.getConnection(), NO_NESTING));
        }

        @Override
        public void close() {
            db.close();
        }
    }

    /** Carries a checked exception through a callback interface that allows only unchecked ones. */
    static final class Checked extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final Exception checked;

        Checked(Exception checked) {
            super(checked);
            this.checked = checked;
        }
    }
}
