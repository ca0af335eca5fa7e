package io.atomic4j;

import static org.assertj.core.api.Assertions.assertThat;

import io.atomic4j.testing.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/** Manual transactions (autocommit off, no block): rollback() and the thread's connection end them as commit() and rollback() do. */
class ManualModeConnectionTest extends DatabaseTestBase {

    @EveryDatabase
    void connectionCommitAndRollbackEndTheManualTransaction(TestDatabase database) throws SQLException {
        use(database);
        db.setAutoCommit(false);
        try (Connection connection = db.connection(); Statement statement = connection.createStatement()) {
            statement.executeUpdate("INSERT INTO item (id, name) VALUES (1, 'kept')");
            connection.commit();
            statement.executeUpdate("INSERT INTO item (id, name) VALUES (2, 'undone')");
            connection.rollback();
        } finally {
            db.setAutoCommit(true);
        }
        assertThat(committedIds()).containsExactly(1);
    }

    @EveryDatabase
    void rollbackUndoesTheWorkSoTheNextCommitCommitsOnlyWhatFollowed(TestDatabase database) throws SQLException {
        use(database);
        db.setAutoCommit(false);
        try {
            insert(1);
            db.rollback();
            insert(2);
            db.commit();
        } finally {
            db.setAutoCommit(true);
        }
        assertThat(committedIds()).containsExactly(2);
    }

    @EveryDatabase
    void rollbackBeforeAnyStatementDoesNothing(TestDatabase database) throws SQLException {
        use(database);
        db.setAutoCommit(false);
        try {
            db.rollback();
            insert(1);
            db.commit();
        } finally {
            db.setAutoCommit(true);
        }
        assertThat(committedIds()).containsExactly(1);
    }
}
