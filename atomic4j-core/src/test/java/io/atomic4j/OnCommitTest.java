package io.atomic4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.atomic4j.testing.TestDatabase;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** Django's tests/transaction_hooks: onCommit runs only after the outermost commit, never for rolled-back work. */
class OnCommitTest extends DatabaseTestBase {
    final List<Integer> notified = new ArrayList<>();

    /** Django's do(n): write row n and register a hook that notifies n. */
    void work(int n) throws SQLException {
        insert(n);
        db.onCommit(() -> notified.add(n));
    }

    @EveryDatabase
    void runsAtOnceOutsideABlock(TestDatabase database) throws SQLException {
        use(database);
        work(1);
        assertThat(notified).containsExactly(1);
    }

    @EveryDatabase
    void robustHookFailureOutsideABlockIsLoggedAndWorkContinues(TestDatabase database) throws SQLException {
        use(database);
        db.onCommit(() -> {
            throw new IllegalStateException("robust callback");
        }, true);
        work(2);
        assertThat(notified).containsExactly(2);
    }

    @EveryDatabase
    void robustHookFailureAfterCommitDoesNotStopTheOthers(TestDatabase database) throws SQLException {
        use(database);
        db.atomic(() -> {
            db.onCommit(() -> {
                throw new IllegalStateException("robust callback");
            }, true);
            work(2);
        });
        assertThat(notified).containsExactly(2);
    }

    @EveryDatabase
    void delaysExecutionUntilAfterCommit(TestDatabase database) throws SQLException {
        use(database);
        db.atomic(() -> {
            work(1);
            assertThat(notified).isEmpty();
        });
        assertThat(notified).containsExactly(1);
    }

    @EveryDatabase
    void doesNotRunIfTheTransactionRollsBack(TestDatabase database) throws SQLException {
        use(database);
        assertThatThrownBy(() -> db.atomic(() -> {
            work(1);
            throw new IllegalStateException("fail");
        })).isInstanceOf(IllegalStateException.class);
        assertThat(notified).isEmpty();
    }

    @EveryDatabase
    void runsOnlyAfterTheOutermostCommit(TestDatabase database) throws SQLException {
        use(database);
        db.atomic(() -> {
            db.atomic(() -> work(1));
            assertThat(notified).isEmpty();
        });
        assertThat(notified).containsExactly(1);
    }

    @EveryDatabase
    void discardsHooksFromARolledBackSavepoint(TestDatabase database) throws SQLException {
        use(database);
        db.atomic(() -> {
            db.atomic(() -> work(1));
            assertThatThrownBy(() -> db.atomic(() -> {
                work(2);
                throw new IllegalStateException("fail");
            })).isInstanceOf(IllegalStateException.class);
            db.atomic(() -> work(3));
        });
        assertThat(notified).containsExactly(1, 3);
        assertThat(ids()).containsExactly(1, 3);
    }

    @EveryDatabase
    void noHooksRunFromAFailedTransaction(TestDatabase database) throws SQLException {
        use(database);
        assertThatThrownBy(() -> db.atomic(() -> {
            db.atomic(() -> work(1));
            throw new IllegalStateException("fail");
        })).isInstanceOf(IllegalStateException.class);
        assertThat(notified).isEmpty();
    }

    @EveryDatabase
    void innerSavepointHooksAreDroppedWithTheirRolledBackParent(TestDatabase database) throws SQLException {
        use(database);
        db.atomic(() -> {
            assertThatThrownBy(() -> db.atomic(() -> {
                db.atomic(() -> work(1));
                throw new IllegalStateException("fail");
            })).isInstanceOf(IllegalStateException.class);
            work(2);
        });
        assertThat(notified).containsExactly(2);
    }

    @EveryDatabase
    void failedMergedBlockDropsTheHooksOfTheBlockThatRollsBack(TestDatabase database) throws SQLException {
        use(database);
        db.atomic(() -> {
            assertThatThrownBy(() -> db.atomic(() -> {
                work(1);
                assertThatThrownBy(() -> db.atomic(AtomicOptions.defaults().savepoint(false), () -> {
                    work(2);
                    throw new IllegalStateException("fail");
                })).isInstanceOf(IllegalStateException.class);
            })).isInstanceOf(TransactionManagementException.class);
            work(3);
        });
        assertThat(notified).containsExactly(3);
    }

    @EveryDatabase
    void caughtInnerFailureDoesNotDropTheEnclosingBlocksHooks(TestDatabase database) throws SQLException {
        use(database);
        db.atomic(() -> {
            work(1);
            assertThatThrownBy(() -> db.atomic(() -> {
                work(2);
                throw new IllegalStateException("fail");
            })).isInstanceOf(IllegalStateException.class);
        });
        assertThat(notified).containsExactly(1);
    }

