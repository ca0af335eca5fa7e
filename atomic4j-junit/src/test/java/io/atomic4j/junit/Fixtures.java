package io.atomic4j.junit;

import io.atomic4j.Database;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The database the {@link Fixture} classes run on, set by the test that runs them, and what the
 * fixtures record for it to check afterwards.
 */
final class Fixtures {
    static volatile Items items;
    /** onCommit hooks that ran. */
    static final AtomicInteger HOOKS_RUN = new AtomicInteger();
    /** Free-form notes from fixtures (thread names, observations), in order. */
    static final List<String> NOTES = new CopyOnWriteArrayList<>();

    private Fixtures() {
    }

    static void use(Items current) {
        items = current;
        RolledBack.db = current.db;
        Committing.db = current.db;
        HOOKS_RUN.set(0);
        NOTES.clear();
    }

    static Database db() {
        return items.db;
    }

    static void insert(String name) {
        Items.insert(items.db, name);
    }

    /** What this thread sees. */
    static List<String> names() {
        return Items.names(items.db);
    }

    /** What is committed, seen from another connection. */
    static List<String> committed() {
        return items.committedNames();
    }

    /** Base of rolled-back fixtures: the database comes from {@link #use}. */
    abstract static class RolledBack {
        @AtomicDatabase
        static Database db;
    }

    /** Base of committing fixtures: the database comes from {@link #use}; both tables are emptied after each test. */
    abstract static class Committing {
        @AtomicDatabase(emptyTables = {"item_notes", "items"})
        static Database db;
    }
}
