package io.atomic4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.atomic4j.testing.TestDatabase;
import java.sql.SQLException;

/** Corners of a block's exit: a failing body over a scope left open, setRollback after a swallowed error, independent scopes. */
class BlockEdgeCasesTest extends DatabaseTestBase {

    @EveryDatabase
    void aFailingBodyThatLeftAScopeOpenThrowsItsOwnErrorWithTheLeftOpenScopeSuppressed(TestDatabase database)
            throws SQLException {
        use(database);
        IllegalStateException bodyError = new IllegalStateException("body fails");
        Throwable thrown = catchThrowable(() -> db.atomic(() -> {
            insert(1);
            db.begin();   // never closed
            insert(2);
            throw bodyError;
        }));
        assertThat(thrown).isSameAs(bodyError);
        assertThat(bodyError.getSuppressed()).singleElement().isInstanceOf(TransactionManagementException.class)
                .extracting(Throwable::getMessage).asString().contains("still open");
        assertThat(committedIds()).isEmpty();
    }

    /** An explicit request rolls back silently (as in Django), also when it follows a swallowed failure. */
    @EveryDatabase
    void setRollbackAfterASwallowedFailureRollsBackSilently(TestDatabase database) throws SQLException {
        use(database);
        db.atomic(() -> {
            insert(1);
            assertThatThrownBy(() -> insert(1)).isInstanceOf(SQLException.class);
            db.setRollback(true);
        });
        assertThat(committedIds()).isEmpty();
    }

    @EveryDatabase
    void anIndependentScopeCommitsOnItsOwnAndSurvivesTheOuterRollback(TestDatabase database) throws SQLException {
        use(database);
        assertThatThrownBy(() -> db.atomic(() -> {
            try (AtomicScope independent = db.begin(AtomicOptions.defaults().independent(true))) {
                insert(100);
                independent.complete();
            }
            insert(1);
            throw new IllegalStateException("outer fails");
        })).hasMessage("outer fails");
        assertThat(committedIds()).containsExactly(100);
    }

    /**
     * Django resets the rollback mark when an outermost block is entered, also in a manual
     * transaction: a failed savepoint(false) block there does not refuse the next block.
     */
    @EveryDatabase
    void aBlockInAManualTransactionStartsWithoutTheMarkAnEarlierBlockLeft(TestDatabase database)
            throws SQLException {
        use(database);
        db.setAutoCommit(false);
        try {
            insert(1);
            assertThatThrownBy(() -> db.atomic(AtomicOptions.defaults().savepoint(false), () -> {
                throw new IllegalStateException("merged block fails");
            })).hasMessage("merged block fails");
            db.atomic(() -> {
                assertThat(db.getRollback()).isFalse();
                insert(2);
            });
            db.commit();
        } finally {
            db.setAutoCommit(true);
        }
        assertThat(committedIds()).containsExactly(1, 2);
    }
}
