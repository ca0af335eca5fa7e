package io.atomic4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import io.atomic4j.testing.FaultInjectingDataSource;
import io.atomic4j.testing.FaultInjectingDataSource.Failure;
import io.atomic4j.testing.TestDatabase;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Savepoint;
import java.sql.Statement;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The JDBC objects atomic4j hands out keep the JDBC contract (wrapping, pool settings, savepoints,
 * abort) and its own rules on every path: a statement kept past its block, a driver that throws
 * something other than SQLException, a connection found dead when a transaction starts.
 */
class JdbcContractTest extends DatabaseTestBase {

    // ------------------------------------------------------------------ the transaction-aware DataSource

    @EveryDatabase
    void theDataSourceIsAWrapperOfItsPool(TestDatabase database) throws SQLException {
        use(database);
        DataSource dataSource = db.dataSource();
        assertThat(dataSource.isWrapperFor(DataSource.class)).isTrue();
        assertThat(dataSource.unwrap(DataSource.class)).isSameAs(dataSource);
        assertThat(dataSource.isWrapperFor(HikariDataSource.class)).isTrue();
        assertThat(dataSource.unwrap(HikariDataSource.class).getPoolName()).isEqualTo("atomic4j-default");
        assertThat(dataSource.isWrapperFor(String.class)).isFalse();
        assertThat(dataSource).hasToString("TransactionAwareDataSource[default]");
        assertThatThrownBy(dataSource::getParentLogger).isInstanceOf(SQLFeatureNotSupportedException.class);
    }

    @Test
    void theDataSourcePassesLogWriterAndLoginTimeoutToThePool() throws SQLException {
        use(TestDatabase.H2);
        JdbcDataSource pool = new JdbcDataSource();   // keeps both settings per instance
        pool.setURL(testDatabase.jdbcUrl());
        try (Database wrapped = Database.wrap("wrapped", pool)) {
            PrintWriter writer = new PrintWriter(new StringWriter());
            wrapped.dataSource().setLogWriter(writer);
            wrapped.dataSource().setLoginTimeout(7);
            assertThat(pool.getLogWriter()).isSameAs(writer);
            assertThat(wrapped.dataSource().getLogWriter()).isSameAs(writer);
            assertThat(pool.getLoginTimeout()).isEqualTo(7);
            assertThat(wrapped.dataSource().getLoginTimeout()).isEqualTo(7);
        }
    }

    @Test
    void otherCredentialsWorkOutsideABlockAndAreRefusedInsideOne() throws SQLException {
        use(TestDatabase.H2);
        JdbcDataSource pool = new JdbcDataSource();   // takes getConnection(user, password); HikariCP does not
        pool.setURL(testDatabase.jdbcUrl());
        pool.setUser(testDatabase.user());
        pool.setPassword(testDatabase.password());
        try (Database wrapped = Database.wrap("wrapped", pool)) {
            try (Connection connection = wrapped.dataSource().getConnection(testDatabase.user(), testDatabase.password())) {
                assertThat(connection.toString()).startsWith("UnboundConnection[wrapped, ");
                insertWith(connection, 1);
            }
            assertThatThrownBy(() -> wrapped.atomic(() -> {
                insert(wrapped, 2);
                wrapped.dataSource().getConnection(testDatabase.user(), testDatabase.password());
            })).isInstanceOf(TransactionManagementException.class)
                    .hasMessageContaining("getConnection(user, password) inside an atomic block");
        }
        assertThat(committedIds()).containsExactly(1);
    }

