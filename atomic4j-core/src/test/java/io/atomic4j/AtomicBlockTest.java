package io.atomic4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.atomic4j.testing.TestDatabase;
import java.io.IOException;
import java.sql.SQLException;

/**
 * Django's AtomicTests (tests/transactions): commit and rollback of blocks, nested blocks as
 * savepoints, merged blocks (savepoint(false)), the rollback flag. Re-run unchanged inside an
 * open block ({@link AtomicBlockInsideTransactionTest}) and in a manual transaction
 * ({@link AtomicBlockWithoutAutocommitTest}).
 */
class AtomicBlockTest extends DatabaseTestBase {
    static final class Boom extends RuntimeException {
        Boom() {
            super("boom");
        }
    }

    @EveryDatabase
    void normalExitCommits(TestDatabase database) throws SQLException {
        use(database);
        db.atomic(() -> insert(1));
        assertThat(ids()).containsExactly(1);
    }

    @EveryDatabase
    void exceptionRollsBackAndIsRethrownUnchanged(TestDatabase database) throws SQLException {
        use(database);
        Boom boom = new Boom();
        assertThatThrownBy(() -> db.atomic(() -> {
            insert(1);
            throw boom;
        })).isSameAs(boom);
        assertThat(ids()).isEmpty();
    }

    @EveryDatabase
    void checkedExceptionPassesThroughUnchanged(TestDatabase database) throws SQLException {
        use(database);
        IOException io = new IOException("disk");
        assertThatThrownBy(() -> db.<Exception>atomic(() -> {
            insert(1);
            throw io;
        })).isSameAs(io);
        assertThat(ids()).isEmpty();
    }

    @EveryDatabase
    void valueReturningBlockReturnsTheValue(TestDatabase database) throws SQLException {
        use(database);
        int id = db.atomic(() -> {
            insert(7);
            return 7;
        });
        assertThat(id).isEqualTo(7);
        assertThat(ids()).containsExactly(7);
    }

    @EveryDatabase
    void nestedCommitCommit(TestDatabase database) throws SQLException {
        use(database);
        db.atomic(() -> {
            insert(1);
            db.atomic(() -> insert(2));
        });
        assertThat(ids()).containsExactly(1, 2);
    }

    @EveryDatabase
    void nestedFailureCaughtByOuterRollsBackOnlyTheInnerBlock(TestDatabase database) throws SQLException {
        use(database);
        db.atomic(() -> {
            insert(1);
            assertThatThrownBy(() -> db.atomic(() -> {
                insert(2);
                throw new Boom();
            })).isInstanceOf(Boom.class);
        });
        assertThat(ids()).containsExactly(1);
    }

    @EveryDatabase
    void outerFailureRollsBackReleasedInnerBlock(TestDatabase database) throws SQLException {
        use(database);
        assertThatThrownBy(() -> db.atomic(() -> {
            insert(1);
            db.atomic(() -> insert(2));
            throw new Boom();
        })).isInstanceOf(Boom.class);
        assertThat(ids()).isEmpty();
    }

    @EveryDatabase
    void nestedRollbackRollback(TestDatabase database) throws SQLException {
        use(database);
        assertThatThrownBy(() -> db.atomic(() -> {
            insert(1);
            assertThatThrownBy(() -> db.atomic(() -> {
                insert(2);
                throw new Boom();
            })).isInstanceOf(Boom.class);
            throw new Boom();
        })).isInstanceOf(Boom.class);
        assertThat(ids()).isEmpty();
    }

    @EveryDatabase
    void mergedCommitCommit(TestDatabase database) throws SQLException {
        use(database);
        db.atomic(() -> {
            insert(1);
            db.atomic(AtomicOptions.defaults().savepoint(false), () -> insert(2));
        });
        assertThat(ids()).containsExactly(1, 2);
    }

    @EveryDatabase
    void mergedFailureCaughtByOuterRollsBackTheOuterToo(TestDatabase database) throws SQLException {
        use(database);
        assertThatThrownBy(() -> db.atomic(() -> {
            insert(1);
            assertThatThrownBy(() -> db.atomic(AtomicOptions.defaults().savepoint(false), () -> {
                insert(2);
                throw new Boom();
            })).isInstanceOf(Boom.class);
        })).isInstanceOf(TransactionManagementException.class).hasCauseInstanceOf(Boom.class)
                .hasMessageContaining("rolled back, not committed");
        assertThat(ids()).isEmpty();
    }

