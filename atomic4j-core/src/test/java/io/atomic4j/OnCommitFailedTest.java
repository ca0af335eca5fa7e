package io.atomic4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.atomic4j.testing.TestDatabase;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** A failing onCommit callback never looks like a failed transaction: every path that runs callbacks after a commit. */
class OnCommitFailedTest extends DatabaseTestBase {
    private final IllegalStateException mailDown = new IllegalStateException("mail server down");
    private final List<String> ran = new ArrayList<>();

    private void failingCallbackThenOthers() {
        db.onCommit(() -> ran.add("before"));
        db.onCommit(() -> {
            throw mailDown;
        });
        db.onCommit(() -> ran.add("after"));
        db.onCommit(() -> ran.add("robust after"), true);
    }

    @EveryDatabase
    void aCallbackRegisteredInANestedBlockFailsAfterTheOuterCommit(TestDatabase database) throws SQLException {
        use(database);
        assertThatThrownBy(() -> db.atomic(() -> {
            insert(1);
            db.atomic(() -> {
                insert(2);
                failingCallbackThenOthers();
            });
        })).isInstanceOf(OnCommitFailedException.class).hasCause(mailDown)
                .hasMessageContaining("did not run").hasMessageContaining("Do not re-run");
        assertThat(committedIds()).containsExactly(1, 2);
        assertThat(ran).containsExactly("before");
    }

    @EveryDatabase
    void theScopeFormThrowsItFromClose(TestDatabase database) throws SQLException {
        use(database);
        AtomicScope scope = db.begin();
        insert(1);
        failingCallbackThenOthers();
        scope.complete();
        assertThatThrownBy(scope::close).isInstanceOf(OnCommitFailedException.class).hasCause(mailDown);
        assertThat(committedIds()).containsExactly(1);
    }

    @EveryDatabase
    void aManualCommitThrowsItAfterCommitting(TestDatabase database) throws SQLException {
        use(database);
        db.setAutoCommit(false);
        try {
            db.atomic(() -> {
                insert(1);
                failingCallbackThenOthers();
            });
            assertThatThrownBy(db::commit).isInstanceOf(OnCommitFailedException.class).hasCause(mailDown);
            assertThat(committedIds()).containsExactly(1);
        } finally {
            db.setAutoCommit(true);
        }
    }

    @EveryDatabase
    void robustCallbacksAreUnchanged(TestDatabase database) throws SQLException {
        use(database);
        db.atomic(() -> {
            insert(1);
            db.onCommit(() -> {
                throw mailDown;
            }, true);
            db.onCommit(() -> ran.add("next"));
        });
        assertThat(ran).containsExactly("next");
        assertThat(committedIds()).containsExactly(1);
    }
}
