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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A connection lost without a server: H2's {@code ABORT_SESSION} closes another session, so the
 * engine's connection-loss paths also run on an in-process database (and under the mutation
 * run, which uses H2 and SQLite only). The same behaviours on PostgreSQL and MariaDB, through a
 * proxy that cuts TCP connections, are in {@link ConnectionLossTest}.
 */
class H2SessionAbortTest extends DatabaseTestBase {

    /** Closes the session of {@code db}'s current connection from another session, as a dying server would. */
    private void abortCurrentSession() throws SQLException {
        int session;
        try (Connection connection = db.connection(); Statement statement = connection.createStatement();
             ResultSet row = statement.executeQuery("SELECT SESSION_ID()")) {
            row.next();
            session = row.getInt(1);
        }
        try (Connection other = testDatabase.newPlainDataSource().getConnection();
             Statement statement = other.createStatement();
             ResultSet row = statement.executeQuery("SELECT ABORT_SESSION(" + session + ")")) {
            row.next();
            assertThat(row.getBoolean(1)).as("session %s aborted", session).isTrue();
        }
    }

    /**
     * Prepares an insert, aborts the session, then executes it: the driver reports the loss on
     * execute, as a server's driver does. (H2 refuses prepareStatement on an aborted session
     * already, and atomic4j sees errors of statements it runs, not of preparing them.)
     */
    private SQLException insertAfterTheConnectionIsLost(int id) throws SQLException {
        try (Connection connection = db.connection();
             PreparedStatement statement = connection.prepareStatement("INSERT INTO item (id, name) VALUES (?, ?)")) {
            statement.setInt(1, id);
            statement.setString(2, "item " + id);
            abortCurrentSession();
            SQLException lost = catchSql(statement::executeUpdate);
            assertThat(SqlErrors.classify(lost)).isEqualTo(ErrorKind.CONNECTION);
            return lost;
        }
    }

    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = "H2")
    void aStatementOnALostConnectionFailsAndLaterOnesSayTheConnectionWasLost(TestDatabase database) throws Exception {
        use(database);
        List<String> hooks = new ArrayList<>();
        SQLException[] lost = new SQLException[1];
        Throwable thrown = catchFrom(() -> db.atomic(() -> {
            insert(1);
            db.onRollback(() -> hooks.add("rollback"));
            lost[0] = insertAfterTheConnectionIsLost(2);
            assertThatThrownBy(() -> insert(3)).isInstanceOf(TransactionManagementException.class)
                    .hasMessageContaining("was lost inside an atomic block").hasCause(lost[0]);
        }));

        assertThat(thrown).isInstanceOf(TransactionManagementException.class).hasCause(lost[0]);
        assertThat(hooks).containsExactly("rollback");
        assertThat(committedIds()).isEmpty();
        db.atomic(() -> insert(4));
        assertThat(committedIds()).containsExactly(4);
    }

    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = "H2")
    void aLostConnectionInsideANestedBlockEndsTheWholeTransaction(TestDatabase database) throws Exception {
        use(database);
        SQLException[] lost = new SQLException[1];
        Throwable thrown = catchFrom(() -> db.atomic(() -> {
            insert(1);
            try {
                db.atomic(() -> {
                    insert(2);
                    lost[0] = insertAfterTheConnectionIsLost(3);
                    throw lost[0];
                });
            } catch (SQLException e) {
                assertThat((Throwable) e).isSameAs(lost[0]);
            }
            insert(4);
        }));

        assertThat((Throwable) lost[0]).as("the nested block's failure").isNotNull();
        assertThat(thrown).isInstanceOf(TransactionManagementException.class)
                .hasMessageContaining("was lost inside an atomic block");
        assertThat(committedIds()).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = "H2")
    void aBlockWhoseConnectionIsLostAtCommitReportsAnUnknownOutcomeAndRunsNoHooks(TestDatabase database) throws Exception {
        use(database);
        List<String> hooks = new ArrayList<>();
        Throwable thrown = catchFrom(() -> db.atomic(() -> {
            insert(1);
            db.onCommit(() -> hooks.add("commit"));
            db.onRollback(() -> hooks.add("rollback"));
            abortCurrentSession();
        }));

        assertThat(thrown).isInstanceOf(CommitOutcomeUnknownException.class);
        assertThat(hooks).as("neither kind: each would claim an outcome nobody knows").isEmpty();
        assertThat(committedIds()).isEmpty();
        db.atomic(() -> insert(2));
        assertThat(committedIds()).containsExactly(2);
    }

    private static SQLException catchSql(FaultTestBase.ThrowingRunnable body) {
        Throwable thrown = catchFrom(body);
        assertThat(thrown).isInstanceOf(SQLException.class);
        return (SQLException) thrown;
    }

    private static Throwable catchFrom(FaultTestBase.ThrowingRunnable body) {
        return FaultTestBase.thrownBy(body);
    }
}
