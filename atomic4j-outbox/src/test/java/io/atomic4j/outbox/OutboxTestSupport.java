package io.atomic4j.outbox;

import io.atomic4j.Database;
import io.atomic4j.testing.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/** Shared pieces of the outbox tests: databases, unique table names, reading the table. */
final class OutboxTestSupport {
    private static final AtomicInteger TABLE_NUMBER = new AtomicInteger();

    private OutboxTestSupport() {
    }

    /** A pooled database on the shared test database of {@code testDatabase}. */
    static Database open(TestDatabase testDatabase, int poolSize) {
        return open(testDatabase.jdbcUrl(), testDatabase, poolSize);
    }

    static Database open(String url, TestDatabase testDatabase, int poolSize) {
        return Database.builder(url).user(testDatabase.user()).password(testDatabase.password())
                .maxPoolSize(poolSize).build();
    }

    /** A table name no other test of this JVM uses, so tests share one database without interfering. */
    static String newTable(String prefix) {
        return prefix + "_" + ProcessHandle.current().pid() + "_" + TABLE_NUMBER.incrementAndGet();
    }

    static void execute(Database db, String sql) throws SQLException {
        try (Connection connection = db.connection(); Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    static long count(Database db, String sql) throws SQLException {
        try (Connection connection = db.connection(); Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getLong(1);
        }
    }

    /** status by payload, for every row of the outbox table. */
    static Map<String, String> statusByPayload(Database db, String table) throws SQLException {
        Map<String, String> statuses = new LinkedHashMap<>();
        try (Connection connection = db.connection();
             PreparedStatement statement = connection.prepareStatement("SELECT payload, status FROM " + table + " ORDER BY created_at");
             ResultSet rows = statement.executeQuery()) {
            while (rows.next()) {
                statuses.put(rows.getString(1), rows.getString(2));
            }
        }
        return statuses;
    }

    static List<String> strings(Database db, String sql) throws SQLException {
        List<String> values = new ArrayList<>();
        try (Connection connection = db.connection(); Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery(sql)) {
            while (rows.next()) {
                values.add(rows.getString(1));
            }
        }
        return values;
    }
}
