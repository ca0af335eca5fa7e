package io.atomic4j.librarytests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.atomic4j.Database;
import io.atomic4j.TransactionManagementException;
import io.atomic4j.testing.TestDatabase;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The behaviour every data-access library must show inside atomic blocks, written once and run
 * for jOOQ, JDBI and MyBatis on the four real databases. A subclass says how its library opens
 * (over a {@link Database}), inserts one row, and runs its own transaction API; the matrix does
 * the rest:
 * <ol>
 *   <li>commits with the block;</li>
 *   <li>a throw rolls everything back;</li>
 *   <li>a nested block that throws rolls back only its own work;</li>
 *   <li>the library's duplicate-key error is recoverable in a nested block, and breaks the
 *       outer block when swallowed without one;</li>
 *   <li>onCommit runs once after the commit, never after a rollback;</li>
 *   <li>the library's own transaction API nests as a savepoint, its failure rolls back exactly
 *       its work, and no combination commits outer work early or commits failed work.</li>
 * </ol>
 * Test names start with the number of the behaviour they prove.
 */
public abstract class LibraryMatrix extends LibraryTestBase {
    /**
     * Runs {@code body} in the library's own transaction (jOOQ {@code transaction}, JDBI
     * {@code useTransaction}, a MyBatis session committed at the end); {@link #insert} inside it
     * must use that transaction. Exceptions come out as the library lets them out.
     */
    protected abstract void libraryTransaction(Body body) throws Exception;

    // ---- 1. commits with the block

    @ParameterizedTest @EnumSource(TestDatabase.class)
    void b1_commitsWithTheBlock(TestDatabase kind) throws Exception {
        use(kind);
        db.atomic(() -> {
            insert(1);
            insert(2);
            assertThat(committedIds()).as("nothing visible before the block commits").isEmpty();
        });
        assertThat(committedIds()).containsExactly(1, 2);
    }

    // ---- 2. a throw rolls all back

    @ParameterizedTest @EnumSource(TestDatabase.class)
    void b2_aThrowRollsEverythingBack(TestDatabase kind) throws Exception {
        use(kind);
        assertThatThrownBy(() -> db.atomic(() -> {
            insert(1);
            insert(2);
            throw new Boom();
        })).isInstanceOf(Boom.class);
        assertThat(committedIds()).isEmpty();
    }

    // ---- 3. a nested block that throws rolls back only its own work

    @ParameterizedTest @EnumSource(TestDatabase.class)
    void b3_aNestedBlockThatThrowsRollsBackOnlyItsOwnWork(TestDatabase kind) throws Exception {
        use(kind);
        db.atomic(() -> {
            insert(1);
            assertThatThrownBy(() -> db.atomic(() -> {
                insert(2);
                throw new Boom();
            })).isInstanceOf(Boom.class);
            insert(3);
        });
        assertThat(committedIds()).containsExactly(1, 3);
    }

    // ---- 4. the library's own error: recoverable in a nested block, breaks the block if swallowed

    @ParameterizedTest @EnumSource(TestDatabase.class)
    void b4_duplicateKeyIsRecoverableInANestedBlock(TestDatabase kind) throws Exception {
        use(kind);
        db.atomic(() -> {
            insert(1);
            assertThatThrownBy(() -> db.atomic(() -> insert(1))).isNotInstanceOf(TransactionManagementException.class);
            insert(2);
        });
        assertThat(committedIds()).containsExactly(1, 2);
    }

    @ParameterizedTest @EnumSource(TestDatabase.class)
    void b4_aSwallowedDuplicateKeyBreaksTheBlock(TestDatabase kind) throws Exception {
        use(kind);
        assertThatThrownBy(() -> db.atomic(() -> {
            insert(1);
            try {
                insert(1);
            } catch (Exception swallowed) {
                assertThat(hasCause(swallowed, TransactionManagementException.class)).as("the library's own error").isFalse();
            }
            assertThatThrownBy(() -> insert(2)).as("later statements refused")
                    .satisfies(e -> assertThat(hasCause(e, TransactionManagementException.class)).isTrue());
        })).isInstanceOf(TransactionManagementException.class);
        assertThat(committedIds()).isEmpty();
        db.atomic(() -> insert(5));
        assertThat(committedIds()).as("the database stays usable").containsExactly(5);
    }

