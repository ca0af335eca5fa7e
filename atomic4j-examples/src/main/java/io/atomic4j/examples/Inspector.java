package io.atomic4j.examples;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Looks at the database from outside, as an operator would: a connection of its own, straight to
 * the real URL (not through atomic4j, not through the fault switch), so it sees only committed
 * rows. Responses and the tour use it to show what the database holds after each request.
 */
final class Inspector {
    /** The tables the scenarios write, in the order they are shown. */
    static final List<String> TABLES = List.of("procedure_user", "procedure_state", "users", "unpaid_users");

    private final String url;
    private final String user;
    private final String password;

    Inspector(String url, String user, String password) {
        this.url = url;
        this.user = user;
        this.password = password;
    }

    /** Committed row count of each table the scenarios write. */
    Map<String, Integer> rowCounts() {
        Map<String, Integer> counts = new LinkedHashMap<>();
        try (Connection connection = DriverManager.getConnection(url, user, password);
             Statement statement = connection.createStatement()) {
            for (String table : TABLES) {
                try (ResultSet rows = statement.executeQuery("SELECT COUNT(*) FROM " + table)) {
                    rows.next();
                    counts.put(table, rows.getInt(1));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot read the row counts from " + url + ": " + e.getMessage(), e);
        }
        return counts;
    }
}
