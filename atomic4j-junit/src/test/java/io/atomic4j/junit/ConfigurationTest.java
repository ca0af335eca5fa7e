package io.atomic4j.junit;

import static io.atomic4j.junit.Fixtures.insert;
import static io.atomic4j.junit.Fixtures.names;
import static org.assertj.core.api.Assertions.assertThat;

import io.atomic4j.Database;
import io.atomic4j.Databases;
import io.atomic4j.testing.TestDatabase;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.testkit.engine.Event;

/**
 * How the extension finds its databases (fields, {@code Databases}, {@code @RegisterExtension}
 * with several databases) and what it says when it is misconfigured. Database-independent, so on
 * H2 only (plus SQLite for the multi-database forms).
 */
class ConfigurationTest {

    @Test
    void registeredExtensionRollsBackEveryListedDatabase() {
        Kit.assertAllPassed(Kit.run(RegisteredRolledBack.class), 2);
        assertThat(RegisteredRolledBack.main.committedNames()).isEmpty();
        assertThat(RegisteredRolledBack.other.committedNames()).isEmpty();
    }

    @Fixture
    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    static class RegisteredRolledBack {
        static final Items main = Items.create(TestDatabase.H2, "registered_main");
        static final Items other = Items.create(TestDatabase.SQLITE, "registered_other", "other");

        @RegisterExtension
        static final AtomicTestExtension atomic = AtomicTestExtension.forDatabases(main.db, other.db);

        @Test
        @Order(1)
        void writesToBoth() {
            Items.insert(main.db, "a");
            Items.insert(other.db, "b");
            assertThat(Items.names(main.db)).containsExactly("a");
            assertThat(Items.names(other.db)).containsExactly("b");
            assertThat(other.committedNames()).isEmpty();
        }

        @Test
        @Order(2)
        void bothAreClean() {
            assertThat(Items.names(main.db)).isEmpty();
            assertThat(Items.names(other.db)).isEmpty();
        }
    }

    @Test
    void registeredCommittingExtensionEmptiesTheTablesOfEachDatabase() {
        Kit.assertAllPassed(Kit.run(RegisteredCommitting.class), 2);
        assertThat(RegisteredCommitting.main.committedNames()).isEmpty();
        assertThat(RegisteredCommitting.main.committedNotes()).isEmpty();
        assertThat(RegisteredCommitting.other.committedNames()).isEmpty();
    }

    @Fixture
    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    static class RegisteredCommitting {
        static final Items main = Items.create(TestDatabase.H2, "committing_main");
        static final Items other = Items.create(TestDatabase.SQLITE, "committing_other", "other");

        @RegisterExtension
        static final AtomicTestExtension atomic = AtomicTestExtension.committing(main.db, "item_notes", "items")
                .and(other.db, "items");

        @Test
        @Order(1)
        void commitsToBoth() {
            Items.insert(main.db, "a");
            Items.insertNote(main.db, "a", "note");
            Items.insert(other.db, "b");
            assertThat(main.committedNames()).containsExactly("a");
            assertThat(other.committedNames()).containsExactly("b");
        }

        @Test
        @Order(2)
        void bothAreEmpty() {
            assertThat(main.committedNames()).isEmpty();
            assertThat(main.committedNotes()).isEmpty();
            assertThat(other.committedNames()).isEmpty();
        }
    }

    @Test
    void aDatabasesFieldBringsEveryDatabaseInIt() {
        Kit.assertAllPassed(Kit.run(DatabasesField.class), 1);
        assertThat(DatabasesField.main.committedNames()).isEmpty();
        assertThat(DatabasesField.other.committedNames()).isEmpty();
        assertThat(Fixtures.NOTES).containsExactly("both in blocks: true true");
    }

    @Fixture
    @AtomicTest
    static class DatabasesField {
        static final Items main = Items.create(TestDatabase.H2, "databases_main");
        static final Items other = Items.create(TestDatabase.H2, "databases_other", "other");

        @AtomicDatabase
        static final Databases databases = Databases.of(main.db, other.db);

        @BeforeEach
        void note() {
            Fixtures.NOTES.clear();
        }

        @Test
        void writesToBoth() {
            Items.insert(databases.get("default"), "a");
            Items.insert(databases.get("other"), "b");
            Fixtures.NOTES.add("both in blocks: " + main.db.inAtomicBlock() + " " + other.db.inAtomicBlock());
        }
    }

