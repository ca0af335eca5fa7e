package io.atomic4j.outbox;

import io.atomic4j.AtomicOptions;
import io.atomic4j.Database;
import io.atomic4j.Isolation;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

/**
 * All SQL of the outbox, for one table on one database. Every statement here except the
 * {@link #insert} runs outside any atomic block, on its own autocommit connection (or, for
 * {@link Claiming#SKIP_LOCKED_SELECT}, in a short block of its own).
 *
 * <p>Task states (column {@code status}), each row in exactly one:
 * <ul>
 * <li>{@code PENDING} with {@code lease_until} in the future: held by instance {@code owner},
 *     which is running it or about to (a task is inserted already held by the enqueuing
 *     instance, so its fast path never races the pollers).</li>
 * <li>{@code PENDING} with no lease, or an expired one: due at {@code next_run_at}; any instance
 *     may claim it. An expired lease means its holder died or stalled.</li>
 * <li>{@code DONE}: the handler returned; kept for {@code keepDone}, then deleted.</li>
 * <li>{@code FAILED}: {@code attempts} reached the maximum; kept until {@link #requeue}.</li>
 * </ul>
 * Times are epoch milliseconds of the instances' clocks, which must agree to well within a lease
 * (NTP does); BIGINT columns keep them identical on every database.
 *
 * <p>Thread-safe: holds only immutable SQL text.
 */
final class Store {
    static final String PENDING = "PENDING";
    static final String DONE = "DONE";
    static final String FAILED = "FAILED";
    /** last_error is cut to this many characters: enough for the message and the top frames. */
    static final int MAX_ERROR_LENGTH = 4000;

    /** How a poller claims due tasks without handing one task to two instances at once. */
    enum Claiming {
        /** PostgreSQL: one UPDATE ... WHERE id IN (SELECT ... FOR UPDATE SKIP LOCKED) RETURNING. */
        UPDATE_RETURNING,
        /**
         * MariaDB 10.6+ / MySQL 8: SELECT ... FOR UPDATE SKIP LOCKED then UPDATE, in one READ
         * COMMITTED transaction. MariaDB refuses LIMIT in an IN subquery, hence two statements;
         * READ COMMITTED because REPEATABLE READ would take gap locks that block concurrent
         * enqueues until the claim commits.
         */
        SKIP_LOCKED_SELECT,
        /**
         * H2, SQLite, older MariaDB: a plain SELECT of candidates, then per candidate an UPDATE
         * whose WHERE repeats the claimability test (a compare-and-set): the row lock (H2,
         * MariaDB) or the single writer (SQLite) lets exactly one instance's UPDATE count 1.
         */
        COMPARE_AND_SET
    }

    /** The databases the outbox knows, detected from the driver's metadata. */
    enum Kind {
        POSTGRES("TEXT", "TEXT", ""),
        MARIADB("LONGTEXT", "TEXT", " ENGINE=InnoDB"),
        H2("CHARACTER LARGE OBJECT", "VARCHAR(" + MAX_ERROR_LENGTH + ")", ""),
        SQLITE("TEXT", "TEXT", "");

        final String payloadType;
        final String errorType;
        final String tableSuffix;

        Kind(String payloadType, String errorType, String tableSuffix) {
            this.payloadType = payloadType;
            this.errorType = errorType;
            this.tableSuffix = tableSuffix;
        }
    }

    private final Database db;
    private final String table;
    final Kind kind;
    final Claiming claiming;

    private final String insert;
    private final String claimDue;
    private final String selectDue;
    private final String claimOne;
    private final String markDone;
    private final String markFailed;
    private final String renew;
    private final String purge;

