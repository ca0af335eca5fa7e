package io.atomic4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.InstanceOfAssertFactories.THROWABLE;

import io.atomic4j.testing.TransactionControlFaults;
import io.atomic4j.testing.ItemTable;
import io.atomic4j.testing.TestDatabase;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;

/**
 * What a block does when the statement that should end it fails: RELEASE SAVEPOINT, ROLLBACK TO
 * SAVEPOINT, or the outermost ROLLBACK. The failures are injected by
 * {@link TransactionControlFaults} in front of the real database, which does everything else; the
 * data is checked on a separate plain connection.
 */
class TransactionControlFailureTest {
    private TestDatabase testDatabase;
    private ItemTable items;
    private TransactionControlFaults faults;
    private Database db;

    private void use(TestDatabase testDatabase) throws SQLException {
        this.testDatabase = testDatabase;
        items = new ItemTable(testDatabase, "control_item");
        faults = new TransactionControlFaults(testDatabase.newPlainDataSource());
        db = Database.wrap("controlled", faults.dataSource());
    }

    @AfterEach
    void nextBlockWorksAndClose() throws SQLException {
        if (db == null) {
            return;
        }
        try {
            assertThat(db.inAtomicBlock()).as("block left open on the thread").isFalse();
            db.atomic(() -> insert(100));
            assertThat(committedIds()).as("a block after the failure commits").contains(100);
        } finally {
            db.close();
        }
    }

    private void insert(int id) throws SQLException {
        items.insert(db, id);
    }

    private List<Integer> committedIds() throws SQLException {
        return items.committedIds();
    }

    @EveryDatabase
    void failedReleaseUndoesTheNestedBlockAndTheEnclosingBlockGoesOn(TestDatabase database) throws SQLException {
        use(database);
        AtomicReference<Throwable> nested = new AtomicReference<>();
        AtomicBoolean rolledBack = new AtomicBoolean();
        AtomicBoolean committed = new AtomicBoolean();
        AtomicBoolean markedForRollback = new AtomicBoolean();
        db.atomic(() -> {
            insert(1);
            faults.failStatements("RELEASE SAVEPOINT", 1);
            nested.set(catchThrowable(() -> db.atomic(() -> {
                insert(2);
                db.onRollback(() -> rolledBack.set(true));
                db.onCommit(() -> committed.set(true));
            })));
            markedForRollback.set(db.getRollback());
            insert(3);
        });
        assertThat(nested.get()).isInstanceOf(DatabaseException.class).hasMessageContaining("release savepoint")
                .hasMessageContaining("'controlled'").hasMessageContaining("injected");
        assertThat(nested.get().getSuppressed()).as("the rollback to the savepoint worked").isEmpty();
        assertThat(markedForRollback).as("enclosing block marked for rollback").isFalse();
        assertThat(committedIds()).containsExactly(1, 3);
        assertThat(rolledBack).as("the nested block's onRollback callback ran").isTrue();
        assertThat(committed).as("the nested block's onCommit callback ran").isFalse();
    }

    @EveryDatabase
    void failedReleaseWhoseRollbackFailsTooRollsBackTheEnclosingBlock(TestDatabase database) throws SQLException {
        use(database);
        AtomicReference<Throwable> nested = new AtomicReference<>();
        AtomicBoolean markedForRollback = new AtomicBoolean();
        Throwable outer = catchThrowable(() -> db.atomic(() -> {
            insert(1);
            faults.failStatements("RELEASE SAVEPOINT", 1);
            faults.failStatements("ROLLBACK TO SAVEPOINT", 1);
            nested.set(catchThrowable(() -> db.atomic(() -> insert(2))));
            markedForRollback.set(db.getRollback());
        }));
        assertThat(nested.get()).isInstanceOf(DatabaseException.class).hasMessageContaining("release savepoint");
        assertThat(nested.get().getSuppressed()).singleElement().asInstanceOf(
                THROWABLE).hasMessageContaining("roll back to savepoint");
        assertThat(markedForRollback).as("enclosing block marked for rollback").isTrue();
        assertThat(outer).isInstanceOf(TransactionManagementException.class).hasMessageContaining("rolled back")
                .hasCause(nested.get());
        assertThat(committedIds()).isEmpty();
    }

