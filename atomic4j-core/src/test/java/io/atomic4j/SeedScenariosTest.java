package io.atomic4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.atomic4j.testing.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/** The seeds' scenarios, end to end on every database. */
class SeedScenariosTest extends DatabaseTestBase {

    void createSchema() throws SQLException {
        try (Connection connection = db.connection(); Statement statement = connection.createStatement()) {
            statement.execute("DROP TABLE IF EXISTS unpaid_users");
            statement.execute("DROP TABLE IF EXISTS users");
            statement.execute("DROP TABLE IF EXISTS procedure_state");
            statement.execute("DROP TABLE IF EXISTS procedure_user");
            statement.execute("CREATE TABLE users (id INT PRIMARY KEY, email VARCHAR(100) NOT NULL UNIQUE, payment_id VARCHAR(40))");
            statement.execute("CREATE TABLE unpaid_users (user_id INT PRIMARY KEY, reason VARCHAR(100) NOT NULL)");
            statement.execute("CREATE TABLE procedure_user (id INT PRIMARY KEY, user_id INT NOT NULL)");
            statement.execute("CREATE TABLE procedure_state (procedure_user_id INT NOT NULL, procedure_id INT NOT NULL, "
                    + "state VARCHAR(20) NOT NULL, PRIMARY KEY (procedure_user_id, procedure_id))");
        }
    }

    int count(String table) throws SQLException {
        try (Connection connection = testDatabase.newPlainDataSource().getConnection();
             Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT COUNT(*) FROM " + table)) {
            rows.next();
            return rows.getInt(1);
        }
    }

    void execute(String sql, Object... values) throws SQLException {
        try (Connection connection = db.connection(); PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < values.length; i++) {
                statement.setObject(i + 1, values[i]);
            }
            statement.executeUpdate();
        }
    }

    /** Seed 002: the user row and the unpaid_users row are written together or not at all. */
    @EveryDatabase
    void registrationWhoseSecondInsertFailsLeavesNeitherRow(TestDatabase database) throws SQLException {
        use(database);
        createSchema();
        List<String> welcomed = new ArrayList<>();
        assertThatThrownBy(() -> db.atomic(() -> {
            execute("INSERT INTO users (id, email) VALUES (?, ?)", 1, "ada@example.com");
            execute("INSERT INTO unpaid_users (user_id, reason) VALUES (?, ?)", 1, null);   // NOT NULL violation
            db.onCommit(() -> welcomed.add("ada@example.com"));
        })).isInstanceOf(SQLException.class).satisfies(e ->
                assertThat(SqlErrors.classify((SQLException) e)).isEqualTo(ErrorKind.INTEGRITY));
        assertThat(count("users")).isZero();
        assertThat(count("unpaid_users")).isZero();
        assertThat(welcomed).isEmpty();
    }

    /** Seed 000: an enrollment writes one procedure_user row and one procedure_state row per procedure, in one batch. */
    @EveryDatabase
    void enrollmentIsAllOrNothingIncludingItsBatch(TestDatabase database) throws SQLException {
        use(database);
        createSchema();
        db.atomic(() -> enroll(1, 100, new int[] {1, 2, 3}));
        assertThatThrownBy(() -> db.atomic(() -> enroll(2, 101, new int[] {1, 2, 2})))   // duplicate state row
                .isInstanceOf(SQLException.class);
        assertThat(count("procedure_user")).isEqualTo(1);
        assertThat(count("procedure_state")).isEqualTo(3);
    }

    void enroll(int procedureUserId, int userId, int[] procedures) throws SQLException {
        execute("INSERT INTO procedure_user (id, user_id) VALUES (?, ?)", procedureUserId, userId);
        try (Connection connection = db.connection(); PreparedStatement statement = connection.prepareStatement(
                "INSERT INTO procedure_state (procedure_user_id, procedure_id, state) VALUES (?, ?, 'pending')")) {
            for (int procedure : procedures) {
                statement.setInt(1, procedureUserId);
                statement.setInt(2, procedure);
                statement.addBatch();
            }
            statement.executeBatch();
        }
    }
}
