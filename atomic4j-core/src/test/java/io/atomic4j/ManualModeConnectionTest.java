package io.atomic4j;

import static org.assertj.core.api.Assertions.assertThat;

import io.atomic4j.testing.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/** With autocommit off and no block open, the thread's connection ends the manual transaction like commit() and rollback(). */
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
}
