package io.atomic4j.junit.example;

import io.atomic4j.Database;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/** The README example's schema and queries. */
final class Schema {
    private Schema() {
    }

    /** Creates the tables outside any block (a CREATE TABLE commits an open transaction on H2 and MariaDB). */
    static Database create(Database db) {
        try (Connection connection = db.connection(); Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE IF NOT EXISTS plans (name VARCHAR(50) PRIMARY KEY)");
            statement.execute("CREATE TABLE IF NOT EXISTS users (name VARCHAR(50) PRIMARY KEY, plan VARCHAR(50))");
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return db;
    }

    static void insertPlan(Database db, String plan) throws SQLException {
        try (Connection connection = db.connection();
             PreparedStatement insert = connection.prepareStatement("INSERT INTO plans (name) VALUES (?)")) {
            insert.setString(1, plan);
            insert.executeUpdate();
        }
    }

    static int count(Database db, String table) throws SQLException {
        try (Connection connection = db.connection(); Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT COUNT(*) FROM " + table)) {
            rows.next();
            return rows.getInt(1);
        }
    }
}
