package io.atomic4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.atomic4j.testing.TestDatabase;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The ways JDBC offers from an object back to its connection (DatabaseMetaData.getConnection(),
 * ResultSet.getStatement().getConnection(), the result sets of metadata and cursors) lead to
 * atomic4j's connection, never to the driver's: on that one commit() would commit half of a block.
 */
class WayBackToTheConnectionTest extends DatabaseTestBase {

    @EveryDatabase
    void commitThroughTheMetadatasConnectionIsRefusedInsideABlockAndItsWorkRollsBack(TestDatabase database)
            throws SQLException {
        use(database);
        assertThatThrownBy(() -> db.atomic(() -> {
            insert(1);
            try (Connection connection = db.connection()) {
                Connection reached = connection.getMetaData().getConnection();
                assertThat(reached).isSameAs(connection);
                assertThatThrownBy(reached::commit).isInstanceOf(TransactionManagementException.class)
                        .hasMessageContaining("Connection.commit() is not allowed inside an atomic block");
            }
            insert(2);
        })).isInstanceOf(TransactionManagementException.class);
        assertThat(committedIds()).isEmpty();
    }

    @EveryDatabase
    void commitThroughAResultSetsStatementIsRefusedInsideABlockAndItsWorkRollsBack(TestDatabase database)
            throws SQLException {
        use(database);
        assertThatThrownBy(() -> db.atomic(() -> {
            insert(1);
            try (Connection connection = db.connection(); Statement statement = connection.createStatement();
                 ResultSet rows = statement.executeQuery("SELECT id FROM item")) {
                assertThat(rows.getStatement()).isSameAs(statement);
                try {
                    rows.getStatement().getConnection().commit();   // a library that swallows the refusal
                } catch (TransactionManagementException swallowed) {
                    assertThat(swallowed).hasMessageContaining("Connection.commit() is not allowed");
                }
            }
        })).isInstanceOf(TransactionManagementException.class).hasMessageContaining("rolled back, not committed");
        assertThat(committedIds()).isEmpty();
    }

    @EveryDatabase
    void everyResultSetLeadsBackToItsStatementAndTheBlocksConnection(TestDatabase database) throws SQLException {
        use(database);
        db.atomic(() -> {
            insert(1);
            try (Connection connection = db.connection()) {
                try (PreparedStatement query = connection.prepareStatement("SELECT id FROM item WHERE id = ?")) {
                    query.setInt(1, 1);
                    try (ResultSet rows = query.executeQuery()) {
                        assertThat(rows.getStatement()).isSameAs(query);
                        assertThat(rows.next()).isTrue();
                    }
                }
                try (Statement statement = connection.createStatement()) {
                    assertThat(statement.execute("SELECT id FROM item")).isTrue();
                    try (ResultSet rows = statement.getResultSet()) {
                        assertThat(rows.getStatement()).isSameAs(statement);
                    }
                    assertThat(statement.execute("UPDATE item SET name = 'x' WHERE id = 1")).isFalse();
                    assertThat(statement.getResultSet()).isNull();
                }
                try (PreparedStatement insert = connection.prepareStatement(
                        "INSERT INTO item (id, name) VALUES (2, 'b')", Statement.RETURN_GENERATED_KEYS)) {
                    insert.executeUpdate();
                    try (ResultSet keys = insert.getGeneratedKeys()) {
                        assertThat(keys.getStatement()).isSameAs(insert);
                    }
                }
                DatabaseMetaData metaData = connection.getMetaData();
                for (ResultSet rows : List.of(metaData.getTables(null, null, "%", null), metaData.getTypeInfo())) {
                    try (rows) {
                        assertThat(rows.next()).isTrue();
                        // JDBC allows null for a result set no statement made; a driver's own statement must not show.
                        Statement owner = rows.getStatement();
                        assertThat(owner == null || owner.getConnection() == connection)
                                .as("%s leads to %s", rows, owner).isTrue();
                    }
                }
            }
        });
        assertThat(committedIds()).containsExactly(1, 2);
    }

