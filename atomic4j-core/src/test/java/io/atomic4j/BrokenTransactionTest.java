package io.atomic4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.atomic4j.testing.TestDatabase;
import java.sql.SQLException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A failed statement inside a block marks it for rollback on every database (Django's
 * needs_rollback, enforced here for plain JDBC too): later statements are refused with Django's
 * message, and the block never commits half its work.
 */
class BrokenTransactionTest extends DatabaseTestBase {

    @EveryDatabase
    void statementAfterAFailedStatementIsRefusedWithDjangosMessage(TestDatabase database) throws SQLException {
        use(database);
        assertThatThrownBy(() -> db.atomic(() -> {
            insert(1);
            SQLException duplicate = null;
            try {
                insert(1);
            } catch (SQLException e) {
                duplicate = e;
            }
            assertThat((Object) duplicate).isNotNull();
            SQLException cause = duplicate;
            assertThatThrownBy(() -> insert(2))
                    .isInstanceOf(TransactionManagementException.class)
                    .hasMessageContaining("An error occurred in the current transaction. You can't execute queries "
                            + "until the end of the 'atomic' block.")
                    .hasMessageContaining("'default'")
                    .hasCause(cause);
        })).isInstanceOf(TransactionManagementException.class);
        assertThat(ids()).isEmpty();
    }

    @EveryDatabase
    void swallowedStatementErrorRollsBackAndThrowsOnExit(TestDatabase database) throws SQLException {
        use(database);
        assertThatThrownBy(() -> db.atomic(() -> {
            insert(1);
            try {
                insert(1);
            } catch (SQLException ignored) {
                // the seeds' classic pitfall: carry on as if nothing happened
            }
        })).isInstanceOf(TransactionManagementException.class)
                .hasMessageContaining("rolled back, not committed")
                .hasCauseInstanceOf(SQLException.class);
        assertThat(ids()).isEmpty();
        assertThat(committedIds()).isEmpty();
    }

    @EveryDatabase
    void failedStatementRethrownByTheBodyComesOutUnchanged(TestDatabase database) throws SQLException {
        use(database);
        SQLException[] seen = new SQLException[1];
        assertThatThrownBy(() -> db.atomic(() -> {
            insert(1);
            try {
                insert(1);
            } catch (SQLException e) {
                seen[0] = e;
                throw e;
            }
        })).isInstanceOf(SQLException.class).satisfies(thrown -> assertThat((Object) thrown).isSameAs(seen[0]));
        assertThat(SqlErrors.classify(seen[0])).isEqualTo(ErrorKind.INTEGRITY);
        assertThat(ids()).isEmpty();
    }

    @EveryDatabase
    void nestedBlockIsTheWayToTryAStatementAndCarryOn(TestDatabase database) throws SQLException {
        use(database);
        db.atomic(() -> {
            insert(1);
            assertThatThrownBy(() -> db.atomic(() -> insert(1))).isInstanceOf(SQLException.class);
            insert(2);
        });
        assertThat(ids()).containsExactly(1, 2);
    }

    @EveryDatabase
    void swallowedErrorInNestedBlockRollsBackThatBlockAndThrowsFromIt(TestDatabase database) throws SQLException {
        use(database);
        db.atomic(() -> {
            insert(1);
            assertThatThrownBy(() -> db.atomic(() -> {
                insert(2);
                try {
                    insert(2);
                } catch (SQLException ignored) {
                    // swallowed
                }
            })).isInstanceOf(TransactionManagementException.class).hasCauseInstanceOf(SQLException.class);
            insert(3);
        });
        assertThat(ids()).containsExactly(1, 3);
    }

    @EveryDatabase
    void markForRollbackOnErrorMarksTheBlock(TestDatabase database) throws SQLException {
        use(database);
        IllegalStateException failure = new IllegalStateException("validation");
        assertThatThrownBy(() -> db.atomic(() -> {
            insert(1);
            assertThatThrownBy(() -> db.markForRollbackOnError(() -> {
                throw failure;
            })).isSameAs(failure);
            assertThat(db.getRollback()).isTrue();
            assertThatThrownBy(() -> insert(2)).isInstanceOf(TransactionManagementException.class)
                    .hasMessageContaining("You can't execute queries until the end of the 'atomic' block");
        })).isInstanceOf(TransactionManagementException.class).hasCause(failure);
        assertThat(ids()).isEmpty();
    }

    @EveryDatabase
    void markForRollbackOnErrorOutsideABlockOnlyRethrows(TestDatabase database) throws SQLException {
        use(database);
        IllegalStateException failure = new IllegalStateException("validation");
        assertThatThrownBy(() -> db.markForRollbackOnError(() -> {
            throw failure;
        })).isSameAs(failure);
        insert(1);
        assertThat(ids()).containsExactly(1);
    }

    @EveryDatabase
    void setRollbackFalseLetsABlockCarryOnAfterAFailure(TestDatabase database) throws SQLException {
        use(database);
        db.atomic(() -> {
            insert(1);
            Savepoint beforeFailure = db.savepoint();
            assertThatThrownBy(() -> insert(1)).isInstanceOf(SQLException.class);
            db.setRollback(false);
            db.savepointRollback(beforeFailure);
            insert(2);
        });
        assertThat(ids()).containsExactly(1, 2);
    }

    @EveryDatabase
    void queriesWorkAgainAfterTheBrokenBlockEnds(TestDatabase database) throws SQLException {
        use(database);
        assertThatThrownBy(() -> db.atomic(() -> {
            insert(1);
            insert(1);
        })).isInstanceOf(SQLException.class);
        insert(5);
        db.atomic(() -> insert(6));
        assertThat(ids()).containsExactly(5, 6);
    }

    /**
     * Django's test_failure_on_exit_transaction: a savepoint that cannot be released breaks the
     * enclosing block. Not on H2, which releases an unknown savepoint without complaint.
     */
    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = "H2", mode = EnumSource.Mode.EXCLUDE)
    void failedReleaseOnExitRaisesAndTheOuterBlockRollsBack(TestDatabase database) throws SQLException {
        use(database);
        assertThatThrownBy(() -> db.atomic(() -> {
            insert(1);
            assertThatThrownBy(() -> db.atomic(() -> {
                insert(2);
                // Pull the block's savepoint from under it, on the driver's connection (the bound one refuses RELEASE).
                try (java.sql.Statement statement = physical(db.connection()).createStatement()) {
                    statement.execute("RELEASE SAVEPOINT a4j_sp1");
                }
            })).isInstanceOf(DatabaseException.class).hasMessageContaining("release savepoint a4j_sp1")
                    .hasMessageContaining("'default'");
            assertThat(db.getRollback()).isTrue();
            assertThatThrownBy(() -> insert(3)).isInstanceOf(TransactionManagementException.class);
        })).isInstanceOf(TransactionManagementException.class);
        assertThat(ids()).isEmpty();
    }

    /** The driver's connection behind a bound one: atomic4j hands it out nowhere, so the test takes it by reflection. */
    static java.sql.Connection physical(java.sql.Connection bound) {
        try {
            java.lang.reflect.Field delegate = bound.getClass().getSuperclass().getDeclaredField("delegate");
            delegate.setAccessible(true);
            return (java.sql.Connection) delegate.get(bound);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }
}