    private static void insertWith(Connection connection, int id) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.executeUpdate("INSERT INTO item (id, name) VALUES (" + id + ", 'x')");
        }
    }

    // ------------------------------------------------------------------ connections outside a block

    @EveryDatabase
    void aConnectionOutsideABlockIsAWrapperOfTheDriversConnection(TestDatabase database) throws SQLException {
        use(database);
        try (Connection connection = db.connection()) {
            assertThat(connection.isWrapperFor(Connection.class)).isTrue();
            assertThat(connection.unwrap(Connection.class)).isSameAs(connection);
            assertThat(connection.isWrapperFor(String.class)).isFalse();
            Class<? extends Connection> driverClass = driverConnectionClass(connection);
            assertThat(connection.isWrapperFor(driverClass)).isTrue();
            assertThat(connection.unwrap(driverClass)).isInstanceOf(driverClass).isNotSameAs(connection);
            assertThat(connection.toString()).startsWith("UnboundConnection[default, ");
        }
    }

    @EveryDatabase
    void aStatementPreparedOutsideABlockIsRefusedInsideOne(TestDatabase database) throws SQLException {
        use(database);
        try (Connection connection = db.connection();
             PreparedStatement update = connection.prepareStatement("INSERT INTO item (id, name) VALUES (?, 'x')");
             PreparedStatement query = connection.prepareStatement("SELECT id FROM item")) {
            assertThatThrownBy(() -> db.atomic(() -> {
                insert(1);
                update.setInt(1, 2);
                update.executeUpdate();
            })).isInstanceOf(TransactionManagementException.class);
            assertThatThrownBy(() -> db.atomic(() -> {
                insert(3);
                query.executeQuery().close();
            })).isInstanceOf(TransactionManagementException.class);
        }
        assertThat(committedIds()).isEmpty();
    }

    // ------------------------------------------------------------------ the bound connection

    @EveryDatabase
    void theBoundConnectionIsAWrapperButNeverHandsOutTheDriversConnectionInABlock(TestDatabase database)
            throws SQLException {
        use(database);
        db.atomic(() -> {
            try (Connection connection = db.connection()) {
                assertThat(connection.isWrapperFor(Connection.class)).isTrue();
                assertThat(connection.unwrap(Connection.class)).isSameAs(connection);
                assertThat(connection.isWrapperFor(String.class)).isFalse();
                assertThat(connection.toString()).startsWith("BoundConnection[default, ");
            }
        });
        db.setAutoCommit(false);
        try (Connection connection = db.connection()) {
            Class<? extends Connection> driverClass = driverConnectionClass(connection);
            assertThat(connection.isWrapperFor(driverClass)).isTrue();
            // Outside a block (a manual transaction) the driver's connection may be unwrapped.
            assertThat(connection.unwrap(driverClass)).isInstanceOf(driverClass).isNotSameAs(connection);
        } finally {
            db.rollback();
            db.setAutoCommit(true);
        }
    }

    @EveryDatabase
    void aStatementKeptPastItsBlockIsRefusedAndWritesNothing(TestDatabase database) throws SQLException {
        use(database);
        PreparedStatement[] kept = new PreparedStatement[2];
        db.atomic(() -> {
            Connection connection = db.connection();
            kept[0] = connection.prepareStatement("INSERT INTO item (id, name) VALUES (?, 'kept')");
            kept[1] = connection.prepareStatement("SELECT id FROM item");
            kept[0].setInt(1, 2);
            insert(1);
        });
        assertThatThrownBy(kept[0]::executeUpdate).isInstanceOf(TransactionManagementException.class)
                .hasMessageContaining("was used after that block ended");
        assertThatThrownBy(kept[1]::executeQuery).isInstanceOf(TransactionManagementException.class)
                .hasMessageContaining("was used after that block ended");
        db.atomic(() -> assertThatThrownBy(kept[0]::executeUpdate).isInstanceOf(TransactionManagementException.class));
        assertThat(committedIds()).containsExactly(1);
    }

    @EveryDatabase
    void jdbcSavepointsOnTheBoundConnectionWork(TestDatabase database) throws SQLException {
        use(database);
        db.atomic(() -> {
            Connection connection = db.connection();
            Savepoint first = connection.setSavepoint();
            assertThat(first).isNotNull();
            insert(1);
            connection.rollback(first);
            Savepoint second = connection.setSavepoint("mine");
            insert(2);
            connection.releaseSavepoint(second);
            insert(3);
        });
        assertThat(committedIds()).containsExactly(2, 3);
    }

    @EveryDatabase
    void aReleasedJdbcSavepointCannotBeRolledBackTo(TestDatabase database) throws SQLException {
        use(database);
        assertThatThrownBy(() -> db.atomic(() -> {
            Connection connection = db.connection();
            Savepoint savepoint = connection.setSavepoint("mine");
            insert(1);
            connection.releaseSavepoint(savepoint);
            try {
                connection.rollback(savepoint);
            } catch (SQLException expected) {
                throw new IllegalStateException("released", expected);
            }
        })).hasMessage("released");
        assertThat(committedIds()).isEmpty();
    }

    @EveryDatabase
    void jdbcSavepointsAreRefusedInABrokenTransaction(TestDatabase database) throws SQLException {
        use(database);
        assertThatThrownBy(() -> db.atomic(() -> {
            Connection connection = db.connection();
            insert(1);
            assertThatThrownBy(() -> insert(1)).isInstanceOf(SQLException.class);   // duplicate key
            assertThatThrownBy(() -> connection.setSavepoint("after")).isInstanceOf(TransactionManagementException.class)
                    .hasMessageContaining("An error occurred in the current transaction");
            assertThatThrownBy(connection::setSavepoint).isInstanceOf(TransactionManagementException.class);
        })).isInstanceOf(TransactionManagementException.class);
        assertThat(committedIds()).isEmpty();
    }

    @EveryDatabase
    void switchingAutocommitOnThroughTheConnectionEndsAnIdleManualTransaction(TestDatabase database)
            throws SQLException {
        use(database);
        db.setAutoCommit(false);
        try (Connection connection = db.connection()) {
            connection.setAutoCommit(true);
        }
        assertThat(db.getAutoCommit()).isTrue();
    }

    @EveryDatabase
    void abortingTheBlocksConnectionRollsTheBlockBackAndTheNextBlockWorks(TestDatabase database) throws SQLException {
        use(database);
        assertThatThrownBy(() -> db.atomic(() -> {
            insert(1);
            db.connection().abort(Runnable::run);
            insert(3);
        })).isInstanceOf(TransactionManagementException.class).hasMessageContaining("was lost inside an atomic block")
                .hasRootCauseMessage("The connection to database 'default' was aborted with Connection.abort()");
        db.atomic(() -> insert(2));
        assertThat(committedIds()).containsExactly(2);
    }

    @EveryDatabase
    void abortingAManualTransactionsConnectionEndsItsTransaction(TestDatabase database) throws SQLException {
        use(database);
        db.setAutoCommit(false);
        try {
            insert(1);
            db.connection().abort(Runnable::run);
            insert(2);   // a new transaction on a new connection
            db.commit();
        } finally {
            db.setAutoCommit(true);
        }
        assertThat(committedIds()).containsExactly(2);
    }

    @EveryDatabase
    void ddlRunsInTheBlockWhereTheDatabaseAllowsItAndIsRefusedWhereItWouldCommit(TestDatabase database)
            throws SQLException {
        use(database);
        boolean ddlCommits = database == TestDatabase.H2 || database == TestDatabase.MARIADB;
        assertThatThrownBy(() -> db.atomic(() -> {
            insert(1);
            try (Statement statement = db.connection().createStatement()) {
                statement.execute("CREATE TABLE made_in_block (id INT)");
            }
            throw new IllegalStateException("undo");
        })).isInstanceOf(ddlCommits ? TransactionManagementException.class : IllegalStateException.class);
        assertThat(committedIds()).isEmpty();
        try (Connection connection = testDatabase.newPlainDataSource().getConnection()) {
            assertThatThrownBy(() -> connection.createStatement().executeQuery("SELECT id FROM made_in_block"))
                    .as("the table created in the rolled-back block").isInstanceOf(SQLException.class);
        }
    }

    // ------------------------------------------------------------------ drivers that throw what they should not

    @EveryDatabase
    void aDriversRuntimeExceptionInABlockComesOutAsItselfAndTheBlockNeverCommits(TestDatabase database)
            throws Exception {
        driverFailureInABlock(database, Failure.RUNTIME_EXCEPTION, IllegalStateException.class);
    }

    @EveryDatabase
    void aDriversErrorInABlockComesOutAsItselfAndTheBlockNeverCommits(TestDatabase database) throws Exception {
        driverFailureInABlock(database, Failure.ERROR, AssertionError.class);
    }

    private void driverFailureInABlock(TestDatabase database, Failure failure, Class<? extends Throwable> type)
            throws Exception {
        use(database);
        withFaults(database, (faults, faulty) -> {
            assertThatThrownBy(() -> faulty.atomic(() -> {
                insert(faulty, 1);
                faults.armOn("PreparedStatement.executeUpdate", failure);
                try {
                    insert(faulty, 2);
                } catch (Throwable swallowed) {
                    // a caller that swallows the driver's failure must not get a commit out of it
                    assertThat(swallowed).isInstanceOf(type).hasMessageStartingWith("injected");
                } finally {
                    faults.disarm();
                }
            })).isInstanceOf(DatabaseException.class);
        });
        assertThat(committedIds()).isEmpty();
    }

    @EveryDatabase
    void afterABlockLostItsConnectionTheThreadsNextManualTransactionWorks(TestDatabase database) throws Exception {
        use(database);
        withFaults(database, (faults, faulty) -> {
            assertThatThrownBy(() -> faulty.atomic(() -> {
                insert(faulty, 1);
                faults.armOn("PreparedStatement.executeUpdate", Failure.CONNECTION_LOST);
                try {
                    insert(faulty, 2);
                } finally {
                    faults.disarm();
                }
            })).hasMessage("injected: connection lost");
            faulty.setAutoCommit(false);
            try {
                insert(faulty, 3);
                faulty.commit();
            } finally {
                faulty.setAutoCommit(true);
            }
        });
        assertThat(committedIds()).containsExactly(3);
    }

    @EveryDatabase
    void aDriversRuntimeExceptionOutsideABlockComesOutAsItself(TestDatabase database) throws Exception {
        use(database);
        withFaults(database, (faults, faulty) -> {
            for (Failure failure : new Failure[] {Failure.RUNTIME_EXCEPTION, Failure.ERROR}) {
                faults.armOn("PreparedStatement.executeUpdate", failure);
                try {
                    assertThatThrownBy(() -> insert(faulty, 1)).hasMessageStartingWith("injected");
                } finally {
                    faults.disarm();
                }
            }
        });
        assertThat(committedIds()).isEmpty();
    }

    /*
     * Not on MariaDB: atomic4j discards a dead connection by evicting it from a HikariCP pool, but
     * behind the fault injector it can only abort and close it; MariaDB's aborted connection then
     * goes back into the test's pool, which hands it out again within its validation window.
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(value = TestDatabase.class, names = {"SQLITE", "H2", "POSTGRES"})
    void upToThreeConnectionsFoundDeadWhenATransactionStartsAreReplacedUnseen(TestDatabase database)
            throws Exception {
        use(database);
        withFaults(database, (faults, faulty) -> {
            faults.armOn("Connection.setAutoCommit", Failure.CONNECTION_LOST, 3);
            try {
                faulty.atomic(() -> insert(faulty, 1));
            } finally {
                faults.disarm();
            }
            faults.armOn("Connection.setAutoCommit", Failure.CONNECTION_LOST, 4);
            try {
                assertThatThrownBy(() -> faulty.atomic(() -> insert(faulty, 2))).isInstanceOf(DatabaseException.class)
                        .hasMessageContaining("start a transaction");
            } finally {
                faults.disarm();
            }
        });
        assertThat(committedIds()).containsExactly(1);
    }

    private interface FaultyRun {
        void run(FaultInjectingDataSource faults, Database faulty) throws Exception;
    }

    /** A Database over a real pool with a {@link FaultInjectingDataSource} in front of it. */
    private static void withFaults(TestDatabase database, FaultyRun run) throws Exception {
        try (HikariDataSource pool = database.newUserPool(6)) {
            FaultInjectingDataSource faults = new FaultInjectingDataSource(pool);
            try (Database faulty = Database.wrap("faulty", faults.dataSource())) {
                run.run(faults, faulty);
            }
            assertThat(pool.getHikariPoolMXBean().getActiveConnections()).as("connections still borrowed").isZero();
        }
    }

    // ------------------------------------------------------------------ the builder's pool settings

    @EveryDatabase
    void theBuildersIsolationIsEveryPooledConnectionsLevel(TestDatabase database) throws SQLException {
        use(database);
        for (Isolation level : Isolation.values()) {
            try (Database isolated = Database.builder(database.jdbcUrl()).alias("isolated").user(database.user())
                    .password(database.password()).maxPoolSize(1).isolation(level).build()) {
                int expected = database == TestDatabase.SQLITE && level != Isolation.READ_UNCOMMITTED
                        ? Connection.TRANSACTION_SERIALIZABLE : level.jdbcLevel();
                isolated.atomic(() -> assertThat(isolated.connection().getTransactionIsolation()).as(level.name())
                        .isEqualTo(expected));
            }
        }
    }

    @EveryDatabase
    void aPooledConnectionComesBackWithTheDefaultIsolationAfterABlockThatChangedIt(TestDatabase database)
            throws SQLException {
        use(database);
        try (Database single = Database.builder(database.jdbcUrl()).alias("single").user(database.user())
                .password(database.password()).maxPoolSize(1).build()) {
            int[] levels = new int[3];
            single.atomic(() -> levels[0] = single.connection().getTransactionIsolation());
            Isolation other = levels[0] == Connection.TRANSACTION_SERIALIZABLE ? Isolation.READ_UNCOMMITTED
                    : Isolation.SERIALIZABLE;
            single.atomic(AtomicOptions.defaults().isolation(other),
                    () -> levels[1] = single.connection().getTransactionIsolation());
            single.atomic(() -> levels[2] = single.connection().getTransactionIsolation());
            assertThat(levels[1]).isNotEqualTo(levels[0]);
            assertThat(levels[2]).isEqualTo(levels[0]);
        }
    }

    @EveryDatabase
    void theBuildersPoolSettingsReachThePool(TestDatabase database) throws SQLException {
        use(database);
        try (Database built = Database.builder(database.jdbcUrl()).alias("sized").user(database.user())
                .password(database.password()).property("user", database.user()).resolveCommitOutcome(true)
                .atomicRequests(true).maxPoolSize(3).build()) {
            HikariDataSource pool = built.dataSource().unwrap(HikariDataSource.class);
            assertThat(pool.getPoolName()).isEqualTo("atomic4j-sized");
            assertThat(pool.getMaximumPoolSize()).isEqualTo(3);
            assertThat(pool.getMinimumIdle()).isEqualTo(2);
            assertThat(built.atomicRequests()).isTrue();
        }
        try (Database single = Database.builder(database.jdbcUrl()).alias("one").user(database.user())
                .password(database.password()).maxPoolSize(1).build()) {
            assertThat(single.dataSource().unwrap(HikariDataSource.class).getMinimumIdle()).isEqualTo(1);
            assertThat(single.atomicRequests()).isFalse();
        }
    }

    @EveryDatabase
    void aDatabaseNamesItsAliasDialectAndWhetherItIsClosed(TestDatabase database) throws SQLException {
        use(database);
        String dialect = switch (database) {
            case SQLITE -> "SQLite";
            case H2 -> "H2";
            case POSTGRES -> "PostgreSQL";
            case MARIADB -> "MariaDB";
        };
        Database named = Database.builder(database.jdbcUrl()).alias("named").user(database.user())
                .password(database.password()).build();
        try (named) {
            assertThat(named).hasToString("Database[named, " + dialect + "]");
        }
        assertThat(named).hasToString("Database[named, " + dialect + ", closed]");
    }

    @Test
    void badBuilderArgumentsAreRefusedWithWhatWasWrong() {
        assertThatThrownBy(() -> Database.builder((String) null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("got null");
        assertThatThrownBy(() -> Database.builder("postgres://localhost/app")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("starting with 'jdbc:', got 'postgres://localhost/app'");
        for (String alias : new String[] {null, "", "  "}) {
            assertThatThrownBy(() -> Database.builder("jdbc:h2:mem:x").alias(alias))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("non-blank name");
        }
        assertThatThrownBy(() -> Database.builder("jdbc:h2:mem:x").maxPoolSize(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 1, got 0");
    }

    @Test
    void retryPoliciesSayWhatTheyAre() {
        assertThat(RetryPolicy.none().maxAttempts()).isEqualTo(1);
        assertThat(RetryPolicy.transientErrors(1).maxAttempts()).isEqualTo(1);
        assertThatThrownBy(() -> RetryPolicy.transientErrors(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("got 0");
        assertThat(RetryPolicy.none()).hasToString("RetryPolicy[none]");
        assertThat(RetryPolicy.transientErrors(1)).hasToString("RetryPolicy[none]");
        assertThat(RetryPolicy.transientErrors(3).toString()).startsWith("RetryPolicy[transientErrors=3, backoff=");
    }

    /** The driver's connection class, which the pool's connection is a wrapper for. */
    private static Class<? extends Connection> driverConnectionClass(Connection connection) throws SQLException {
        String name = switch (connection.getMetaData().getDatabaseProductName().toLowerCase()) {
            case "h2" -> "org.h2.jdbc.JdbcConnection";
            case "sqlite" -> "org.sqlite.SQLiteConnection";
            case "postgresql" -> "org.postgresql.jdbc.PgConnection";
            default -> "org.mariadb.jdbc.Connection";
        };
        try {
            return Class.forName(name).asSubclass(Connection.class);
        } catch (ClassNotFoundException e) {
            throw new AssertionError(e);
        }
    }
}
