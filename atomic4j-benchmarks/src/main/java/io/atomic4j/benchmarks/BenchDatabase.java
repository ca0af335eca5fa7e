package io.atomic4j.benchmarks;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.atomic4j.testing.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import javax.sql.DataSource;

/**
 * One benchmark database: its URL and the pool every peer shares. The runner ({@link Main})
 * starts the servers once and hands their URLs to JMH's forked JVMs as system properties; a
 * fork started by hand creates its own database through {@link TestDatabase}.
 */
record BenchDatabase(String kind, String jdbcUrl, String user, String password) {
    static final String URL_PROPERTY = "atomic4j.bench.url";
    static final String USER_PROPERTY = "atomic4j.bench.user";
    /** Enough for the 8-thread scenarios; the same for every peer. */
    static final int POOL_SIZE = 8;

    /** A new database of {@code kind} (H2, SQLITE, POSTGRES, MARIADB), servers started on first use. */
    static BenchDatabase create(String kind) {
        TestDatabase database = TestDatabase.valueOf(kind.toUpperCase(Locale.ROOT));
        String url = database.newDatabaseUrl("bench");
        if (database == TestDatabase.SQLITE) {
            // Every peer's transactions take the write lock at BEGIN, as atomic4j's own SQLite pools do: a deferred
            // transaction that upgrades to a write fails at once with SQLITE_BUSY under several threads.
            // Eight writers queue for one lock: wait for it up to a minute rather than the tests' ten seconds.
            url = url.replaceFirst("busy_timeout=\\d+", "busy_timeout=60000") + "&transaction_mode=IMMEDIATE";
        }
        return new BenchDatabase(database.name(), url, database.user(), database.password());
    }

    /** The database the runner prepared for this fork, or a new one. */
    static BenchDatabase forThisJvm(String kind) {
        String url = System.getProperty(URL_PROPERTY);
        // The embedded servers have no password; none travels on a command line, where JMH would print it.
        return url == null ? create(kind) : new BenchDatabase(kind, url, System.getProperty(USER_PROPERTY), "");
    }

    String[] asJvmArguments() {
        return new String[] {"-D" + URL_PROPERTY + "=" + jdbcUrl, "-D" + USER_PROPERTY + "=" + user};
    }

    /** This database at another URL (the round-trip counter's proxy). */
    BenchDatabase at(String url) {
        return new BenchDatabase(kind, url, user, password);
    }

    /** The pool all peers share: HikariCP defaults, autocommit on, {@value #POOL_SIZE} connections. */
    HikariDataSource newPool() {
        return newPool(null, POOL_SIZE);
    }

    /** A pool of {@code size} connections from {@code driver}, or from the URL when it is null. */
    HikariDataSource newPool(DataSource driver, int size) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("bench-" + kind.toLowerCase(Locale.ROOT));
        config.setMaximumPoolSize(size);
        if (driver != null) {
            config.setDataSource(driver);
        } else {
            config.setJdbcUrl(jdbcUrl);
            config.setUsername(user);
            config.setPassword(password);
        }
        return new HikariDataSource(config);
    }

    static void createSchema(DataSource pool) throws SQLException {
        try (Connection connection = pool.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute("DROP TABLE IF EXISTS item");
            statement.execute("CREATE TABLE item (id BIGINT PRIMARY KEY, name VARCHAR(50) NOT NULL)");
        }
    }

    /**
     * Empties the table between rounds and iterations, so none pays for the rows of the last. If
     * an open transaction holds a lock on the table (seen once on MariaDB in a full run, not
     * reproduced since), prints who holds it and goes on with the rows in place: the ratios stay
     * valid, a lost run would not.
     */
    void clear(DataSource pool) throws SQLException {
        try (Connection connection = pool.getConnection(); Statement statement = connection.createStatement()) {
            if (kind.equals("MARIADB")) {
                statement.execute("SET SESSION innodb_lock_wait_timeout = 10");
            }
            try {
                statement.execute(kind.equals("SQLITE") ? "DELETE FROM item" : "TRUNCATE TABLE item");
            } catch (SQLException e) {
                System.err.println("Could not empty the table, going on: " + e);
                if (kind.equals("MARIADB")) {
                    try (ResultSet open = statement.executeQuery("SELECT trx_mysql_thread_id, trx_state, trx_started, "
                            + "trx_rows_modified, trx_query FROM information_schema.innodb_trx")) {
                        while (open.next()) {
                            System.err.printf("  open transaction: connection %s, %s since %s, %s rows modified, query %s%n",
                                    open.getString(1), open.getString(2), open.getString(3), open.getString(4),
                                    open.getString(5));
                        }
                    }
                }
            }
        }
    }
}