    @EveryDatabase
    void mergedRollbackCommit(TestDatabase database) throws SQLException {
        use(database);
        assertThatThrownBy(() -> db.atomic(() -> {
            insert(1);
            db.atomic(AtomicOptions.defaults().savepoint(false), () -> insert(2));
            throw new Boom();
        })).isInstanceOf(Boom.class);
        assertThat(ids()).isEmpty();
    }

    @EveryDatabase
    void mergedFailureIsAbsorbedByTheNearestBlockWithASavepoint(TestDatabase database) throws SQLException {
        use(database);
        db.atomic(() -> {
            insert(1);
            assertThatThrownBy(() -> db.atomic(() -> {
                insert(2);
                db.atomic(AtomicOptions.defaults().savepoint(false), () -> {
                    insert(3);
                    assertThatThrownBy(() -> db.atomic(AtomicOptions.defaults().savepoint(false), () -> {
                        insert(4);
                        throw new Boom();
                    })).isInstanceOf(Boom.class);
                });
            })).isInstanceOf(TransactionManagementException.class).hasCauseInstanceOf(Boom.class);
        });
        assertThat(ids()).containsExactly(1);
    }

    @EveryDatabase
    void oneOptionsObjectServesOuterAndInnerBlocks(TestDatabase database) throws SQLException {
        use(database);
        AtomicOptions reused = AtomicOptions.defaults();
        db.atomic(reused, () -> {
            insert(1);
            assertThatThrownBy(() -> db.atomic(reused, () -> {
                insert(2);
                throw new Boom();
            })).isInstanceOf(Boom.class);
            db.atomic(reused, () -> insert(3));
        });
        assertThat(ids()).containsExactly(1, 3);
    }

    @EveryDatabase
    void setRollbackTrueRollsBackSilently(TestDatabase database) throws SQLException {
        use(database);
        db.atomic(() -> {
            insert(1);
            assertThat(db.getRollback()).isFalse();
            db.setRollback(true);
            assertThat(db.getRollback()).isTrue();
        });
        assertThat(ids()).isEmpty();
    }

    @EveryDatabase
    void setRollbackInNestedBlockRollsBackOnlyThatBlock(TestDatabase database) throws SQLException {
        use(database);
        db.atomic(() -> {
            insert(1);
            db.atomic(() -> {
                insert(2);
                db.setRollback(true);
            });
            assertThat(db.getRollback()).isFalse();
        });
        assertThat(ids()).containsExactly(1);
    }

    @EveryDatabase
    void setRollbackFalseAfterRollingBackToASavepointPreventsTheRollback(TestDatabase database) throws SQLException {
        use(database);
        db.atomic(() -> {
            insert(1);
            Savepoint sid = db.savepoint();
            assertThatThrownBy(() -> db.atomic(AtomicOptions.defaults().savepoint(false), () -> insert(1)))
                    .isInstanceOf(SQLException.class);
            assertThat(db.getRollback()).isTrue();
            db.setRollback(false);
            db.savepointRollback(sid);
        });
        assertThat(ids()).containsExactly(1);
    }

    @EveryDatabase
    void scopeCommitsWhenCompleted(TestDatabase database) throws SQLException {
        use(database);
        try (AtomicScope scope = db.begin()) {
            insert(1);
            scope.complete();
        }
        assertThat(ids()).containsExactly(1);
    }

    @EveryDatabase
    void scopeRollsBackWhenClosedWithoutComplete(TestDatabase database) throws SQLException {
        use(database);
        assertThatThrownBy(() -> {
            try (AtomicScope scope = db.begin()) {
                insert(1);
                throw new Boom();
            }
        }).isInstanceOf(Boom.class);
        try (AtomicScope scope = db.begin()) {
            insert(2);
        }
        assertThat(ids()).isEmpty();
    }

    @EveryDatabase
    void nestedScopesActAsSavepoints(TestDatabase database) throws SQLException {
        use(database);
        try (AtomicScope outer = db.begin()) {
            insert(1);
            try (AtomicScope inner = db.begin()) {
                insert(2);
            }
            outer.complete();
        }
        assertThat(ids()).containsExactly(1);
    }
}
