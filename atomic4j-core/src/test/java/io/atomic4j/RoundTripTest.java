package io.atomic4j;

import static org.assertj.core.api.Assertions.assertThat;

import io.atomic4j.testing.TestDatabase;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What atomic4j sends to the server, recorded by a wrapper around the real pool: lazy
 * savepoints and connections mean that work which runs no statement costs no round trip.
 */
class RoundTripTest {
    static final String INSERT = "INSERT INTO item (id, name) VALUES (?, ?)";
    /** PostgreSQL's query for the transaction id that resolves a lost COMMIT (PostgresDialect). */
    static final String READ_ID = "SELECT pg_current_xact_id_if_assigned()::text, pg_backend_pid()"
            + ", CASE WHEN NOT pg_is_in_recovery() THEN pg_walfile_name(pg_current_wal_insert_lsn()) END"
            + ", CASE WHEN NOT pg_is_in_recovery() THEN pg_current_wal_insert_lsn()::text END"
            + ", pg_last_wal_replay_lsn()::text"
            + ", current_setting('synchronous_standby_names') <> ''"
            + " AND current_setting('synchronous_commit') IN ('on', 'remote_write', 'remote_apply')";
    static final String UPDATE_NOTHING = "UPDATE item SET name = 'none' WHERE id < 0";

    final List<String> sent = Collections.synchronizedList(new ArrayList<>());
    TestDatabase database;
    Database db;
    com.zaxxer.hikari.HikariDataSource pool;

    /**
     * Opens the database after one transaction has read its id before COMMIT: PostgreSQL appends
     * that query to savepoint statements only once the server has run it alone. Nothing of the
     * set-up stays recorded.
     */
    Database open(TestDatabase database) throws SQLException {
        openFresh(database);
        db.atomic(() -> execute(UPDATE_NOTHING));
        sent.clear();
        return db;
    }

    Database openFresh(TestDatabase database) throws SQLException {
        this.database = database;
        pool = new com.zaxxer.hikari.HikariDataSource();
        pool.setJdbcUrl(database.jdbcUrl());
        pool.setUsername(database.user());
        pool.setPassword(database.password());
        pool.setMaximumPoolSize(2);
        try (Connection connection = pool.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute("DROP TABLE IF EXISTS item");
            statement.execute("CREATE TABLE item (id INT PRIMARY KEY, name VARCHAR(50))");
        }
        db = Database.wrap("counted", recording(pool));
        sent.clear();
        return db;
    }

    @AfterEach
    void close() {
        if (db != null) {
            db.close();
            pool.close();
        }
    }

    /**
     * Records every statement's SQL and every commit/rollback of connections from {@code target},
     * on MariaDB every change of autocommit: the driver sends SET autocommit for it, where
     * pgjdbc keeps it to itself (BEGIN goes out with the next statement) and H2 runs in-process;
     * on SQLite the COMMIT that switching autocommit on runs.
     */
    /** SQLite: a statement ran since the last recorded COMMIT or ROLLBACK. */
    private boolean sqliteWorkPending;