    @EveryDatabase
    void failedRollbackToSavepointKeepsTheBlocksErrorAndRollsBackTheEnclosingBlock(TestDatabase database)
            throws SQLException {
        use(database);
        IllegalStateException bodyError = new IllegalStateException("nested block fails");
        AtomicReference<Throwable> nested = new AtomicReference<>();
        AtomicBoolean markedForRollback = new AtomicBoolean();
        Throwable outer = catchThrowable(() -> db.atomic(() -> {
            insert(1);
            faults.failStatements("ROLLBACK TO SAVEPOINT", 1);
            nested.set(catchThrowable(() -> db.atomic(() -> {
                insert(2);
                throw bodyError;
            })));
            markedForRollback.set(db.getRollback());
        }));
        assertThat(nested.get()).isSameAs(bodyError);
        assertThat(bodyError.getSuppressed()).singleElement().asInstanceOf(
                THROWABLE).hasMessageContaining("roll back to savepoint");
        assertThat(markedForRollback).as("enclosing block marked for rollback").isTrue();
        assertThat(outer).isInstanceOf(TransactionManagementException.class).hasCause(bodyError);
        assertThat(committedIds()).as("the nested block's row must not commit").isEmpty();
    }

    @EveryDatabase
    void failedRollbackOfAnIncompleteNestedScopeFailsTheEnclosingBlock(TestDatabase database) throws SQLException {
        use(database);
        AtomicReference<Throwable> closing = new AtomicReference<>();
        Throwable outer = catchThrowable(() -> db.atomic(() -> {
            insert(1);
            faults.failStatements("ROLLBACK TO SAVEPOINT", 1);
            AtomicScope scope = db.begin();
            insert(2);
            closing.set(catchThrowable(scope::close));   // closed without complete(): rolled back
        }));
        assertThat(closing.get()).isInstanceOf(DatabaseException.class).hasMessageContaining("roll back to savepoint");
        assertThat(outer).as("the enclosing block cannot commit the scope's row")
                .isInstanceOf(TransactionManagementException.class).hasCause(closing.get());
        assertThat(committedIds()).isEmpty();
    }

    @EveryDatabase
    void failedRollbackOfAnOutermostBlockKeepsTheBodysErrorAndDiscardsTheConnection(TestDatabase database)
            throws SQLException {
        use(database);
        IllegalStateException bodyError = new IllegalStateException("block fails");
        faults.failRollback(1);
        Throwable thrown = catchThrowable(() -> db.atomic(() -> {
            insert(1);
            throw bodyError;
        }));
        assertThat(thrown).isSameAs(bodyError);
        assertThat(bodyError.getSuppressed()).singleElement().asInstanceOf(
                THROWABLE).hasMessageContaining("roll back")
                .hasMessageContaining("injected");
        assertThat(faults.abortedConnections()).as("connections discarded").isEqualTo(1);
        assertThat(committedIds()).isEmpty();
    }

    @EveryDatabase
    void aManualRollbackThatFailsIsStillReportedAsTheTransactionsEnd(TestDatabase database) throws SQLException {
        use(database);
        db.close();
        List<String> events = new java.util.concurrent.CopyOnWriteArrayList<>();
        db = Database.builder(faults.dataSource()).alias("controlled").listener(new TransactionListener() {
            @Override
            public void begun() {
                events.add("begun");
            }

            @Override
            public void rolledBack(java.time.Duration duration, Throwable cause) {
                events.add("rolledBack");
            }
        }).build();
        db.setAutoCommit(false);
        try {
            insert(1);
            faults.failRollback(1);
            assertThatThrownBy(db::rollback).isInstanceOf(DatabaseException.class).hasMessageContaining("injected");
        } finally {
            db.setAutoCommit(true);
        }
        assertThat(events).containsExactly("begun", "rolledBack");
        assertThat(committedIds()).isEmpty();
    }

    /** A database atomic4j has no dialect for gets standard SQL: ROLLBACK TO, then RELEASE, in two statements. */
    @EveryDatabase
    void failedNestedBlockOnAnUnknownDatabaseRollsBackToAndReleasesItsSavepoint(TestDatabase database)
            throws SQLException {
        use(database);
        faults.reportProductName("Unknown SQL");   // a name no dialect claims
        db.atomic(() -> {
            insert(1);
            assertThatThrownBy(() -> db.atomic(() -> {
                insert(2);
                throw new IllegalStateException("nested block fails");
            })).hasMessage("nested block fails");
            insert(3);
        });
        assertThat(committedIds()).containsExactly(1, 3);
        List<String> savepointStatements = faults.executedStatements().stream()
                .filter(sql -> sql.contains("SAVEPOINT")).toList();
        assertThat(savepointStatements).containsExactly("SAVEPOINT a4j_sp1", "ROLLBACK TO SAVEPOINT a4j_sp1",
                "RELEASE SAVEPOINT a4j_sp1");
    }

    @EveryDatabase
    void failedCommitIsRolledBackAndReported(TestDatabase database) throws SQLException {
        use(database);
        faults.failCommit(1);
        Throwable thrown = catchThrowable(() -> db.atomic(() -> insert(1)));
        assertThat(thrown).isInstanceOf(DatabaseException.class).hasMessageContaining("commit")
                .hasMessageContaining("injected");
        assertThat(thrown.getSuppressed()).isEmpty();
        assertThat(faults.abortedConnections()).as("connections discarded").isZero();
        assertThat(committedIds()).isEmpty();
    }

