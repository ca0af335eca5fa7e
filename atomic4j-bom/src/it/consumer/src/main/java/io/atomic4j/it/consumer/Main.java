package io.atomic4j.it.consumer;

import io.atomic4j.Database;
import io.atomic4j.hibernate.AtomicHibernate;
import io.atomic4j.jdbi.AtomicTransactionHandler;
import io.atomic4j.jooq.AtomicTransactionProvider;
import io.atomic4j.junit.AtomicTestExtension;
import io.atomic4j.micrometer.AtomicMetrics;
import io.atomic4j.mongodb.MongoAtomic;
import io.atomic4j.mybatis.AtomicTransactionFactory;
import io.atomic4j.outbox.Outbox;
import io.atomic4j.servlet.AtomicRequestsFilter;
import io.atomic4j.spring.AtomicTransactionManager;

import java.lang.reflect.InvocationTargetException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Runs on the module path: checks the module each atomic4j class was loaded from and that the engine
 * (io.atomic4j.internal.*) is exported to atomic4j's own modules only, then uses the core on H2 (a nested block
 * that fails is rolled back to its savepoint, the outer work commits, the on-commit hook runs).
 * Prints "consumer OK" and exits 0, or names what was wrong and exits 1.
 */
public final class Main {
    private static final List<String> problems = new ArrayList<>();

    public static void main(String[] args) throws SQLException {
        Map<Class<?>, String> expected = Map.ofEntries(
                Map.entry(Database.class, "io.atomic4j"),
                Map.entry(AtomicRequestsFilter.class, "io.atomic4j.servlet"),
                Map.entry(AtomicTestExtension.class, "io.atomic4j.junit"),
                Map.entry(MongoAtomic.class, "io.atomic4j.mongodb"),
                Map.entry(AtomicMetrics.class, "io.atomic4j.micrometer"),
                Map.entry(AtomicTransactionProvider.class, "io.atomic4j.jooq"),
                Map.entry(AtomicTransactionHandler.class, "io.atomic4j.jdbi"),
                Map.entry(AtomicTransactionFactory.class, "io.atomic4j.mybatis"),
                Map.entry(Outbox.class, "io.atomic4j.outbox"),
                Map.entry(AtomicHibernate.class, "io.atomic4j.hibernate"),
                Map.entry(AtomicTransactionManager.class, "io.atomic4j.spring"));
        expected.forEach((type, module) -> {
            String actual = type.getModule().getName();
            if (!module.equals(actual)) {
                problems.add(type.getName() + " was loaded from module " + actual + ", expected " + module);
            }
        });

        checkEngineIsSealed();

        List<String> committed = new ArrayList<>();
        try (Database db = Database.open("jdbc:h2:mem:consumer;DB_CLOSE_DELAY=-1")) {
            checkEngineUnreachable(db);
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
            System.out.println("consumer OK: " + expected.size() + " atomic4j modules on the module path, the engine"
                    + " exported to them only, core on H2");
        } else {
            problems.forEach(p -> System.out.println("consumer FAILED: " + p));
            System.exit(1);
        }
    }

    /** The core exports its API package to everyone and the engine's packages to the atomic4j modules only. */
    private static void checkEngineIsSealed() {
        Module core = Database.class.getModule();
        Module self = Main.class.getModule();
        if (!core.isExported("io.atomic4j", self)) {
            problems.add("io.atomic4j is not exported to " + self.getName());
        }
        for (String internal : List.of("io.atomic4j.internal.engine", "io.atomic4j.internal.errors",
                "io.atomic4j.internal.jdbc", "io.atomic4j.internal.dialect")) {
            if (!core.getPackages().contains(internal)) {
                problems.add("the core module has no package " + internal);
            } else if (core.isExported(internal) || core.isExported(internal, self) || core.isOpen(internal, self)) {
                problems.add(internal + " is exported or open to a user module (" + self.getName() + ")");
            }
        }
        Module servlet = AtomicRequestsFilter.class.getModule();
        if (!core.isExported("io.atomic4j.internal.engine", servlet)) {
            problems.add("io.atomic4j.internal.engine is not exported to " + servlet.getName() + ", which uses it");
        }
    }

    /** Reflection cannot reach the engine either: Engines.of is public, but its package is not exported to us. */
    private static void checkEngineUnreachable(Database db) {
        try {
            Class<?> engines = Class.forName("io.atomic4j.internal.engine.Engines");
            Object engine = engines.getMethod("of", Database.class).invoke(null, db);
            problems.add("a user module called Engines.of and got " + engine);
        } catch (IllegalAccessException expected) {
            if (!expected.getMessage().contains("does not export io.atomic4j.internal.engine")) {
                problems.add("Engines.of was refused for another reason: " + expected);
            }
        } catch (ClassNotFoundException | NoSuchMethodException | InvocationTargetException e) {
            problems.add("could not look Engines.of up to check it is refused: " + e);
        }
    }

    private static void insert(Database db, String value) throws SQLException {
        try (Connection c = db.connection(); Statement s = c.createStatement()) {
            s.executeUpdate("insert into t values ('" + value + "')");
        }
    }
}