    /** {@code names}: the handler names of this instance (checked to hold no quote); it claims only those. */
    Store(Database db, String table, Kind kind, Claiming claiming, Collection<String> names) {
        this.db = db;
        this.table = table;
        this.kind = kind;
        this.claiming = claiming;
        String due = "status = '" + PENDING + "' AND next_run_at <= ? AND (lease_until IS NULL OR lease_until < ?)"
                + " AND name IN ('" + String.join("', '", names) + "')";
        insert = "INSERT INTO " + table + " (id, name, payload, status, attempts, next_run_at, lease_until, owner, created_at)"
                + " VALUES (?, ?, ?, '" + PENDING + "', 1, ?, ?, ?, ?)";
        selectDue = "SELECT id, name, payload, attempts, last_error FROM " + table + " WHERE " + due
                + " ORDER BY next_run_at LIMIT ?" + (claiming == Claiming.SKIP_LOCKED_SELECT ? " FOR UPDATE SKIP LOCKED" : "");
        claimDue = "UPDATE " + table + " SET owner = ?, lease_until = ?, attempts = attempts + 1 WHERE id IN ("
                + "SELECT id FROM " + table + " WHERE " + due + " ORDER BY next_run_at LIMIT ? FOR UPDATE SKIP LOCKED)"
                + " RETURNING id, name, payload, attempts, last_error";
        claimOne = "UPDATE " + table + " SET owner = ?, lease_until = ?, attempts = attempts + 1 WHERE id = ? AND " + due;
        markDone = "UPDATE " + table + " SET status = '" + DONE + "', owner = NULL, lease_until = NULL, done_at = ?"
                + " WHERE id = ? AND owner = ? AND status = '" + PENDING + "'";
        markFailed = "UPDATE " + table + " SET owner = NULL, lease_until = NULL, last_error = ?, next_run_at = ?,"
                + " status = CASE WHEN attempts >= ? THEN '" + FAILED + "' ELSE '" + PENDING + "' END"
                + " WHERE id = ? AND owner = ? AND status = '" + PENDING + "'";
        renew = "UPDATE " + table + " SET lease_until = ? WHERE id = ? AND owner = ? AND status = '" + PENDING + "'";
        purge = "DELETE FROM " + table + " WHERE status = '" + DONE + "' AND done_at < ?";
    }

    String table() {
        return table;
    }

    /** Detects the database, creates the table and its index if missing. Runs outside any block. */
    static Store open(Database db, String table, Collection<String> names) throws SQLException {
        Kind kind;
        Claiming claiming;
        try (Connection connection = db.connection()) {
            DatabaseMetaData meta = connection.getMetaData();
            String product = meta.getDatabaseProductName().toLowerCase(Locale.ROOT);
            String version = meta.getDatabaseProductVersion();
            int major = meta.getDatabaseMajorVersion();
            int minor = meta.getDatabaseMinorVersion();
            if (product.contains("postgres")) {
                kind = Kind.POSTGRES;
                claiming = Claiming.UPDATE_RETURNING;
            } else if (product.contains("mariadb") || product.contains("mysql")) {
                kind = Kind.MARIADB;
                boolean mariaDb = product.contains("mariadb") || version.toLowerCase(Locale.ROOT).contains("mariadb");
                boolean skipLocked = mariaDb ? (major > 10 || (major == 10 && minor >= 6)) : major >= 8;
                claiming = skipLocked ? Claiming.SKIP_LOCKED_SELECT : Claiming.COMPARE_AND_SET;
            } else if (product.contains("h2")) {
                kind = Kind.H2;
                claiming = Claiming.COMPARE_AND_SET;
            } else if (product.contains("sqlite")) {
                kind = Kind.SQLITE;
                claiming = Claiming.COMPARE_AND_SET;
            } else {
                throw new IllegalStateException("The outbox does not support " + meta.getDatabaseProductName()
                        + " (database '" + db.alias() + "'). It runs on PostgreSQL, MariaDB/MySQL, H2 and SQLite.");
            }
            createTable(connection, table, kind);
        }
        return new Store(db, table, kind, claiming, names);
    }

