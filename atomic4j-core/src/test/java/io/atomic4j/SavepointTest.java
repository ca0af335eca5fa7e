package io.atomic4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.atomic4j.testing.TestDatabase;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicReference;

/** Django's savepoint API: savepoint(), savepointCommit(), savepointRollback(), cleanSavepoints(). */
class SavepointTest extends DatabaseTestBase {

    @EveryDatabase
    void savepointIsNullInAutocommitOutsideABlock(TestDatabase database) throws SQLException {
        use(database);
        Savepoint sid = db.savepoint();
        assertThat(sid).isNull();
        db.savepointCommit(sid);
        db.savepointRollback(sid);
        insert(1);
        assertThat(ids()).containsExactly(1);
    }

    /** The seed: a; sid = savepoint(); try b / catch: savepointRollback(sid); c — commits a and c. */
    @EveryDatabase
    void manualSavepointKeepsAAndDropsB(TestDatabase database) throws SQLException {
        use(database);
        db.atomic(() -> {
            insert(1);                          // a
            Savepoint sid = db.savepoint();
            try {
                insert(2);                      // b
                insert(1);                      // b fails: duplicate key
            } catch (SQLException e) {
                db.savepointRollback(sid);
            }
            insert(3);                          // c
        });
        assertThat(committedIds()).containsExactly(1, 3);
    }

    @EveryDatabase
    void savepointCommitKeepsTheWork(TestDatabase database) throws SQLException {
        use(database);
        db.atomic(() -> {
            Savepoint sid = db.savepoint();
            insert(1);
            db.savepointCommit(sid);
            insert(2);
        });
        assertThat(ids()).containsExactly(1, 2);
    }

    @EveryDatabase
    void rollingBackToASavepointKeepsItForAnotherRollback(TestDatabase database) throws SQLException {
        use(database);
        db.atomic(() -> {
            Savepoint sid = db.savepoint();
            insert(1);
            db.savepointRollback(sid);
            insert(2);
            db.savepointRollback(sid);
            insert(3);
        });
        assertThat(ids()).containsExactly(3);
    }

    @EveryDatabase
    void releasedSavepointCannotBeUsedAgain(TestDatabase database) throws SQLException {
        use(database);
        db.atomic(() -> {
            Savepoint sid = db.savepoint();
            db.savepointCommit(sid);
            assertThatThrownBy(() -> db.savepointRollback(sid)).isInstanceOf(TransactionManagementException.class)
                    .hasMessageContaining(sid.name()).hasMessageContaining("already released");
        });
    }

    @EveryDatabase
    void savepointOfAnEndedBlockIsRefused(TestDatabase database) throws SQLException {
        use(database);
        AtomicReference<Savepoint> inner = new AtomicReference<>();
        db.atomic(() -> {
            db.atomic(() -> inner.set(db.savepoint()));
            assertThatThrownBy(() -> db.savepointRollback(inner.get()))
                    .isInstanceOf(TransactionManagementException.class).hasMessageContaining("not open");
        });
        db.atomic(() -> assertThatThrownBy(() -> db.savepointRollback(inner.get()))
                .isInstanceOf(TransactionManagementException.class));
    }

    @EveryDatabase
    void savepointOfAnEnclosingBlockIsRefusedInsideANestedBlock(TestDatabase database) throws SQLException {
        use(database);
        db.atomic(() -> {
            Savepoint outer = db.savepoint();
            db.atomic(() -> assertThatThrownBy(() -> db.savepointRollback(outer))
                    .isInstanceOf(TransactionManagementException.class).hasMessageContaining("enclosing block"));
        });
    }

    @EveryDatabase
    void savepointOfAnotherThreadIsRefused(TestDatabase database) throws Exception {
        use(database);
        AtomicReference<Savepoint> other = new AtomicReference<>();
        Thread thread = new Thread(() -> db.atomic(() -> other.set(db.savepoint())));
        thread.start();
        thread.join();
        db.atomic(() -> assertThatThrownBy(() -> db.savepointRollback(other.get()))
                .isInstanceOf(TransactionManagementException.class).hasMessageContaining("another thread"));
    }

    @EveryDatabase
    void savepointRollbackAfterAFailureClearsTheMarkBeyondDjango(TestDatabase database) throws SQLException {
        use(database);
        db.atomic(() -> {
            insert(1);
            Savepoint sid = db.savepoint();
            assertThatThrownBy(() -> insert(1)).isInstanceOf(SQLException.class);
            assertThat(db.getRollback()).isTrue();
            db.savepointRollback(sid);
            assertThat(db.getRollback()).isFalse();
            insert(2);
        });
        assertThat(committedIds()).containsExactly(1, 2);
    }

    @EveryDatabase
    void savepointIsRefusedInABrokenTransaction(TestDatabase database) throws SQLException {
        use(database);
        assertThatThrownBy(() -> db.atomic(() -> {
            insert(1);
            assertThatThrownBy(() -> insert(1)).isInstanceOf(SQLException.class);
            assertThatThrownBy(db::savepoint).isInstanceOf(TransactionManagementException.class)
                    .hasMessageContaining("You can't execute queries");
        })).isInstanceOf(TransactionManagementException.class);
    }

    @EveryDatabase
    void cleanSavepointsRestartsNamesOnlyWhenNoneIsOpen(TestDatabase database) throws SQLException {
        use(database);
        db.atomic(() -> {
            Savepoint first = db.savepoint();
            db.cleanSavepoints();
            Savepoint second = db.savepoint();
            assertThat(second.name()).isNotEqualTo(first.name());
            db.savepointRollback(first);
        });
        db.cleanSavepoints();
    }

    /** A failed block's savepoint may outlive the block (RoundTripTest); taking its name again must still work. */
    @EveryDatabase
    void savepointNameOfAFailedBlockCanBeTakenAgain(TestDatabase database) throws SQLException {
        use(database);
        db.setAutoCommit(false);
        try {
            insert(1);
            assertThatThrownBy(() -> db.atomic(() -> {
                insert(2);
                throw new IllegalStateException("undo the block");
            })).isInstanceOf(IllegalStateException.class);
            db.cleanSavepoints();
            Savepoint again = db.savepoint();
            assertThat(again.name()).isEqualTo("a4j_sp1");
            insert(3);
            db.savepointRollback(again);
            insert(4);
            db.savepointCommit(again);
            insert(5);
            db.commit();
        } finally {
            db.setAutoCommit(true);
        }
        assertThat(committedIds()).containsExactly(1, 4, 5);
    }

    @EveryDatabase
    void manualSavepointsWorkInAManualTransaction(TestDatabase database) throws SQLException {
        use(database);
        db.setAutoCommit(false);
        try {
            insert(1);
            Savepoint sid = db.savepoint();
            assertThat(sid).isNotNull();
            insert(2);
            db.savepointRollback(sid);
            db.commit();
        } finally {
            db.setAutoCommit(true);
        }
        assertThat(committedIds()).containsExactly(1);
    }
}
