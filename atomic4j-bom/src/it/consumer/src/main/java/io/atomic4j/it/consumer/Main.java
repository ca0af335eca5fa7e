package io.atomic4j.it.consumer;

import io.atomic4j.Database;
import io.atomic4j.junit.AtomicTestExtension;
import io.atomic4j.mongodb.MongoAtomic;
import io.atomic4j.servlet.AtomicRequestsFilter;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Runs on the module path: checks the module each atomic4j class was loaded from, then uses the core on H2
 * (a nested block that fails is rolled back to its savepoint, the outer work commits, the on-commit hook runs).
 * Prints "consumer OK" and exits 0, or names what was wrong and exits 1.
 */
public final class Main {
    private static final List<String> problems = new ArrayList<>();

    public static void main(String[] args) throws SQLException {
        Map<Class<?>, String> expected = Map.of(
                Database.class, "io.atomic4j",
                AtomicRequestsFilter.class, "io.atomic4j.servlet",
                AtomicTestExtension.class, "io.atomic4j.junit",
                MongoAtomic.class, "io.atomic4j.mongodb");
        expected.forEach((type, module) -> {
            String actual = type.getModule().getName();
            if (!module.equals(actual)) {
                problems.add(type.getName() + " was loaded from module " + actual + ", expected " + module);
            }
        });

        List<String> committed = new ArrayList<>();
        try (Database db = Database.open("jdbc:h2:mem:consumer;DB_CLOSE_DELAY=-1")) {
            try (Connection c = db.connection(); Statement s = c.createStatement()) {
                s.execute("create table t (v varchar(20))");
            }
            db.atomic(() -> {
                insert(db, "outer");
                try {
                    db.atomic(() -> {
                        insert(db, "inner");
                        throw new IllegalStateException("rolled back to the savepoint");
                    });
                } catch (IllegalStateException expectedFailure) {
                    // the outer block goes on
                }
                db.onCommit(() -> committed.add("hook"));
            });
            List<String> rows = new ArrayList<>();
            try (Connection c = db.connection(); Statement s = c.createStatement();
                 ResultSet r = s.executeQuery("select v from t order by v")) {
                while (r.next()) {
                    rows.add(r.getString(1));
                }
            }
            if (!rows.equals(List.of("outer"))) {
                problems.add("rows after the block: " + rows + ", expected [outer]");
            }
            if (!committed.equals(List.of("hook"))) {
                problems.add("on-commit hooks run: " + committed + ", expected [hook]");
            }
        }

        if (problems.isEmpty()) {
            System.out.println("consumer OK: " + expected.size() + " atomic4j modules on the module path, core on H2");
        } else {
            problems.forEach(p -> System.out.println("consumer FAILED: " + p));
            System.exit(1);
        }
    }

    private static void insert(Database db, String value) throws SQLException {
        try (Connection c = db.connection(); Statement s = c.createStatement()) {
            s.executeUpdate("insert into t values ('" + value + "')");
        }
    }
}