    // ---- 5. onCommit once after commit, never after rollback

    @ParameterizedTest @EnumSource(TestDatabase.class)
    void b5_onCommitRunsOnceAfterCommitAndNeverAfterRollback(TestDatabase kind) throws Exception {
        use(kind);
        AtomicInteger committed = new AtomicInteger();
        AtomicInteger rolledBack = new AtomicInteger();
        db.atomic(() -> {
            insert(1);
            db.onCommit(committed::incrementAndGet);
            assertThat(committed).as("not before the commit").hasValue(0);
        });
        assertThat(committed).hasValue(1);
        assertThatThrownBy(() -> db.atomic(() -> {
            insert(2);
            db.onCommit(rolledBack::incrementAndGet);
            throw new Boom();
        })).isInstanceOf(Boom.class);
        assertThat(rolledBack).hasValue(0);
        assertThat(committed).as("once").hasValue(1);
    }

    @ParameterizedTest @EnumSource(TestDatabase.class)
    void b5_onCommitInsideTheLibraryTransactionWaitsForTheOutermostCommit(TestDatabase kind) throws Exception {
        use(kind);
        AtomicInteger kept = new AtomicInteger();
        AtomicInteger discarded = new AtomicInteger();
        db.atomic(() -> {
            insert(1);
            libraryTransaction(() -> {
                insert(2);
                db.onCommit(kept::incrementAndGet);
            });
            assertThat(kept).as("the library's commit is only a savepoint release").hasValue(0);
            assertThatThrownBy(() -> libraryTransaction(() -> {
                insert(3);
                db.onCommit(discarded::incrementAndGet);
                throw new Boom();
            })).satisfies(e -> assertThat(hasCause(e, Boom.class)).isTrue());
        });
        assertThat(kept).hasValue(1);
        assertThat(discarded).as("registered in rolled-back work").hasValue(0);
        assertThat(committedIds()).containsExactly(1, 2);
    }

    // ---- 6. the library's own transaction API

    @ParameterizedTest @EnumSource(TestDatabase.class)
    void b6_theLibraryTransactionAloneCommitsOrRollsBack(TestDatabase kind) throws Exception {
        use(kind);
        libraryTransaction(() -> {
            insert(1);
            insert(2);
            assertThat(db.inAtomicBlock()).as("the library transaction is a block").isTrue();
        });
        assertThat(committedIds()).containsExactly(1, 2);
        assertThatThrownBy(() -> libraryTransaction(() -> {
            insert(3);
            throw new Boom();
        })).satisfies(e -> assertThat(hasCause(e, Boom.class)).isTrue());
        assertThat(committedIds()).containsExactly(1, 2);
    }

    @ParameterizedTest @EnumSource(TestDatabase.class)
    void b6_theLibraryTransactionInsideABlockIsASavepointAndCommitsNothingEarly(TestDatabase kind) throws Exception {
        use(kind);
        db.atomic(() -> {
            insert(1);
            libraryTransaction(() -> insert(2));
            assertThat(committedIds()).as("the library's commit did not commit the block").isEmpty();
            insert(3);
        });
        assertThat(committedIds()).containsExactly(1, 2, 3);
    }

    @ParameterizedTest @EnumSource(TestDatabase.class)
    void b6_aFailedLibraryTransactionInsideABlockRollsBackExactlyItsWork(TestDatabase kind) throws Exception {
        use(kind);
        db.atomic(() -> {
            insert(1);
            assertThatThrownBy(() -> libraryTransaction(() -> {
                insert(2);
                throw new Boom();
            })).satisfies(e -> assertThat(hasCause(e, Boom.class)).isTrue());
            insert(3);
        });
        assertThat(committedIds()).containsExactly(1, 3);
    }