    @Test
    void anInstanceFieldWorksWithAPerClassLifecycle() {
        try (Items items = Items.create(TestDatabase.H2, "instance_field")) {
            Fixtures.use(items);
            Kit.assertAllPassed(Kit.run(InstanceField.class), 1);
            assertThat(items.committedNames()).isEmpty();
        }
    }

    @Fixture
    @AtomicTest
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    static class InstanceField {
        @AtomicDatabase
        final Database db = Fixtures.db();

        @Test
        void writes() {
            insert("a");
            assertThat(db.inAtomicBlock()).isTrue();
        }
    }

    @Test
    void misconfigurationsFailTheClassWithAnExplanation() {
        try (Items items = Items.create(TestDatabase.H2, "misconfigured")) {
            Fixtures.use(items);
            assertClassFails(NoDatabase.class, "found no database for " + NoDatabase.class.getName());
            assertClassFails(BothModes.class, "is annotated both @AtomicTest and @TransactionTest");
            assertClassFails(RegisteredTwice.class, "Two AtomicTestExtension instances manage");
            assertClassFails(InstanceFieldPerMethod.class, "is an instance field, but there is no test instance");
            assertClassFails(WrongType.class, "must be of type io.atomic4j.Database or io.atomic4j.Databases");
            assertClassFails(NullField.class, "is null when the class's tests start");
            assertClassFails(BadTableName.class, "Table name 'items; DROP TABLE items' for @AtomicDatabase field");
            assertThat(items.committedNames()).isEmpty();
        }
    }

    private static void assertClassFails(Class<?> fixture, String message) {
        List<Event> failures = Kit.failures(Kit.run(fixture));
        assertThat(failures).as(fixture.getSimpleName()).hasSize(1);
        assertThat(Kit.throwable(failures.get(0))).as(fixture.getSimpleName()).hasMessageContaining(message);
    }

    @Fixture
    @AtomicTest
    static class NoDatabase {
        @Test
        void test() {
        }
    }

    @Fixture
    @AtomicTest
    @TransactionTest
    static class BothModes extends Fixtures.RolledBack {
        @Test
        void test() {
        }
    }

    @Fixture
    @AtomicTest
    static class RegisteredTwice extends Fixtures.RolledBack {
        @RegisterExtension
        static final AtomicTestExtension atomic = AtomicTestExtension.forDatabases(Fixtures.db());

        @Test
        void test() {
        }
    }

    @Fixture
    @AtomicTest
    static class InstanceFieldPerMethod {
        @AtomicDatabase
        final Database db = Fixtures.db();

        @Test
        void test() {
        }
    }

    @Fixture
    @AtomicTest
    static class WrongType {
        @AtomicDatabase
        static final String db = "jdbc:h2:mem:x";

        @Test
        void test() {
        }
    }

    @Fixture
    @AtomicTest
    static class NullField {
        @AtomicDatabase
        static Database db;

        @Test
        void test() {
        }
    }

    @Fixture
    @TransactionTest
    static class BadTableName {
        @AtomicDatabase(emptyTables = "items; DROP TABLE items")
        static final Database db = Fixtures.db();

        @Test
        void test() {
        }
    }

    @Test
    void testCodeMovedToAnotherThreadIsRefusedBeforeItCanCommit() {
        try (Items items = Items.create(TestDatabase.H2, "separate_thread")) {
            Fixtures.use(items);
            List<Event> failures = Kit.failures(Kit.run(SeparateThread.class));
            assertThat(failures).hasSize(1);
            assertThat(Kit.throwable(failures.get(0)))
                    .hasMessageContaining("but its rolled-back block is open on thread 'kit'")
                    .hasMessageContaining("its statements would commit for real");
            assertThat(items.committedNames()).isEmpty();
            assertThat(Fixtures.NOTES).containsExactly("afterAll saw []");
        }
    }

    @Fixture
    @AtomicTest
    static class SeparateThread extends Fixtures.RolledBack {
        @Test
        @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
        void wouldCommit() {
            insert("escaped");
        }

        @AfterAll
        static void check() {
            Fixtures.NOTES.add("afterAll saw " + names());
        }
    }

    @Test
    void registeringOnAMethodIsRefused() {
        try (Items items = Items.create(TestDatabase.H2, "method_level")) {
            Fixtures.use(items);
            List<Event> failures = Kit.failures(Kit.run(MethodLevel.class));
            assertThat(failures).hasSize(1);
            assertThat(Kit.throwable(failures.get(0))).hasMessageContaining("must be registered on the test class");
        }
    }

    @Fixture
    static class MethodLevel extends Fixtures.RolledBack {
        @Test
        @ExtendWith(AtomicTestExtension.class)
        void test() {
        }
    }
}
