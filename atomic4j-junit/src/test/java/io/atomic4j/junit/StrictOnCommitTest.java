package io.atomic4j.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.atomic4j.Database;
import io.atomic4j.testing.TestDatabase;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.Event;

/**
 * {@code @AtomicTest(strictOnCommit = true)}: a test fails when an onCommit callback it queued
 * was neither run through a capture nor looked at; checked ones pass; without the option nothing changes.
 */
class StrictOnCommitTest {

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void strictTestsFailOnlyForCallbacksTheyNeverChecked(TestDatabase kind) {
        try (Items items = Items.create(kind, "strict")) {
            Fixtures.use(items);
            EngineExecutionResults results = Kit.run(Strict.class);
            List<Event> failures = Kit.failures(results);
            assertThat(failures).hasSize(2);
            List<String> failed = failures.stream().map(e -> e.getTestDescriptor().getDisplayName()).sorted()
                    .collect(Collectors.toList());
            assertThat(failed).containsExactly("capturesButNeverLooks()", "queuesWithoutCapturing()");
            for (Event failure : failures) {
                assertThat(Kit.throwable(failure)).isInstanceOf(AssertionError.class)
                        .hasMessageContaining("1 onCommit callback(s) on database 'default' that it neither ran nor checked")
                        .hasMessageContaining("OnCommitCapture.captureAndRun");
            }
            assertThat(results.testEvents().succeeded().count()).isEqualTo(5);
            assertThat(items.committedNames()).isEmpty();
        }
    }

    @Test
    void withoutTheOptionUncheckedCallbacksPass() {
        try (Items items = Items.create(TestDatabase.H2, "lenient")) {
            Fixtures.use(items);
            Kit.assertAllPassed(Kit.run(Lenient.class), 1);
        }
    }

    @Test
    void theRegisteredFormIsStrictWhenAsked() {
        try (Items items = Items.create(TestDatabase.H2, "strict_registered")) {
            Fixtures.use(items);
            List<Event> failures = Kit.failures(Kit.run(StrictRegistered.class));
            assertThat(failures).hasSize(1);
            assertThat(Kit.throwable(failures.get(0))).hasMessageContaining("neither ran nor checked");
        }
    }

    @Test
    void onlyRolledBackExtensionsCanBeStrict() {
        Database db = Database.open("jdbc:h2:mem:strict_committing");
        assertThatThrownBy(() -> AtomicTestExtension.committing(db, "t").strictOnCommit())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("forDatabases");
        assertThatThrownBy(() -> new AtomicTestExtension().strictOnCommit()).isInstanceOf(IllegalStateException.class);
    }

    @Fixture
    @AtomicTest(strictOnCommit = true)
    static class Strict extends Fixtures.RolledBack {
        @Test
        void queuesWithoutCapturing() {
            db.onCommit(() -> { });
        }

        @Test
        void capturesButNeverLooks() {
            OnCommitCapture.capture(db, () -> db.onCommit(() -> { }));
        }

        @Test
        void capturesAndAsserts() {
            assertThat(OnCommitCapture.capture(db, () -> db.onCommit(() -> { }))).hasSize(1);
        }

        @Test
        void capturesAndRuns() {
            OnCommitCapture.captureAndRun(db, () -> db.onCommit(Fixtures.HOOKS_RUN::incrementAndGet));
        }

        @Test
        void callbacksOfARolledBackBlockDoNotCount() {
            try {
                db.atomic(() -> {
                    db.onCommit(() -> { });
                    throw new IllegalStateException("rolled back");
                });
            } catch (IllegalStateException expected) {
                // its callback was dropped with its savepoint
            }
        }

        @Test
        void queuesNothing() {
            Fixtures.insert("x");
        }

        @Nested
        class Inner {
            @Test
            void inheritsStrictnessAndChecks() {
                assertThat(OnCommitCapture.capture(db, () -> db.onCommit(() -> { }))).isNotEmpty();
            }
        }
    }

    @Fixture
    @AtomicTest
    static class Lenient extends Fixtures.RolledBack {
        @Test
        void queuesWithoutCapturing() {
            db.onCommit(() -> { });
        }
    }

    @Fixture
    static class StrictRegistered {
        static final Database db = Fixtures.db();
        @RegisterExtension
        static final AtomicTestExtension atomic = AtomicTestExtension.forDatabases(db).strictOnCommit();

        @Test
        void queuesWithoutCapturing() {
            db.onCommit(() -> { });
        }
    }
}