    @ParameterizedTest @EnumSource(TestDatabase.class)
    void b6_aDuplicateKeyInALibraryTransactionRollsBackExactlyItsWork(TestDatabase kind) throws Exception {
        use(kind);
        db.atomic(() -> {
            insert(1);
            assertThatThrownBy(() -> libraryTransaction(() -> {
                insert(2);
                insert(1);
            })).isNotNull();
            insert(3);
        });
        assertThat(committedIds()).containsExactly(1, 3);
    }

    @ParameterizedTest @EnumSource(TestDatabase.class)
    void b6_aLibraryTransactionThatSwallowedAnErrorNeverCommits(TestDatabase kind) throws Exception {
        use(kind);
        db.atomic(() -> {
            insert(1);
            assertThatThrownBy(() -> libraryTransaction(() -> {
                insert(2);
                try {
                    insert(1);
                } catch (Exception swallowed) {
                    // the library-level transaction is now broken: its commit must not happen
                }
            })).satisfies(e -> assertThat(hasCause(e, TransactionManagementException.class)).isTrue());
            insert(3);
        });
        assertThat(committedIds()).containsExactly(1, 3);

        assertThatThrownBy(() -> libraryTransaction(() -> {
            insert(4);
            try {
                insert(4);
            } catch (Exception swallowed) {
                // the same at top level
            }
        })).satisfies(e -> assertThat(hasCause(e, TransactionManagementException.class)).isTrue());
        assertThat(committedIds()).containsExactly(1, 3);
    }

    @ParameterizedTest @EnumSource(TestDatabase.class)
    void b6_anOuterThrowUndoesACompletedLibraryTransaction(TestDatabase kind) throws Exception {
        use(kind);
        assertThatThrownBy(() -> db.atomic(() -> {
            libraryTransaction(() -> insert(1));
            insert(2);
            throw new Boom();
        })).isInstanceOf(Boom.class);
        assertThat(committedIds()).isEmpty();
    }

    @ParameterizedTest @EnumSource(TestDatabase.class)
    void b6_libraryTransactionsNestAsSavepoints(TestDatabase kind) throws Exception {
        use(kind);
        libraryTransaction(() -> {
            insert(1);
            assertThatThrownBy(() -> libraryTransaction(() -> {
                insert(2);
                throw new Boom();
            })).satisfies(e -> assertThat(hasCause(e, Boom.class)).isTrue());
            libraryTransaction(() -> insert(3));
            assertThat(committedIds()).as("inner commits are savepoint releases").isEmpty();
        });
        assertThat(committedIds()).containsExactly(1, 3);
    }

    @ParameterizedTest @EnumSource(TestDatabase.class)
    void b6_anEmptyLibraryTransactionInsideABlockSendsNothing(TestDatabase kind) throws Exception {
        use(kind);
        int before = savepointsInOneBlock(false);
        int withEmpty = savepointsInOneBlock(true);
        assertThat(withEmpty).as("statements sent with an empty library transaction nested").isEqualTo(before);
    }

    /**
     * The statements (executions, commit, savepoint calls) one block sends when it inserts a row
     * and then, optionally, runs an empty library transaction, counted under the driver.
     */
    private int savepointsInOneBlock(boolean emptyLibraryTransaction) throws Exception {
        CountingDataSource counting = new CountingDataSource(testDatabase.newPlainDataSource());
        try (Database counted = Database.wrap("counted", counting.dataSource())) {
            Database saved = db;
            db = counted;
            try {
                closeLibrary();
                open(counted, testDatabase);
                int id = emptyLibraryTransaction ? 11 : 10;
                counted.atomic(() -> {
                    insert(id);
                    if (emptyLibraryTransaction) {
                        libraryTransaction(() -> { });
                    }
                });
                return counting.statements();
            } finally {
                closeLibrary();
                db = saved;
                open(saved, testDatabase);
            }
        }
    }
}
