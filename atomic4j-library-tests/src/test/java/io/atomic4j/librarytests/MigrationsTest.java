package io.atomic4j.librarytests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.atomic4j.Database;
import io.atomic4j.TransactionManagementException;
import io.atomic4j.testing.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import liquibase.command.CommandScope;
import liquibase.command.core.UpdateCommandStep;
import liquibase.command.core.helpers.DbUrlConnectionArgumentsCommandStep;
import liquibase.database.DatabaseFactory;
import liquibase.database.jvm.JdbcConnection;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Flyway and Liquibase own their transactions: they run on a Database outside blocks. Inside a
 * block they are refused before anything is committed: Flyway at its first transaction-control
 * call; Liquibase at its first COMMIT, or on H2 and MariaDB at its first DDL (which those
 * databases would commit implicitly). After the refusal the block has rolled back and the same
 * migration runs outside. Each test gets a new empty database.
 */
class MigrationsTest {
    private Database db;
    private TestDatabase testDatabase;
    private String url;

    private void use(TestDatabase kind) throws SQLException {
        testDatabase = kind;
        url = kind.newDatabaseUrl("migrations");
        db = Database.builder(url).user(kind.user()).password(kind.password()).maxPoolSize(4).build();
        try (Connection connection = db.connection(); Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE item (id INT PRIMARY KEY, name VARCHAR(50))");
        }
    }

    @AfterEach
    void close() {
        if (db != null) {
            assertThat(db.inAtomicBlock()).as("block left open").isFalse();
            db.close();
        }
    }

    private Flyway flyway() {
        // The schema already holds the application table "item": baseline it, then run V1 and V2.
        return Flyway.configure().dataSource(db.dataSource()).locations("classpath:db/flyway")
                .baselineOnMigrate(true).baselineVersion("0").load();
    }

    private void liquibaseUpdate() throws Exception {
        try (Connection connection = db.connection()) {
            liquibase.database.Database database = DatabaseFactory.getInstance()
                    .findCorrectDatabaseImplementation(new JdbcConnection(connection));
            new CommandScope(UpdateCommandStep.COMMAND_NAME)
                    .addArgumentValue(DbUrlConnectionArgumentsCommandStep.DATABASE_ARG, database)
                    .addArgumentValue(UpdateCommandStep.CHANGELOG_FILE_ARG, "db/liquibase/changelog.xml")
                    .execute();
        }
    }

    @ParameterizedTest @EnumSource(TestDatabase.class)
    void flywayMigratesOutsideBlocks(TestDatabase kind) throws Exception {
        use(kind);
        assertThat(flyway().migrate().migrationsExecuted).isEqualTo(2);
        assertThat(committed("SELECT id FROM account ORDER BY id")).containsExactly(1, 2);
        db.atomic(() -> insert("INSERT INTO account (id, name) VALUES (3, 'in a block')"));
        assertThat(committed("SELECT id FROM account ORDER BY id")).containsExactly(1, 2, 3);
    }

    @ParameterizedTest @EnumSource(TestDatabase.class)
    void flywayInsideABlockIsRefusedAndCommitsNothing(TestDatabase kind) throws Exception {
        use(kind);
        assertThatThrownBy(() -> db.atomic(() -> {
            insert("INSERT INTO item (id, name) VALUES (1, 'outer work')");
            flyway().migrate();
        })).satisfies(e -> assertThat(hasCause(e, TransactionManagementException.class)).as(e.toString()).isTrue());
        assertThat(committed("SELECT id FROM item")).as("the block's work").isEmpty();
        assertThat(tableExists("account")).as("the migration's table").isFalse();
        assertThat(flyway().migrate().migrationsExecuted).as("the same migration outside the block").isEqualTo(2);
        assertThat(committed("SELECT id FROM account ORDER BY id")).containsExactly(1, 2);
    }

    @ParameterizedTest @EnumSource(TestDatabase.class)
    void liquibaseUpdatesOutsideBlocks(TestDatabase kind) throws Exception {
        use(kind);
        liquibaseUpdate();
        assertThat(committed("SELECT id FROM account")).containsExactly(1);
    }

    /**
     * Liquibase is refused inside a block and commits nothing: where DDL is transactional
     * (PostgreSQL, SQLite) at its first COMMIT; on H2 and MariaDB, which would commit the block's
     * work before any DDL, at its first DDL statement (atomic4j refuses implicit-commit DDL there).
     */
    @ParameterizedTest @EnumSource(TestDatabase.class)
    void liquibaseInsideABlockIsRefusedAndCommitsNothing(TestDatabase kind) throws Exception {
        use(kind);
        assertThatThrownBy(() -> db.atomic(() -> {
            insert("INSERT INTO item (id, name) VALUES (1, 'outer work')");
            liquibaseUpdate();
        })).satisfies(e -> assertThat(hasCause(e, TransactionManagementException.class)).as(e.toString()).isTrue());
        assertThat(committed("SELECT id FROM item")).as("the block's work").isEmpty();
        assertThat(tableExists("account")).as("the migration's table").isFalse();
        assertThat(db.inAtomicBlock()).isFalse();
        liquibaseUpdate();
        assertThat(committed("SELECT id FROM account")).containsExactly(1);
    }

    private void insert(String sql) throws SQLException {
        try (Connection connection = db.connection(); PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.executeUpdate();
        }
    }

    private List<Integer> committed(String query) throws SQLException {
        List<Integer> ids = new ArrayList<>();
        try (Connection connection = testDatabase.newPlainDataSource(url).getConnection();
             Statement statement = connection.createStatement(); ResultSet rows = statement.executeQuery(query)) {
            while (rows.next()) {
                ids.add(rows.getInt(1));
            }
        }
        return ids;
    }

    private boolean tableExists(String table) throws SQLException {
        try (Connection connection = testDatabase.newPlainDataSource(url).getConnection();
             Statement statement = connection.createStatement()) {
            statement.executeQuery("SELECT COUNT(*) FROM " + table).close();
            return true;
        } catch (SQLException missing) {
            return false;
        }
    }

    private static boolean hasCause(Throwable error, Class<? extends Throwable> type) {
        for (Throwable current = error; current != null; current = current.getCause()) {
            if (type.isInstance(current)) {
                return true;
            }
        }
        return false;
    }
}