    /** The CREATE TABLE and CREATE INDEX statements for {@code kind}, as the README shows them. */
    static List<String> ddl(String table, Kind kind) {
        String bigint = kind == Kind.SQLITE ? "INTEGER" : "BIGINT";
        return List.of(
                "CREATE TABLE IF NOT EXISTS " + table + " (\n"
                        + column("id", "VARCHAR(36)", " NOT NULL PRIMARY KEY,")
                        + column("name", "VARCHAR(200)", " NOT NULL,")
                        + column("payload", kind.payloadType, ",")
                        + column("status", "VARCHAR(7)", " NOT NULL,")
                        + column("attempts", "INT", " NOT NULL,")
                        + column("next_run_at", bigint, " NOT NULL,")
                        + column("lease_until", bigint, ",")
                        + column("owner", "VARCHAR(64)", ",")
                        + column("last_error", kind.errorType, ",")
                        + column("created_at", bigint, " NOT NULL,")
                        + column("done_at", bigint, "")
                        + ")" + kind.tableSuffix,
                "CREATE INDEX IF NOT EXISTS " + table + "_due ON " + table + " (status, next_run_at)");
    }

    /** One aligned column line of the DDL (the README prints it). */
    private static String column(String name, String type, String rest) {
        String typed = rest.startsWith(" ") ? String.format("%-12s", type) : type;
        return String.format("  %-11s %s", name, typed) + rest + "\n";
    }

    private static void createTable(Connection connection, String table, Kind kind) throws SQLException {
        for (String statementText : ddl(table, kind)) {
            try (Statement statement = connection.createStatement()) {
                statement.execute(statementText);
            } catch (SQLException e) {
                // PostgreSQL: two instances starting at once can both pass IF NOT EXISTS and one
                // then fails on the catalog's unique index; the table exists, which is all we need.
                if (!tableExists(connection, table)) {
                    throw e;
                }
            }
        }
    }

    private static boolean tableExists(Connection connection, String table) {
        try (Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT COUNT(*) FROM " + table + " WHERE 1 = 0")) {
            return rows.next();
        } catch (SQLException e) {
            return false;
        }
    }

    /** Writes a new task held by {@code owner} until {@code leaseUntil}, on the caller's connection (its block). */
    void insert(String id, String name, String payload, long now, long leaseUntil, String owner) throws SQLException {
        try (Connection connection = db.connection(); PreparedStatement statement = connection.prepareStatement(insert)) {
            statement.setString(1, id);
            statement.setString(2, name);
            statement.setString(3, payload);
            statement.setLong(4, now);
            statement.setLong(5, leaseUntil);
            statement.setString(6, owner);
            statement.setLong(7, now);
            statement.executeUpdate();
        }
    }

    /** Claims up to {@code limit} due tasks for {@code owner} until {@code leaseUntil}; never one another instance holds. */
    List<OutboxTask> claimDue(String owner, long now, long leaseUntil, int limit) throws SQLException {
        switch (claiming) {
            case UPDATE_RETURNING:
                try (Connection connection = db.connection(); PreparedStatement statement = connection.prepareStatement(claimDue)) {
                    statement.setString(1, owner);
                    statement.setLong(2, leaseUntil);
                    statement.setLong(3, now);
                    statement.setLong(4, now);
                    statement.setInt(5, limit);
                    try (ResultSet rows = statement.executeQuery()) {
                        return tasks(rows, 0);
                    }
                }
            case SKIP_LOCKED_SELECT:
                return db.atomic(AtomicOptions.defaults().isolation(Isolation.READ_COMMITTED), () -> {
                    try (Connection connection = db.connection()) {
                        List<OutboxTask> candidates = selectDue(connection, now, limit);
                        if (!candidates.isEmpty()) {
                            StringBuilder sql = new StringBuilder("UPDATE ").append(table)
                                    .append(" SET owner = ?, lease_until = ?, attempts = attempts + 1 WHERE id IN (");
                            for (int i = 0; i < candidates.size(); i++) {
                                sql.append(i == 0 ? "?" : ", ?");
                            }
                            try (PreparedStatement update = connection.prepareStatement(sql.append(')').toString())) {
                                update.setString(1, owner);
                                update.setLong(2, leaseUntil);
                                for (int i = 0; i < candidates.size(); i++) {
                                    update.setString(3 + i, candidates.get(i).id());
                                }
                                update.executeUpdate();
                            }
                        }
                        return candidates;
                    }
                });
            default:
                try (Connection connection = db.connection()) {
                    List<OutboxTask> claimed = new ArrayList<>();
                    for (OutboxTask candidate : selectDue(connection, now, limit)) {
                        try (PreparedStatement update = connection.prepareStatement(claimOne)) {
                            update.setString(1, owner);
                            update.setLong(2, leaseUntil);
                            update.setString(3, candidate.id());
                            update.setLong(4, now);
                            update.setLong(5, now);
                            if (update.executeUpdate() == 1) {
                                claimed.add(candidate);
                            }
                        }
                    }
                    return claimed;
                }
        }
    }