    @EveryDatabase
    void runsInRegistrationOrder(TestDatabase database) throws SQLException {
        use(database);
        db.atomic(() -> {
            work(1);
            db.atomic(() -> work(2));
            work(3);
        });
        assertThat(notified).containsExactly(1, 2, 3);
    }

    @EveryDatabase
    void hooksAreClearedAfterACommit(TestDatabase database) throws SQLException {
        use(database);
        db.atomic(() -> work(1));
        db.atomic(() -> work(2));
        assertThat(notified).containsExactly(1, 2);
    }

    @EveryDatabase
    void hooksAreClearedAfterARollback(TestDatabase database) throws SQLException {
        use(database);
        assertThatThrownBy(() -> db.atomic(() -> {
            work(1);
            throw new IllegalStateException("fail");
        })).isInstanceOf(IllegalStateException.class);
        db.atomic(() -> work(2));
        assertThat(notified).containsExactly(2);
    }

    @EveryDatabase
    void failingHookSurfacesAsOnCommitFailedAfterTheCommitAndTheQueueIsCleared(TestDatabase database) throws SQLException {
        use(database);
        IllegalStateException hookFailure = new IllegalStateException("hook failed");
        assertThatThrownBy(() -> db.atomic(() -> {
            work(1);
            db.onCommit(() -> {
                throw hookFailure;
            });
            work(2);
        })).isInstanceOf(OnCommitFailedException.class).hasCause(hookFailure)
                .hasMessageContaining("committed").hasMessageContaining("'default'");
        assertThat(notified).containsExactly(1);
        assertThat(committedIds()).containsExactly(1, 2);
        db.atomic(() -> work(3));
        assertThat(notified).containsExactly(1, 3);
    }

    @EveryDatabase
    void hooksCanQueryAndSeeTheCommittedData(TestDatabase database) throws SQLException {
        use(database);
        List<List<Integer>> seen = new ArrayList<>();
        db.atomic(() -> {
            insert(1);
            db.onCommit(() -> {
                try {
                    seen.add(ids());
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
        });
        assertThat(seen).containsExactly(List.of(1));
    }

    @EveryDatabase
    void hooksCanOpenTheirOwnTransaction(TestDatabase database) throws SQLException {
        use(database);
        db.atomic(() -> {
            insert(1);
            db.onCommit(() -> {
                try {
                    db.atomic(() -> insert(2));
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
        });
        assertThat(committedIds()).containsExactly(1, 2);
    }

    @EveryDatabase
    void hooksRegisteringHooksRunDepthFirst(TestDatabase database) throws SQLException {
        use(database);
        db.atomic(() -> {
            for (int i = 1; i <= 2; i++) {
                int n = i;
                db.onCommit(() -> {
                    notified.add(n);
                    try {
                        db.atomic(() -> work(n + 10));
                    } catch (SQLException e) {
                        throw new IllegalStateException(e);
                    }
                });
            }
        });
        assertThat(notified).containsExactly(1, 11, 2, 12);
    }

    @EveryDatabase
    void isRefusedInManualTransactionManagement(TestDatabase database) throws SQLException {
        use(database);
        db.setAutoCommit(false);
        try {
            assertThatThrownBy(() -> db.onCommit(() -> notified.add(1)))
                    .isInstanceOf(TransactionManagementException.class)
                    .hasMessageContaining("onCommit() cannot be used in manual transaction management");
            assertThat(notified).isEmpty();
        } finally {
            db.rollback();
            db.setAutoCommit(true);
        }
    }

    @EveryDatabase
    void nullCallbackIsRefused(TestDatabase database) throws SQLException {
        use(database);
        assertThatThrownBy(() -> db.onCommit(null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("onCommit() needs a callback");
    }

    @EveryDatabase
    void hooksOfABlockWithoutStatementsRunToo(TestDatabase database) throws SQLException {
        use(database);
        db.atomic(() -> db.onCommit(() -> notified.add(1)));
        assertThat(notified).containsExactly(1);
    }

    @EveryDatabase
    void manualSavepointRollbackDiscardsHooksRegisteredSinceBeyondDjango(TestDatabase database) throws SQLException {
        use(database);
        db.atomic(() -> {
            work(1);
            Savepoint sid = db.savepoint();
            work(2);
            db.savepointRollback(sid);
            work(3);
        });
        assertThat(notified).containsExactly(1, 3);
        assertThat(ids()).containsExactly(1, 3);
    }

    @EveryDatabase
    void hooksOfAManualTransactionRunAfterCommit(TestDatabase database) throws SQLException {
        use(database);
        db.setAutoCommit(false);
        try {
            db.atomic(() -> work(1));
            assertThat(notified).isEmpty();
            db.commit();
            assertThat(notified).containsExactly(1);
            db.atomic(() -> work(2));
            db.rollback();
            assertThat(notified).containsExactly(1);
        } finally {
            db.setAutoCommit(true);
        }
        assertThat(committedIds()).containsExactly(1);
    }
}
