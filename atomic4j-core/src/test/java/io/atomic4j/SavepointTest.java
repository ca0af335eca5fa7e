package io.atomic4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.atomic4j.testing.TestDatabase;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Django's savepoint API: savepoint(), savepointCommit(), savepointRollback(), cleanSavepoints(). */
class SavepointTest extends DatabaseTestBase {

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
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
    @ParameterizedTest
    @EnumSource(TestDatabase.class)
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

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
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

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
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

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void releasedSavepointCannotBeUsedAgain(TestDatabase database) throws SQLException {
        use(database);
        db.atomic(() -> {
            Savepoint sid = db.savepoint();
            db.savepointCommit(sid);
            assertThatThrownBy(() -> db.savepointRollback(sid)).isInstanceOf(TransactionManagementException.class)
                    .hasMessageContaining(sid.name()).hasMessageContaining("already released");
        });
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
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

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void savepointOfAnEnclosingBlockIsRefusedInsideANestedBlock(TestDatabase database) throws SQLException {
        use(database);
        db.atomic(() -> {
            Savepoint outer = db.savepoint();
            db.atomic(() -> assertThatThrownBy(() -> db.savepointRollback(outer))
                    .isInstanceOf(TransactionManagementException.class).hasMessageContaining("enclosing block"));
        });
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void savepointOfAnotherThreadIsRefused(TestDatabase database) throws Exception {
        use(database);
        AtomicReference<Savepoint> other = new AtomicReference<>();
        Thread thread = new Thread(() -> db.atomic(() -> other.set(db.savepoint())));
        thread.start();
        thread.join();
        db.atomic(() -> assertThatThrownBy(() -> db.savepointRollback(other.get()))
                .isInstanceOf(TransactionManagementException.class).hasMessageContaining("another thread"));
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
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

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void savepointIsRefusedInABrokenTransaction(TestDatabase database) throws SQLException {
        use(database);
        assertThatThrownBy(() -> db.atomic(() -> {
            insert(1);
            assertThatThrownBy(() -> insert(1)).isInstanceOf(SQLException.class);
            assertThatThrownBy(db::savepoint).isInstanceOf(TransactionManagementException.class)
                    .hasMessageContaining("You can't execute queries");
        })).isInstanceOf(TransactionManagementException.class);
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
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
    @ParameterizedTest
    @EnumSource(TestDatabase.class)
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

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
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