    @EveryDatabase
    void failedCommitWhoseRollbackFailsTooDiscardsTheConnection(TestDatabase database) throws SQLException {
        use(database);
        faults.failCommit(1);
        faults.failRollback(1);
        Throwable thrown = catchThrowable(() -> db.atomic(() -> insert(1)));
        assertThat(thrown).isInstanceOf(DatabaseException.class).hasMessageContaining("commit");
        assertThat(thrown.getSuppressed()).singleElement().asInstanceOf(THROWABLE).hasMessageContaining("roll back");
        assertThat(faults.abortedConnections()).as("connections discarded").isEqualTo(1);
        assertThat(committedIds()).isEmpty();
    }

    @EveryDatabase
    void closeWhoseRollbackFailsDiscardsTheConnection(TestDatabase database) throws SQLException {
        use(database);
        db.setAutoCommit(false);
        insert(1);
        faults.failRollback(1);
        db.close();
        assertThat(faults.abortedConnections()).as("connections discarded").isEqualTo(1);
        assertThat(committedIds()).isEmpty();
        db = null;   // closed: nothing left to check
    }

    @EveryDatabase
    void failedSavepointOfANestedBlockMarksTheTransactionForRollback(TestDatabase database) throws SQLException {
        use(database);
        AtomicReference<Throwable> first = new AtomicReference<>();
        AtomicReference<Throwable> second = new AtomicReference<>();
        Throwable outer = catchThrowable(() -> db.atomic(() -> {
            insert(1);
            faults.failStatements("SAVEPOINT", 1);
            db.atomic(() -> {
                first.set(catchThrowable(() -> insert(2)));   // its savepoint could not be created
                second.set(catchThrowable(() -> insert(3)));  // without one its work could not be undone
            });
        }));
        assertThat(first.get()).isInstanceOf(DatabaseException.class).hasMessageContaining("create savepoint");
        assertThat(second.get()).isInstanceOf(TransactionManagementException.class)
                .hasMessageContaining("You can't execute queries");
        assertThat(outer).isInstanceOf(TransactionManagementException.class);
        assertThat(committedIds()).isEmpty();
    }

    @EveryDatabase
    void failedManualSavepointMarksTheBlockForRollback(TestDatabase database) throws SQLException {
        use(database);
        AtomicBoolean marked = new AtomicBoolean();
        Throwable outer = catchThrowable(() -> db.atomic(() -> {
            insert(1);
            faults.failStatements("SAVEPOINT", 1);
            assertThat(catchThrowable(db::savepoint)).isInstanceOf(DatabaseException.class);
            marked.set(db.getRollback());
        }));
        assertThat(marked).as("block marked for rollback").isTrue();
        assertThat(outer).isInstanceOf(TransactionManagementException.class);
        assertThat(committedIds()).isEmpty();
    }

    @EveryDatabase
    void failedSavepointCommitMarksTheBlockForRollback(TestDatabase database) throws SQLException {
        use(database);
        AtomicBoolean marked = new AtomicBoolean();
        Throwable outer = catchThrowable(() -> db.atomic(() -> {
            Savepoint savepoint = db.savepoint();
            insert(1);
            faults.failStatements("RELEASE SAVEPOINT", 1);
            assertThat(catchThrowable(() -> db.savepointCommit(savepoint))).isInstanceOf(DatabaseException.class)
                    .hasMessageContaining("release savepoint");
            marked.set(db.getRollback());
        }));
        assertThat(marked).as("block marked for rollback").isTrue();
        assertThat(outer).isInstanceOf(TransactionManagementException.class);
        assertThat(committedIds()).isEmpty();
    }

    @EveryDatabase
    void failedSavepointRollbackMarksTheBlockForRollback(TestDatabase database) throws SQLException {
        use(database);
        AtomicBoolean marked = new AtomicBoolean();
        Throwable outer = catchThrowable(() -> db.atomic(() -> {
            insert(1);
            Savepoint savepoint = db.savepoint();
            insert(2);
            faults.failStatements("ROLLBACK TO SAVEPOINT", 1);
            assertThat(catchThrowable(() -> db.savepointRollback(savepoint))).isInstanceOf(DatabaseException.class)
                    .hasMessageContaining("roll back to savepoint");
            marked.set(db.getRollback());
        }));
        assertThat(marked).as("block marked for rollback").isTrue();
        assertThat(outer).isInstanceOf(TransactionManagementException.class);
        assertThat(committedIds()).isEmpty();
    }
}