    @EveryDatabase
    void outsideABlockTheWayBackLeadsToTheUnboundConnectionWhichIsRefusedInsideABlock(TestDatabase database)
            throws SQLException {
        use(database);
        try (Connection connection = db.connection(); Statement statement = connection.createStatement()) {
            DatabaseMetaData metaData = connection.getMetaData();
            assertThat(metaData.getConnection()).isSameAs(connection);
            try (ResultSet rows = statement.executeQuery("SELECT id FROM item")) {
                assertThat(rows.getStatement()).isSameAs(statement);
                assertThat(rows.getStatement().getConnection()).isSameAs(connection);
            }
            assertThatThrownBy(() -> db.atomic(() -> {
                insert(1);
                try (Statement other = metaData.getConnection().createStatement()) {
                    other.executeUpdate("INSERT INTO item (id, name) VALUES (2, 'b')");
                }
            })).isInstanceOf(TransactionManagementException.class).hasMessageContaining("outside any atomic block");
            statement.executeUpdate("INSERT INTO item (id, name) VALUES (3, 'c')");   // autocommit outside
        }
        assertThat(committedIds()).containsExactly(3);
    }

    @EveryDatabase
    void metadataKeptAfterItsBlockIsRefused(TestDatabase database) throws SQLException {
        use(database);
        List<DatabaseMetaData> kept = new ArrayList<>();
        db.atomic(() -> {
            try (Connection connection = db.connection()) {
                kept.add(connection.getMetaData());
                assertThat(kept.get(0).getDatabaseProductName()).isNotBlank();
            }
        });
        assertThatThrownBy(() -> kept.get(0).getTables(null, null, "%", null))
                .isInstanceOf(TransactionManagementException.class).hasMessageContaining("used after that block ended");
    }

    @EveryDatabase
    void unwrapStillReachesTheDriversResultSetAndMetadata(TestDatabase database) throws SQLException {
        use(database);
        Class<?> driverResultSet;
        Class<?> driverMetaData;
        try (Connection plain = database.newPlainDataSource().getConnection(); Statement statement = plain.createStatement();
             ResultSet rows = statement.executeQuery("SELECT id FROM item")) {
            driverResultSet = rows.getClass();
            driverMetaData = plain.getMetaData().getClass();
        }
        db.atomic(() -> {
            try (Connection connection = db.connection(); Statement statement = connection.createStatement();
                 ResultSet rows = statement.executeQuery("SELECT id FROM item")) {
                assertThat(rows.isWrapperFor(driverResultSet)).isTrue();
                assertThat(rows.unwrap(driverResultSet)).isInstanceOf(driverResultSet);
                assertThat(rows.unwrap(ResultSet.class)).isSameAs(rows);
                DatabaseMetaData metaData = connection.getMetaData();
                assertThat(metaData.isWrapperFor(driverMetaData)).isTrue();
                assertThat(metaData.unwrap(driverMetaData)).isInstanceOf(driverMetaData);
            }
        });
    }

    /** PostgreSQL reads a refcursor (a column or an OUT parameter) as a result set made on the driver's own connection. */
    @Test
    void aCursorReadAsAValueLeadsBackToTheBlocksConnection() throws SQLException {
        use(TestDatabase.POSTGRES);
        try (Connection connection = db.connection(); Statement statement = connection.createStatement()) {
            statement.execute("CREATE OR REPLACE FUNCTION item_cursor() RETURNS refcursor AS $$ "
                    + "DECLARE c refcursor; BEGIN OPEN c FOR SELECT id FROM item; RETURN c; END $$ LANGUAGE plpgsql");
        }
        for (boolean column : new boolean[] {true, false}) {
            assertThatThrownBy(() -> db.atomic(() -> {
                insert(1);
                try (Connection connection = db.connection()) {
                    if (column) {
                        try (Statement statement = connection.createStatement();
                             ResultSet rows = statement.executeQuery("SELECT item_cursor()")) {
                            assertThat(rows.next()).isTrue();
                            checkCursor(connection, (ResultSet) rows.getObject(1));
                        }
                    } else {
                        try (CallableStatement call = connection.prepareCall("{? = call item_cursor()}")) {
                            call.registerOutParameter(1, Types.OTHER);
                            call.execute();
                            checkCursor(connection, call.getObject(1, ResultSet.class));
                        }
                    }
                }
            })).as(column ? "column" : "OUT parameter").isInstanceOf(TransactionManagementException.class)
                    .hasMessageContaining("rolled back, not committed");
        }
        assertThat(committedIds()).isEmpty();
    }

    private static void checkCursor(Connection connection, ResultSet cursor) throws SQLException {
        try (cursor) {
            assertThat(cursor.next()).isTrue();
            assertThat(cursor.getInt(1)).isEqualTo(1);
            Statement owner = cursor.getStatement();
            assertThat(owner).isNotNull();
            assertThat(owner.getConnection()).isSameAs(connection);
            assertThatThrownBy(() -> owner.getConnection().commit()).isInstanceOf(TransactionManagementException.class);
        }
    }
}