    /** Due tasks, with the attempt number a claim gives them. */
    private List<OutboxTask> selectDue(Connection connection, long now, int limit) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(selectDue)) {
            statement.setLong(1, now);
            statement.setLong(2, now);
            statement.setInt(3, limit);
            try (ResultSet rows = statement.executeQuery()) {
                return tasks(rows, 1);
            }
        }
    }

    private static List<OutboxTask> tasks(ResultSet rows, int attemptOffset) throws SQLException {
        List<OutboxTask> tasks = new ArrayList<>();
        while (rows.next()) {
            tasks.add(new OutboxTask(rows.getString(1), rows.getString(2), rows.getString(3),
                    rows.getInt(4) + attemptOffset, rows.getString(5)));
        }
        return tasks;
    }

    /** Marks a task this instance holds done; false if it no longer holds it (its lease was taken over). */
    boolean markDone(String id, String owner, long now) throws SQLException {
        return update(markDone, now, id, owner) == 1;
    }

    /** Records a handler failure: due again at {@code nextRunAt}, or FAILED once attempts reached {@code maxAttempts}. */
    boolean markFailed(String id, String owner, String error, long nextRunAt, int maxAttempts) throws SQLException {
        return update(markFailed, error, nextRunAt, maxAttempts, id, owner) == 1;
    }

    /** Extends the lease of a task this instance is running; false if it no longer holds it. */
    boolean renew(String id, String owner, long leaseUntil) throws SQLException {
        return update(renew, leaseUntil, id, owner) == 1;
    }

    /** Deletes DONE tasks finished before {@code doneBefore}; returns how many. */
    int purgeDone(long doneBefore) throws SQLException {
        return update(purge, doneBefore);
    }

    /** One statement in autocommit (or the caller's block); once per task at most, so varargs cost nothing that matters. */
    private int update(String sql, Object... parameters) throws SQLException {
        try (Connection connection = db.connection(); PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                statement.setObject(i + 1, parameters[i]);
            }
            return statement.executeUpdate();
        }
    }

    /** FAILED tasks, oldest first. */
    List<OutboxTask> failed(int limit) throws SQLException {
        String sql = "SELECT id, name, payload, attempts, last_error FROM " + table
                + " WHERE status = '" + FAILED + "' ORDER BY created_at, id LIMIT ?";
        try (Connection connection = db.connection(); PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setInt(1, limit);
            try (ResultSet rows = statement.executeQuery()) {
                return tasks(rows, 0);
            }
        }
    }

    /** Makes a FAILED task due now with a fresh count of attempts; the last error stays until the next one. */
    boolean requeue(String id, long now) throws SQLException {
        return update("UPDATE " + table + " SET status = '" + PENDING + "', attempts = 0, next_run_at = ?,"
                + " owner = NULL, lease_until = NULL WHERE id = ? AND status = '" + FAILED + "'", now, id) == 1;
    }
}
