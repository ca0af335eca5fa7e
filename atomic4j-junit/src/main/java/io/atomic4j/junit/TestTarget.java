package io.atomic4j.junit;

import io.atomic4j.Database;
import io.atomic4j.internal.engine.AtomicBlocks;
import io.atomic4j.internal.engine.Engines;
import java.util.List;
import java.util.regex.Pattern;

/**
 * One database the tests run on, with the tables a committing test empties afterwards.
 * Immutable.
 */
final class TestTarget {
    /** A table name, optionally schema-qualified; anything else is refused rather than pasted into SQL. */
    private static final Pattern TABLE_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_$]*(\\.[A-Za-z_][A-Za-z0-9_$]*)?");

    final Database database;
    final AtomicBlocks engine;
    final List<String> emptyTables;
    /** Where the database came from, for messages: a field name or "forDatabases(...)". */
    final String origin;

    TestTarget(Database database, List<String> emptyTables, String origin) {
        this.database = database;
        this.engine = Engines.of(database);
        this.emptyTables = List.copyOf(emptyTables);
        this.origin = origin;
        for (String table : this.emptyTables) {
            if (table == null || !TABLE_NAME.matcher(table).matches()) {
                throw Messages.badTableName(table, origin);
            }
        }
    }

    String alias() {
        return database.alias();
    }
}
