package io.atomic4j;

import io.atomic4j.internal.errors.Messages;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Several databases by alias (Django's {@code DATABASES} and {@code using=}). Keeps the order
 * given, which is the order {@code AtomicRequestsFilter} nests per-request blocks in. Thread-safe.
 * <pre>{@code
 * Databases dbs = Databases.of(Database.open(mainUrl), Database.builder(reportsUrl).alias("reports").build());
 * dbs.get("reports").atomic(() -> ...);
 * }</pre>
 */
public final class Databases implements AutoCloseable {
    private final Map<String, Database> byAlias;

    private Databases(Map<String, Database> byAlias) {
        this.byAlias = byAlias;
    }

    /**
     * The given databases, each under its own alias.
     * @throws IllegalArgumentException if two databases share an alias, or none is given
     */
    public static Databases of(Database... databases) {
        if (databases == null || databases.length == 0) {
            throw Messages.noDatabases();
        }
        Map<String, Database> byAlias = new LinkedHashMap<>();
        for (Database database : databases) {
            if (database == null) {
                throw Messages.nullDatabase();
            }
            if (byAlias.putIfAbsent(database.alias(), database) != null) {
                throw Messages.duplicateAlias(database.alias());
            }
        }
        return new Databases(Collections.unmodifiableMap(byAlias));
    }

    /**
     * The database with this alias.
     * @throws IllegalArgumentException naming the known aliases if there is none
     */
    public Database get(String alias) {
        Database database = byAlias.get(alias);
        if (database == null) {
            throw Messages.unknownAlias(alias, byAlias.keySet());
        }
        return database;
    }

    /** Every database, in the order given to {@link #of(Database...)}. */
    public Collection<Database> all() {
        return byAlias.values();
    }

    /** Closes every database; a failure of one does not stop the others from closing. */
    @Override
    public void close() {
        RuntimeException first = null;
        for (Database database : byAlias.values()) {
            try {
                database.close();
            } catch (RuntimeException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