    DataSource recording(DataSource target) {
        return (DataSource) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {DataSource.class},
                (proxy, method, args) -> {
                    Object result = invoke(target, method, args);
                    return result instanceof Connection ? recording((Connection) result) : result;
                });
    }

    Connection recording(Connection connection) {
        return (Connection) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Connection.class},
                (proxy, method, args) -> {
                    String name = method.getName();
                    if (name.equals("commit") || name.equals("rollback") && args == null) {
                        sent.add(name.toUpperCase());
                        sqliteWorkPending = false;
                    }
                    if (name.equals("setAutoCommit") && database == TestDatabase.MARIADB
                            && (Boolean) args[0] != connection.getAutoCommit()) {
                        sent.add("set autocommit=" + ((Boolean) args[0] ? 1 : 0));
                    }
                    // sqlite-jdbc runs COMMIT when autocommit is switched back on inside a transaction; one that
                    // ran no statement (the BEGIN sqlite-jdbc itself opens after a commit or rollback) is left out.
                    if (name.equals("setAutoCommit") && database == TestDatabase.SQLITE && (Boolean) args[0]
                            && !connection.getAutoCommit() && sqliteWorkPending) {
                        sent.add("COMMIT");
                        sqliteWorkPending = false;
                    }
                    Object result = invoke(connection, method, args);
                    if (result instanceof PreparedStatement) {
                        return recording((Statement) result, PreparedStatement.class, (String) args[0]);
                    }
                    if (result instanceof Statement) {
                        return recording((Statement) result, Statement.class, null);
                    }
                    return result;
                });
    }

    Statement recording(Statement statement, Class<? extends Statement> type, String preparedSql) {
        return (Statement) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {type},
                (proxy, method, args) -> {
                    if (method.getName().startsWith("execute")) {
                        sent.add(args != null && args.length > 0 && args[0] instanceof String ? (String) args[0] : preparedSql);
                        sqliteWorkPending = true;
                    }
                    return invoke(statement, method, args);
                });
    }

    static Object invoke(Object target, java.lang.reflect.Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    void insert(int id) throws SQLException {
        DatabaseTestBase.insert(db, id);
    }

    void execute(String sql) throws SQLException {
        try (Connection connection = db.connection(); Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    @EveryDatabase
    void blockWithoutStatementsSendsNothing(TestDatabase database) throws SQLException {
        open(database);
        db.atomic(() -> db.atomic(() -> db.onCommit(() -> { })));
        assertThat(sent).isEmpty();
    }

    @EveryDatabase
    void nestedBlockWithoutStatementsTakesNoSavepoint(TestDatabase database) throws SQLException {
        open(database);
        db.atomic(() -> {
            insert(1);
            db.atomic(() -> { });
            db.atomic(() -> db.atomic(() -> { }));
        });
        assertThat(sent).containsExactlyElementsOf(withCommit(database, INSERT));
    }

    @EveryDatabase
    void nestedBlockSendsWhatHandWrittenJdbcWould(TestDatabase database) throws SQLException {
        open(database);
        db.atomic(() -> {
            insert(1);
            db.atomic(() -> insert(2));
        });
        assertThat(sent).containsExactlyElementsOf(transaction(database, false, INSERT,
                "SAVEPOINT a4j_sp1", INSERT, readingId(database, "RELEASE SAVEPOINT a4j_sp1")));
    }

    @EveryDatabase
    void savepointIsTakenBeforeTheFirstStatementOfEachPendingBlock(TestDatabase database) throws SQLException {
        open(database);
        db.atomic(() -> db.atomic(() -> db.atomic(AtomicOptions.defaults().savepoint(false), () -> db.atomic(() -> {
            insert(1);
            insert(2);
        }))));
        assertThat(sent).containsExactlyElementsOf(transaction(database, false, "SAVEPOINT a4j_sp1", "SAVEPOINT a4j_sp2",
                INSERT, INSERT,
                readingId(database, "RELEASE SAVEPOINT a4j_sp2"), "RELEASE SAVEPOINT a4j_sp1"));
    }

    @EveryDatabase
    void rolledBackNestedBlockWithoutStatementsSendsNothing(TestDatabase database) throws SQLException {
        open(database);
        db.atomic(() -> {
            insert(1);
            try {
                db.atomic(() -> {
                    throw new IllegalStateException("before any statement");
                });
            } catch (IllegalStateException expected) {
                // nothing was sent for the failed block
            }
        });
        assertThat(sent).containsExactlyElementsOf(withCommit(database, INSERT));
    }

    /**
     * Hand-written JDBC undoes a failed step with one rollback(savepoint). PostgreSQL also releases
     * the savepoint (it is a subtransaction until then), in the same flight, and reads the
     * transaction id that the outer INSERT assigned; the others leave the savepoint to die with
     * the transaction.
     */
    @EveryDatabase
    void failedNestedBlockRollsBackInOneRoundTrip(TestDatabase database) throws SQLException {
        open(database);
        db.atomic(() -> {
            insert(1);
            try {
                db.atomic(() -> {
                    insert(2);
                    throw new IllegalStateException("undo the nested block");
                });
            } catch (IllegalStateException expected) {
                // the outer block goes on
            }
        });
        String rollback = database == TestDatabase.POSTGRES
                ? "ROLLBACK TO SAVEPOINT a4j_sp1; RELEASE SAVEPOINT a4j_sp1" : "ROLLBACK TO SAVEPOINT a4j_sp1";
        assertThat(sent).containsExactlyElementsOf(transaction(database, false, INSERT,
                "SAVEPOINT a4j_sp1", INSERT, readingId(database, rollback)));
    }

    /** Also when only the failed block wrote: the transaction keeps the id its subtransaction assigned. */
    @EveryDatabase
    void failedNestedBlockThatAloneWroteStillSparesTheIdQueryBeforeCommit(TestDatabase database) throws SQLException {
        open(database);
        db.atomic(() -> {
            execute(UPDATE_NOTHING);
            try {
                db.atomic(() -> {
                    insert(2);
                    throw new IllegalStateException("undo the nested block");
                });
            } catch (IllegalStateException expected) {
                // the outer block goes on
            }
        });
        String rollback = database == TestDatabase.POSTGRES
                ? "ROLLBACK TO SAVEPOINT a4j_sp1; RELEASE SAVEPOINT a4j_sp1" : "ROLLBACK TO SAVEPOINT a4j_sp1";
        assertThat(sent).containsExactlyElementsOf(transaction(database, false, UPDATE_NOTHING,
                "SAVEPOINT a4j_sp1", INSERT, readingId(database, rollback)));
        assertThat(DatabaseTestBase.ids(db)).isEmpty();
    }

    /** Nothing may have been written when the savepoint is released, so the id is read before COMMIT as usual. */
    @EveryDatabase
    void nestedBlockBeforeAnyWriteLeavesTheIdQueryBeforeCommit(TestDatabase database) throws SQLException {
        open(database);
        db.atomic(() -> {
            db.atomic(() -> DatabaseTestBase.ids(db));
            insert(1);
        });
        assertThat(sent).containsExactlyElementsOf(withCommit(database, "SAVEPOINT a4j_sp1",
                "SELECT id FROM item ORDER BY id", "RELEASE SAVEPOINT a4j_sp1", INSERT));
    }

    /** The transaction may have written but has no id yet (no row matched): asked again before COMMIT. */
    @EveryDatabase
    void idNotYetAssignedAtTheReleaseIsReadAgainBeforeCommit(TestDatabase database) throws SQLException {
        open(database);
        db.atomic(() -> {
            execute(UPDATE_NOTHING);
            db.atomic(() -> execute(UPDATE_NOTHING));
            insert(1);
        });
        assertThat(sent).containsExactlyElementsOf(withCommit(database, UPDATE_NOTHING,
                "SAVEPOINT a4j_sp1", UPDATE_NOTHING, readingId(database, "RELEASE SAVEPOINT a4j_sp1"), INSERT));
    }

    /** Once the id is known, later savepoint statements go out bare. */
    @EveryDatabase
    void idIsReadAlongsideOneReleaseOnly(TestDatabase database) throws SQLException {
        open(database);
        db.atomic(() -> {
            db.atomic(() -> insert(1));
            db.atomic(() -> insert(2));
        });
        assertThat(sent).containsExactlyElementsOf(transaction(database, false,
                "SAVEPOINT a4j_sp1", INSERT, readingId(database, "RELEASE SAVEPOINT a4j_sp1"),
                "SAVEPOINT a4j_sp2", INSERT, "RELEASE SAVEPOINT a4j_sp2"));
    }

    /** Manual savepoints carry it too: ROLLBACK TO SAVEPOINT alone when rolled back, RELEASE when committed. */
    @EveryDatabase
    void manualSavepointRollbackReadsTheIdAlongside(TestDatabase database) throws SQLException {
        open(database);
        db.atomic(() -> {
            insert(1);
            Savepoint undone = db.savepoint();
            insert(2);
            db.savepointRollback(undone);
            Savepoint kept = db.savepoint();
            insert(3);
            db.savepointCommit(kept);
        });
        assertThat(sent).containsExactlyElementsOf(transaction(database, false, INSERT,
                "SAVEPOINT a4j_sp1", INSERT, readingId(database, "ROLLBACK TO SAVEPOINT a4j_sp1"),
                "SAVEPOINT a4j_sp2", INSERT, "RELEASE SAVEPOINT a4j_sp2"));
        assertThat(DatabaseTestBase.ids(db)).containsExactly(1, 3);
    }

    /** The server has not yet shown that it runs the id query: it is not risked inside another statement. */
    @EveryDatabase
    void firstWritingTransactionReadsItsIdBeforeCommitDespiteASavepoint(TestDatabase database) throws SQLException {
        openFresh(database);
        db.atomic(() -> {
            insert(1);
            db.atomic(() -> insert(2));
        });
        assertThat(sent).containsExactlyElementsOf(withCommit(database, INSERT,
                "SAVEPOINT a4j_sp1", INSERT, "RELEASE SAVEPOINT a4j_sp1"));
    }

    /**
     * A read-only transaction needs no id: PostgresDialect answers its lost COMMIT without asking.
     * (The other databases switch read-only with statements of their own; nothing here is theirs.)
     */
    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = "POSTGRES")
    void readOnlyTransactionReadsNoIdAlongsideItsRelease(TestDatabase database) throws SQLException {
        open(database);
        db.atomic(AtomicOptions.defaults().readOnly(true), () -> {
            execute("SELECT count(*) FROM item");
            db.atomic(() -> execute("SELECT count(*) FROM item"));
        });
        assertThat(sent).containsExactly("SELECT count(*) FROM item",
                "SAVEPOINT a4j_sp1", "SELECT count(*) FROM item", "RELEASE SAVEPOINT a4j_sp1", "COMMIT");
    }

    /** A transaction that only queries sends nothing but its queries and COMMIT, on PostgreSQL too. */
    @EveryDatabase
    void blockThatOnlyQueriesSendsNothingMore(TestDatabase database) throws SQLException {
        open(database);
        db.atomic(() -> {
            try (Connection connection = db.connection(); Statement statement = connection.createStatement()) {
                statement.executeQuery("SELECT count(*) FROM item").close();
            }
        });
        assertThat(sent).containsExactlyElementsOf(transaction(database, false, "SELECT count(*) FROM item"));
    }

    /**
     * Hand-written JDBC through HikariCP sends set autocommit=0, the INSERT, COMMIT, and
     * set autocommit=1 when the pool resets the connection: atomic4j commits by that last switch.
     */
    @EveryDatabase
    void committedTransactionSendsItsStatementsAndOneCommit(TestDatabase database) throws SQLException {
        open(database);
        db.atomic(() -> insert(1));
        if (database == TestDatabase.MARIADB) {
            assertThat(sent).containsExactly("set autocommit=0", INSERT, "set autocommit=1");
        } else {
            assertThat(sent).containsExactlyElementsOf(withCommit(database, INSERT));
        }
    }

    /** ROLLBACK cannot carry the switch back to autocommit, so it costs what hand-written JDBC does. */
    @EveryDatabase
    void rolledBackTransactionSendsItsStatementsAndRollback(TestDatabase database) throws SQLException {
        open(database);
        try {
            db.atomic(() -> {
                insert(1);
                throw new IllegalStateException("undo the transaction");
            });
        } catch (IllegalStateException expected) {
            // rolled back
        }
        List<String> expected = new ArrayList<>(List.of(INSERT, "ROLLBACK"));
        if (database == TestDatabase.MARIADB) {
            expected.add(0, "set autocommit=0");
            expected.add("set autocommit=1");
        }
        assertThat(sent).containsExactlyElementsOf(expected);
    }

    /** A manual transaction's commit is not its last: autocommit stays off until the user switches it on. */
    @EveryDatabase
    void manualTransactionCommitsWithCommit(TestDatabase database) throws SQLException {
        open(database);
        db.setAutoCommit(false);
        try {
            insert(1);
            db.commit();
            insert(2);
            db.commit();
        } finally {
            db.setAutoCommit(true);
        }
        List<String> expected = new ArrayList<>(List.of(INSERT, "COMMIT", INSERT, "COMMIT"));
        if (database == TestDatabase.POSTGRES) {
            expected.add(1, READ_ID);
            expected.add(4, READ_ID);
        }
        if (database == TestDatabase.MARIADB) {
            expected.add(0, "set autocommit=0");
            expected.add("set autocommit=1");
        }
        assertThat(sent).containsExactlyElementsOf(expected);
        assertThat(DatabaseTestBase.ids(db)).containsExactly(1, 2);
    }

    /** A manual transaction's next transaction keeps its session but not the id read alongside a release. */
    @EveryDatabase
    void idReadAlongsideAReleaseServesOnlyItsOwnTransaction(TestDatabase database) throws SQLException {
        open(database);
        db.setAutoCommit(false);
        try {
            insert(1);
            db.atomic(() -> insert(2));
            db.commit();
            insert(3);
            db.commit();
        } finally {
            db.setAutoCommit(true);
        }
        List<String> expected = new ArrayList<>(List.of(INSERT, "SAVEPOINT a4j_sp1", INSERT,
                readingId(database, "RELEASE SAVEPOINT a4j_sp1"), "COMMIT", INSERT, "COMMIT"));
        if (database == TestDatabase.POSTGRES) {
            expected.add(6, READ_ID);
        }
        if (database == TestDatabase.MARIADB) {
            expected.add(0, "set autocommit=0");
            expected.add("set autocommit=1");
        }
        assertThat(sent).containsExactlyElementsOf(expected);
        assertThat(DatabaseTestBase.ids(db)).containsExactly(1, 2, 3);
    }

    /** On PostgreSQL the savepoint statement that also reads the transaction id, in the same string. */
    static String readingId(TestDatabase database, String savepointSql) {
        return database == TestDatabase.POSTGRES ? savepointSql + "; " + READ_ID : savepointSql;
    }

    static List<String> withCommit(TestDatabase database, String... statements) {
        return transaction(database, true, statements);
    }

    /**
     * A block's transaction running {@code statements}, committed. On PostgreSQL a transaction that
     * may have written first reads its transaction id, one round trip more than hand-written JDBC:
     * the price of resolving a COMMIT whose connection is lost (PostgresDialect, CommitOutcomeTest),
     * unless the id was read alongside a savepoint statement ({@link #readingId}); pass false then.
     * On MariaDB it starts with set autocommit=0 and commits with set autocommit=1.
     */
    static List<String> transaction(TestDatabase database, boolean readsIdBeforeCommit, String... statements) {
        List<String> expected = new ArrayList<>(List.of(statements));
        if (database == TestDatabase.MARIADB) {
            expected.add(0, "set autocommit=0");
            expected.add("set autocommit=1");
            return expected;
        }
        if (database == TestDatabase.POSTGRES && readsIdBeforeCommit) {
            expected.add(READ_ID);
        }
        expected.add("COMMIT");
        return expected;
    }
}
