package io.atomic4j.junit;

import io.atomic4j.Database;
import io.atomic4j.testing.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * A new database of one kind with two tables, {@code items(name)} and {@code item_notes(item ->
 * items.name)}, opened as an atomic4j {@link Database}, plus a plain DataSource that sees only
 * what is committed. The schema is created before any block: on H2 and MariaDB a CREATE TABLE
 * would commit an open transaction.
 */
final class Items implements AutoCloseable {
    final TestDatabase kind;
    final String url;
    final Database db;
    final DataSource plain;

    private Items(TestDatabase kind, String url, Database db, DataSource plain) {
        this.kind = kind;
        this.url = url;
        this.db = db;
        this.plain = plain;
    }

    static Items create(TestDatabase kind, String prefix) {
        return create(kind, prefix, "default");
    }

    static Items create(TestDatabase kind, String prefix, String alias) {
        String url = kind.newDatabaseUrl(prefix);
        DataSource plain = kind.newPlainDataSource(url);
        try (Connection connection = plain.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE items (name VARCHAR(100) PRIMARY KEY)");
            statement.execute("CREATE TABLE item_notes (item VARCHAR(100) NOT NULL REFERENCES items(name), note VARCHAR(100))");
        } catch (SQLException e) {
            throw new IllegalStateException("Could not create the schema on " + kind, e);
        }
        Database db = Database.builder(url).alias(alias).user(kind.user()).password(kind.password()).maxPoolSize(8).build();
        return new Items(kind, url, db, plain);
    }

    /** The committed item names, seen from a separate connection outside atomic4j. */
    List<String> committedNames() {
        try (Connection connection = plain.getConnection()) {
            return names(connection, "items");
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    List<String> committedNotes() {
        try (Connection connection = plain.getConnection()) {
            return names(connection, "item_notes");
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    static void insert(Database db, String name) {
        try (Connection connection = db.connection();
             PreparedStatement statement = connection.prepareStatement("INSERT INTO items (name) VALUES (?)")) {
            statement.setString(1, name);
            statement.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("insert " + name + " failed: " + e, e);
        }
    }

    static void insertNote(Database db, String item, String note) {
        try (Connection connection = db.connection();
             PreparedStatement statement = connection.prepareStatement("INSERT INTO item_notes (item, note) VALUES (?, ?)")) {
            statement.setString(1, item);
            statement.setString(2, note);
            statement.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("insert note " + note + " failed: " + e, e);
        }
    }

    /** The item names this thread sees through {@code db}: inside a block, its uncommitted rows too. */
    static List<String> names(Database db) {
        try (Connection connection = db.connection()) {
            return names(connection, "items");
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<String> names(Connection connection, String table) throws SQLException {
        String column = table.equals("items") ? "name" : "note";
        List<String> names = new ArrayList<>();
        try (Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT " + column + " FROM " + table + " ORDER BY " + column)) {
            while (rows.next()) {
                names.add(rows.getString(1));
            }
        }
        return names;
    }

    @Override
    public void close() {
        db.close();
    }
}
