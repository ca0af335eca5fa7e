package io.atomic4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.atomic4j.testing.TestDatabase;
import java.io.IOException;
import java.sql.SQLException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

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

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void normalExitCommits(TestDatabase database) throws SQLException {
        use(database);
        db.atomic(() -> insert(1));
        assertThat(ids()).containsExactly(1);
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void exceptionRollsBackAndIsRethrownUnchanged(TestDatabase database) throws SQLException {
        use(database);
        Boom boom = new Boom();
        assertThatThrownBy(() -> db.atomic(() -> {
            insert(1);
            throw boom;
        })).isSameAs(boom);
        assertThat(ids()).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void checkedExceptionPassesThroughUnchanged(TestDatabase database) throws SQLException {
        use(database);
        IOException io = new IOException("disk");
        assertThatThrownBy(() -> db.<Exception>atomic(() -> {
            insert(1);
            throw io;
        })).isSameAs(io);
        assertThat(ids()).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void valueReturningBlockReturnsTheValue(TestDatabase database) throws SQLException {
        use(database);
        int id = db.atomic(() -> {
            insert(7);
            return 7;
        });
        assertThat(id).isEqualTo(7);
        assertThat(ids()).containsExactly(7);
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void nestedCommitCommit(TestDatabase database) throws SQLException {
        use(database);
        db.atomic(() -> {
            insert(1);
            db.atomic(() -> insert(2));
        });
        assertThat(ids()).containsExactly(1, 2);
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
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

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void outerFailureRollsBackReleasedInnerBlock(TestDatabase database) throws SQLException {
        use(database);
        assertThatThrownBy(() -> db.atomic(() -> {
            insert(1);
            db.atomic(() -> insert(2));
            throw new Boom();
        })).isInstanceOf(Boom.class);
        assertThat(ids()).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
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

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void mergedCommitCommit(TestDatabase database) throws SQLException {
        use(database);
        db.atomic(() -> {
            insert(1);
            db.atomic(AtomicOptions.defaults().savepoint(false), () -> insert(2));
        });
        assertThat(ids()).containsExactly(1, 2);
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
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

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void mergedRollbackCommit(TestDatabase database) throws SQLException {
        use(database);
        assertThatThrownBy(() -> db.atomic(() -> {
            insert(1);
            db.atomic(AtomicOptions.defaults().savepoint(false), () -> insert(2));
            throw new Boom();
        })).isInstanceOf(Boom.class);
        assertThat(ids()).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
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

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
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

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
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

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
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

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
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

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void scopeCommitsWhenCompleted(TestDatabase database) throws SQLException {
        use(database);
        try (AtomicScope scope = db.begin()) {
            insert(1);
            scope.complete();
        }
        assertThat(ids()).containsExactly(1);
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
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

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
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
