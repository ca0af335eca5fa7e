package io.atomic4j.testing;

import io.atomic4j.Database;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * A one-column table of ids for tests of their own (outside {@code DatabaseTestBase}): rows are
 * written through atomic4j and read back on a plain connection of the test database, which sees
 * only what was committed.
 */
public final class ItemTable {
    private final TestDatabase database;
    private final String table;

    /** Drops and creates {@code table} on {@code database}, on a plain connection. */
    public ItemTable(TestDatabase database, String table) throws SQLException {
        this.database = database;
        this.table = table;
        try (Connection connection = database.newPlainDataSource().getConnection();
             Statement statement = connection.createStatement()) {
            statement.execute("DROP TABLE IF EXISTS " + table);
            statement.execute("CREATE TABLE " + table + " (id INT PRIMARY KEY)");
        }
    }

    /** Inserts {@code id} on {@code db}'s connection: inside a block, in the block's transaction. */
    public void insert(Database db, int id) throws SQLException {
        try (Connection connection = db.connection();
             PreparedStatement statement = connection.prepareStatement("INSERT INTO " + table + " (id) VALUES (?)")) {
            statement.setInt(1, id);
            statement.executeUpdate();
        }
    }

    /** The committed ids, in order. */
    public List<Integer> committedIds() throws SQLException {
        List<Integer> ids = new ArrayList<>();
        try (Connection connection = database.newPlainDataSource().getConnection();
             Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT id FROM " + table + " ORDER BY id")) {
            while (rows.next()) {
                ids.add(rows.getInt(1));
            }
        }
        return ids;
    }
}
