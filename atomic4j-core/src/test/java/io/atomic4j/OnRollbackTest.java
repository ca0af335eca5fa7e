package io.atomic4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.atomic4j.testing.TestDatabase;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** Beyond Django: onRollback runs when the work it belongs to is rolled back, newest first. */
class OnRollbackTest extends DatabaseTestBase {
    final List<String> undone = new ArrayList<>();

    @EveryDatabase
    void runsAfterTheTransactionRollsBackInReverseOrder(TestDatabase database) throws SQLException {
        use(database);
        assertThatThrownBy(() -> db.atomic(() -> {
            insert(1);
            db.onRollback(() -> undone.add("first"));
            db.onRollback(() -> undone.add("second"));
            throw new IllegalStateException("fail");
        })).isInstanceOf(IllegalStateException.class);
        assertThat(undone).containsExactly("second", "first");
    }

    @EveryDatabase
    void neverRunsWhenTheTransactionCommits(TestDatabase database) throws SQLException {
        use(database);
        db.atomic(() -> {
            db.atomic(() -> db.onRollback(() -> undone.add("inner")));
            db.onRollback(() -> undone.add("outer"));
        });
        assertThat(undone).isEmpty();
    }

    @EveryDatabase
    void runsWhenItsSavepointRollsBackWhileTheOuterBlockCommits(TestDatabase database) throws SQLException {
        use(database);
        db.atomic(() -> {
            db.onRollback(() -> undone.add("outer"));
            assertThatThrownBy(() -> db.atomic(() -> {
                db.onRollback(() -> undone.add("inner"));
                throw new IllegalStateException("fail");
            })).isInstanceOf(IllegalStateException.class);
            assertThat(undone).containsExactly("inner");
        });
        assertThat(undone).containsExactly("inner");
    }

    @EveryDatabase
    void runsForASilentRollbackRequestedWithSetRollback(TestDatabase database) throws SQLException {
        use(database);
        db.atomic(() -> {
            insert(1);
            db.onRollback(() -> undone.add("undo"));
            db.setRollback(true);
        });
        assertThat(undone).containsExactly("undo");
    }

    @EveryDatabase
    void isDroppedOutsideABlock(TestDatabase database) throws SQLException {
        use(database);
        db.onRollback(() -> undone.add("never"));
        db.atomic(() -> db.setRollback(true));
        assertThat(undone).isEmpty();
    }

    @EveryDatabase
    void failureOfARollbackHookIsAttachedToTheBodysException(TestDatabase database) throws SQLException {
        use(database);
        IllegalStateException body = new IllegalStateException("body");
        IllegalArgumentException hook = new IllegalArgumentException("hook");
        assertThatThrownBy(() -> db.atomic(() -> {
            db.onRollback(() -> {
                throw hook;
            });
            db.onRollback(() -> undone.add("still runs"));
            throw body;
        })).isSameAs(body).hasSuppressedException(hook);
        assertThat(undone).containsExactly("still runs");
    }

    @EveryDatabase
    void runsForAManualSavepointRollbackAndForRollback(TestDatabase database) throws SQLException {
        use(database);
        db.atomic(() -> {
            Savepoint sid = db.savepoint();
            db.onRollback(() -> undone.add("after savepoint"));
            db.savepointRollback(sid);
            assertThat(undone).containsExactly("after savepoint");
        });
        db.setAutoCommit(false);
        try {
            db.atomic(() -> db.onRollback(() -> undone.add("manual")));
            db.rollback();
        } finally {
            db.setAutoCommit(true);
        }
        assertThat(undone).containsExactly("after savepoint", "manual");
    }

    /** The seed: a model object changed inside a failed block gets its fields back. */
    @EveryDatabase
    void restoresAModelObjectChangedInsideAFailedBlock(TestDatabase database) throws SQLException {
        use(database);
        class Account {
            String status = "new";
            int balance = 100;
        }
        Account account = new Account();
        assertThatThrownBy(() -> db.atomic(() -> {
            String oldStatus = account.status;
            int oldBalance = account.balance;
            db.onRollback(() -> {
                account.status = oldStatus;
                account.balance = oldBalance;
            });
            account.status = "paid";
            account.balance -= 40;
            insert(1);
            throw new IllegalStateException("payment provider down");
        })).isInstanceOf(IllegalStateException.class);
        assertThat(account.status).isEqualTo("new");
        assertThat(account.balance).isEqualTo(100);
        assertThat(ids()).isEmpty();
    }
}
