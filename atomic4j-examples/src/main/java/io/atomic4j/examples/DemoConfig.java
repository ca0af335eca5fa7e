package io.atomic4j.examples;

import io.atomic4j.internal.errors.Urls;
import java.nio.file.Path;
import java.util.Map;

/**
 * Where the demo keeps its data and listens. From the environment: {@code DATABASE_URL} (a JDBC
 * URL; default a SQLite file under {@code ./data/}), {@code DATABASE_USER},
 * {@code DATABASE_PASSWORD}, {@code PORT} (default 8080; 0 picks a free port).
 */
public record DemoConfig(String jdbcUrl, String user, String password, int port) {
    /** The SQLite file used when DATABASE_URL is not set. */
    static final Path DEFAULT_SQLITE_FILE = Path.of("data", "demo.db");

    public static DemoConfig fromEnvironment() {
        return fromEnvironment(System.getenv());
    }

    static DemoConfig fromEnvironment(Map<String, String> env) {
        String url = env.get("DATABASE_URL");
        if (url == null || url.isBlank()) {
            url = sqliteUrl(DEFAULT_SQLITE_FILE);
        } else if (!url.startsWith("jdbc:")) {
            throw new IllegalArgumentException("DATABASE_URL must be a JDBC URL, for example "
                    + "jdbc:postgresql://localhost:5432/demo or jdbc:mariadb://localhost:3306/demo; got " + Urls.redact(url));
        }
        String port = env.getOrDefault("PORT", "8080");
        int number;
        try {
            number = Integer.parseInt(port.trim());
        } catch (NumberFormatException e) {
            number = -1;
        }
        if (number < 0 || number > 65535) {
            throw new IllegalArgumentException("PORT must be a port number from 0 to 65535 (0 picks a free port), got '"
                    + port + "'. For example: PORT=9090 ./demo");
        }
        return new DemoConfig(url, env.get("DATABASE_USER"), env.get("DATABASE_PASSWORD"), number);
    }

    /** A SQLite file: WAL so readers don't block the writer, a busy timeout, enforced foreign keys,
     *  and write transactions that take the lock at BEGIN (no SQLITE_BUSY half-way). */
    public static DemoConfig sqlite(Path file, int port) {
        return new DemoConfig(sqliteUrl(file), null, null, port);
    }

    static String sqliteUrl(Path file) {
        return "jdbc:sqlite:" + file + "?journal_mode=WAL&busy_timeout=5000&foreign_keys=true&transaction_mode=IMMEDIATE";
    }

    /** The URL without its parameters (and so without any password in them), for printing. */
    String displayUrl() {
        int query = jdbcUrl.indexOf('?');
        return query < 0 ? jdbcUrl : jdbcUrl.substring(0, query);
    }
}
