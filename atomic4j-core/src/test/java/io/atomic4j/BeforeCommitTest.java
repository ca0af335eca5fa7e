package io.atomic4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.atomic4j.testing.TestDatabase;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** {@code beforeCommit}: inside the transaction, just before the outermost COMMIT (DESIGN.md, "Second wave"). */
class BeforeCommitTest extends DatabaseTestBase {
    private final List<String> events = new ArrayList<>();

    /** Hooks are Runnables: SQL inside one handles its SQLException. */
    private static Runnable unchecked(Block<SQLException> body) {
        return () -> {
            try {
                body.run();
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        };
    }

    @EveryDatabase
    void runsInRegistrationOrderInsideTheTransactionAfterNestedBlocksReleased(TestDatabase database) throws SQLException {
        use(database);
        db.atomic(() -> {
            db.beforeCommit(() -> events.add("first"));
            db.atomic(() -> {
                insert(1);
                db.beforeCommit(unchecked(() -> {
                    events.add("second sees " + ids());
                    insert(2);   // still inside the transaction: commits with it
                }));
            });
            db.onCommit(() -> events.add("onCommit"));
            events.add("body done");
        });
        assertThat(events).containsExactly("body done", "first", "second sees [1]", "onCommit");
        assertThat(committedIds()).containsExactly(1, 2);
    }

    @EveryDatabase
    void aThrowRollsTheWholeTransactionBackAndPropagates(TestDatabase database) throws SQLException {
        use(database);
        IllegalStateException flushFailed = new IllegalStateException("flush failed");
        assertThatThrownBy(() -> db.atomic(() -> {
            insert(1);
            db.onCommit(() -> events.add("onCommit"));
            db.onRollback(() -> events.add("onRollback"));
            db.beforeCommit(() -> {
                throw flushFailed;
            });
            db.beforeCommit(() -> events.add("never"));
        })).isSameAs(flushFailed);
        assertThat(events).containsExactly("onRollback");
        assertThat(committedIds()).isEmpty();
    }

    @EveryDatabase
    void aFailedStatementSwallowedInsideItStillRollsBack(TestDatabase database) throws SQLException {
        use(database);
        assertThatThrownBy(() -> db.atomic(() -> {
            insert(1);
            db.beforeCommit(() -> {
                try {
                    insert(1);   // duplicate key, caught
                } catch (SQLException swallowed) {
                    events.add("swallowed");
                }
            });
        })).isInstanceOf(TransactionManagementException.class).hasMessageContaining("rolled back, not committed");
        assertThat(events).containsExactly("swallowed");
        assertThat(committedIds()).isEmpty();
    }

    @EveryDatabase
    void isDiscardedWithARolledBackNestedBlock(TestDatabase database) throws SQLException {
        use(database);
        db.atomic(() -> {
            insert(1);
            assertThatThrownBy(() -> db.atomic(() -> {
                db.beforeCommit(() -> events.add("discarded"));
                throw new IllegalStateException("inner");
            })).hasMessage("inner");
            db.beforeCommit(() -> events.add("kept"));
        });
        assertThat(events).containsExactly("kept");
        assertThat(committedIds()).containsExactly(1);
    }

    @EveryDatabase
    void isRefusedOutsideABlock(TestDatabase database) throws SQLException {
        use(database);
        assertThatThrownBy(() -> db.beforeCommit(() -> events.add("never")))
                .isInstanceOf(TransactionManagementException.class).hasMessageContaining("needs an open atomic block");
        assertThat(events).isEmpty();
    }

    @EveryDatabase
    void inAManualTransactionRunsAtCommit(TestDatabase database) throws SQLException {
        use(database);
        db.setAutoCommit(false);
        try {
            db.atomic(() -> {
                insert(1);
                db.beforeCommit(() -> events.add("before commit"));
            });
            assertThat(events).isEmpty();
            db.commit();
            assertThat(events).containsExactly("before commit");
            assertThat(committedIds()).containsExactly(1);
        } finally {
            db.rollback();
            db.setAutoCommit(true);
        }
    }
}
