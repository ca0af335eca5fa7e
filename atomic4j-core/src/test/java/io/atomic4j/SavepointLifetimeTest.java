package io.atomic4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.atomic4j.testing.TestDatabase;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A savepoint taken with savepoint() ends with the block or transaction it was taken in. These
 * cases reach it from where every other check passes (same thread, same depth, same connection),
 * so only its end can refuse it: a sibling block at the same depth, or the next manual
 * transaction on the same connection.
 */
class SavepointLifetimeTest extends DatabaseTestBase {

    private void assertRefusedAsEnded(Savepoint savepoint, boolean rollback) {
        assertThatThrownBy(() -> {
            if (rollback) {
                db.savepointRollback(savepoint);
            } else {
                db.savepointCommit(savepoint);
            }
        }).isInstanceOf(TransactionManagementException.class)
                .hasMessageContaining("'" + savepoint.name() + "'")
                .hasMessageContaining("database '" + db.alias() + "'")
                .hasMessageContaining("ended with its block or transaction");
    }

    @EveryDatabase
    void savepointOfACommittedNestedBlockIsRefusedInASiblingBlock(TestDatabase database) throws SQLException {
        use(database);
        AtomicReference<Savepoint> taken = new AtomicReference<>();
        db.atomic(() -> {
            insert(1);
            db.atomic(() -> {
                insert(2);
                taken.set(db.savepoint());
                insert(3);
            });
            db.atomic(() -> {
                assertRefusedAsEnded(taken.get(), true);
                insert(4);
            });
        });
        assertThat(committedIds()).containsExactly(1, 2, 3, 4);
    }

    @EveryDatabase
    void savepointOfANestedBlockWithoutSavepointIsRefusedInASiblingBlock(TestDatabase database) throws SQLException {
        use(database);
        AtomicReference<Savepoint> taken = new AtomicReference<>();
        AtomicOptions noSavepoint = AtomicOptions.defaults().savepoint(false);
        db.atomic(() -> {
            insert(1);
            db.atomic(noSavepoint, () -> {
                insert(2);
                taken.set(db.savepoint());
            });
            db.atomic(noSavepoint, () -> assertRefusedAsEnded(taken.get(), false));
        });
        assertThat(committedIds()).containsExactly(1, 2);
    }

    @EveryDatabase
    void savepointOfARolledBackNestedBlockIsRefusedInASiblingBlock(TestDatabase database) throws SQLException {
        use(database);
        AtomicReference<Savepoint> taken = new AtomicReference<>();
        db.atomic(() -> {
            insert(1);
            assertThatThrownBy(() -> db.atomic(() -> {
                insert(2);
                taken.set(db.savepoint());
                throw new IllegalStateException("nested block fails");
            })).hasMessage("nested block fails");
            db.atomic(() -> {
                assertRefusedAsEnded(taken.get(), true);
                insert(3);
            });
        });
        assertThat(committedIds()).containsExactly(1, 3);
    }

    @EveryDatabase
    void savepointIsRefusedAfterItsManualTransactionCommitted(TestDatabase database) throws SQLException {
        use(database);
        db.setAutoCommit(false);
        try {
            insert(1);
            Savepoint savepoint = db.savepoint();
            insert(2);
            db.commit();
            assertRefusedAsEnded(savepoint, true);
            insert(3);
            db.commit();
        } finally {
            db.setAutoCommit(true);
        }
        assertThat(committedIds()).containsExactly(1, 2, 3);
    }

    @EveryDatabase
    void savepointIsRefusedAfterItsManualTransactionRolledBack(TestDatabase database) throws SQLException {
        use(database);
        db.setAutoCommit(false);
        try {
            insert(1);
            db.commit();
            Savepoint savepoint = db.savepoint();
            insert(2);
            db.rollback();
            insert(3);
            assertRefusedAsEnded(savepoint, false);
            db.commit();
        } finally {
            db.setAutoCommit(true);
        }
        assertThat(committedIds()).containsExactly(1, 3);
    }

    @EveryDatabase
    void committingASavepointEndsTheSavepointsTakenAfterIt(TestDatabase database) throws SQLException {
        use(database);
        db.atomic(() -> {
            Savepoint first = db.savepoint();
            insert(1);
            Savepoint second = db.savepoint();
            insert(2);
            db.savepointCommit(first);
            assertRefusedAsEnded(second, true);
        });
        assertThat(committedIds()).containsExactly(1, 2);
    }

    @EveryDatabase
    void rollingBackToASavepointEndsTheSavepointsTakenAfterIt(TestDatabase database) throws SQLException {
        use(database);
        db.atomic(() -> {
            Savepoint first = db.savepoint();
            insert(1);
            Savepoint second = db.savepoint();
            insert(2);
            db.savepointRollback(first);
            assertRefusedAsEnded(second, true);
            insert(3);
            db.savepointRollback(first);   // the savepoint rolled back to stays open
            insert(4);
        });
        assertThat(committedIds()).containsExactly(4);
    }

    @EveryDatabase
    void savepointCommitIsRefusedInABrokenTransaction(TestDatabase database) throws SQLException {
        use(database);
        assertThatThrownBy(() -> db.atomic(() -> {
            Savepoint savepoint = db.savepoint();
            insert(1);
            assertThatThrownBy(() -> insert(1)).isInstanceOf(SQLException.class);
            assertThatThrownBy(() -> db.savepointCommit(savepoint)).isInstanceOf(TransactionManagementException.class)
                    .hasMessageContaining("You can't execute queries");
        })).isInstanceOf(TransactionManagementException.class);
        assertThat(committedIds()).isEmpty();
    }

    @EveryDatabase
    void aSavepointOfTheOuterBlockOutlivesTheNestedBlocksThatEndAfterIt(TestDatabase database) throws SQLException {
        use(database);
        db.atomic(() -> {
            insert(1);
            Savepoint outer = db.savepoint();
            insert(2);
            db.atomic(() -> insert(3));
            assertThatThrownBy(() -> db.atomic(() -> {
                insert(4);
                throw new IllegalStateException("inner fails");
            })).hasMessage("inner fails");
            db.savepointRollback(outer);   // still the outer block's, after one nested block committed and one rolled back
            insert(5);
        });
        assertThat(committedIds()).containsExactly(1, 5);
    }
}
