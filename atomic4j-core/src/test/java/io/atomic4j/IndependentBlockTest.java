package io.atomic4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.atomic4j.testing.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** {@code AtomicOptions.independent(true)}: a new transaction beside the open one (Spring's REQUIRES_NEW). */
class IndependentBlockTest extends DatabaseTestBase {
    private static final AtomicOptions INDEPENDENT = AtomicOptions.defaults().independent(true);
    private final List<String> events = new ArrayList<>();

    @EveryDatabase
    void commitsOnItsOwnAndSurvivesTheOuterRollback(TestDatabase database) throws SQLException {
        use(database);
        // The independent block writes before the outer one does: on SQLite (one writer) the other order would
        // wait for the outer transaction's write lock, which it keeps while suspended.
        assertThatThrownBy(() -> db.atomic(() -> {
            db.atomic(INDEPENDENT, () -> {
                insert(100);
                db.onCommit(() -> events.add("independent committed"));
            });
            assertThat(events).containsExactly("independent committed");
            assertThat(db.inAtomicBlock()).isTrue();
            insert(1);
            throw new IllegalStateException("outer fails");
        })).hasMessage("outer fails");
        assertThat(committedIds()).containsExactly(100);
    }

    @EveryDatabase
    void itsFailureLeavesTheOuterTransactionUntouched(TestDatabase database) throws SQLException {
        use(database);
        db.atomic(() -> {
            assertThatThrownBy(() -> db.atomic(INDEPENDENT, () -> {
                insert(100);
                throw new IllegalStateException("audit failed");
            })).hasMessage("audit failed");
            insert(1);
            insert(2);
        });
        assertThat(committedIds()).containsExactly(1, 2);
    }

    @EveryDatabase
    void aConnectionOfTheSuspendedTransactionIsRefusedInsideIt(TestDatabase database) throws SQLException {
        use(database);
        db.atomic(() -> {
            Connection outer = db.connection();
            insert(1);
            db.atomic(INDEPENDENT, () -> assertThatThrownBy(outer::createStatement)
                    .isInstanceOf(TransactionManagementException.class).hasMessageContaining("suspended transaction"));
            insert(2);   // resumed: the outer connection works again
        });
        assertThat(committedIds()).containsExactly(1, 2);
    }

    @EveryDatabase
    void outsideABlockItIsAPlainBlock(TestDatabase database) throws SQLException {
        use(database);
        db.atomic(INDEPENDENT, () -> insert(1));
        assertThat(committedIds()).containsExactly(1);
    }

    @EveryDatabase
    void theScopeFormResumesTheOuterTransactionWhenItCloses(TestDatabase database) throws SQLException {
        use(database);
        db.atomic(() -> {
            try (AtomicScope scope = db.begin(INDEPENDENT)) {
                insert(100);
                scope.complete();
            }
            insert(1);
            assertThat(ids()).containsExactly(1, 100);
            insert(2);
        });
        assertThat(committedIds()).containsExactly(1, 2, 100);
    }
}
