package io.atomic4j.internal.dialect;

import io.atomic4j.Isolation;
import java.util.Locale;

/** Picks the dialect from a JDBC URL or the driver's product name. */
public final class Dialects {
    private Dialects() {
    }

    public static Dialect forUrl(String jdbcUrl) {
        String url = jdbcUrl.toLowerCase(Locale.ROOT);
        if (url.startsWith("jdbc:postgresql:")) {
            return new PostgresDialect();
        }
        if (url.startsWith("jdbc:mariadb:") || url.startsWith("jdbc:mysql:")) {
            return new MariaDbDialect();
        }
        if (url.startsWith("jdbc:sqlite:")) {
            return new SqliteDialect();
        }
        if (url.startsWith("jdbc:h2:")) {
            return new H2Dialect();
        }
        return null;
    }

    public static Dialect forProductName(String productName) {
        String name = productName == null ? "" : productName.toLowerCase(Locale.ROOT);
        if (name.contains("postgres")) {
            return new PostgresDialect();
        }
        if (name.contains("mariadb") || name.contains("mysql")) {
            return new MariaDbDialect();
        }
        if (name.contains("sqlite")) {
            return new SqliteDialect();
        }
        if (name.contains("h2")) {
            return new H2Dialect();
        }
        return new GenericDialect(productName);
    }

    /** Any other JDBC database: standard savepoint SQL and SQLSTATE classes. */
    static final class GenericDialect extends Dialect {
        private final String productName;

        GenericDialect(String productName) {
            this.productName = productName;
        }

        @Override
        public String name() {
            return productName == null ? "JDBC" : productName;
        }
    }

    /** SQLite is always serializable except for READ_UNCOMMITTED (shared cache only), so weaker requests get SERIALIZABLE. */
    static int sqliteLevel(Isolation isolation) {
        return isolation == Isolation.READ_UNCOMMITTED ? isolation.jdbcLevel() : Isolation.SERIALIZABLE.jdbcLevel();
    }
}
