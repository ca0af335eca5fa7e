package io.atomic4j;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.atomic4j.testing.FaultProxy.Cut;
import io.atomic4j.testing.TestDatabase;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The connection is lost while COMMIT is in flight. PostgreSQL resolves the outcome (the
 * transaction id is read before COMMIT, its status asked afterwards on a fresh connection), so
 * the block either succeeds or fails like any other failure; MariaDB cannot tell and says so with
 * {@link CommitOutcomeUnknownException}. Pools of one connection: resolving must not need a
 * second one, and the next block proves the lost connection was not reused.
 */
class CommitOutcomeTest extends FaultTestBase {
    private final List<String> hooks = new ArrayList<>();

    private void insertWithHooks(int id) throws SQLException {
        insert(id);
        db.onCommit(() -> hooks.add("commit " + id));
        db.onRollback(() -> hooks.add("rollback " + id));
    }

    @Test
    void postgresCommitThatReachedTheServerIsResolvedAsCommitted() throws Exception {
        open(TestDatabase.POSTGRES, 1);
        db.atomic(() -> insert(1));
        long lostConnection = db.atomic(() -> {
            insertWithHooks(2);
            proxy.cutOnClientBytes("COMMIT", Cut.AFTER_FORWARD);
            return serverConnectionId();
        });

        assertThat(proxy.triggeredCuts()).isEqualTo(1);
        assertThat(hooks).containsExactly("commit 2");
        assertThat(committedIds()).containsExactly(1, 2);
        assertThat(db.atomic(this::serverConnectionId)).isNotEqualTo(lostConnection);
    }

    /**
     * The id came with the nested block's RELEASE SAVEPOINT (the first block let the server run
     * the id query on its own first); the outer block wrote again after it, under the same id.
     */
    @Test
    void postgresCommitThatReachedTheServerAfterANestedBlockIsResolvedAsCommitted() throws Exception {
        open(TestDatabase.POSTGRES, 1);
        db.atomic(() -> insert(1));

        db.atomic(() -> {
            insertWithHooks(2);
            db.atomic(() -> insertWithHooks(3));
            insertWithHooks(4);
            proxy.cutOnClientBytes("COMMIT", Cut.AFTER_FORWARD);
        });

        assertThat(proxy.triggeredCuts()).isEqualTo(1);
        assertThat(hooks).containsExactly("commit 2", "commit 3", "commit 4");
        assertThat(committedIds()).containsExactly(1, 2, 3, 4);
    }

    /** Only the failed nested block wrote: its transaction keeps the id, read with ROLLBACK TO SAVEPOINT. */
    @Test
    void postgresCommitThatReachedTheServerAfterAFailedNestedBlockIsResolvedAsCommitted() throws Exception {
        open(TestDatabase.POSTGRES, 1);
        db.atomic(() -> insert(1));

        db.atomic(() -> {
            execute(db, "UPDATE item SET name = 'none' WHERE id < 0");
            try {
                db.atomic(() -> {
                    insertWithHooks(2);
                    throw new IllegalStateException("undo the nested block");
                });
            } catch (IllegalStateException expected) {
                // the outer block goes on
            }
            db.onCommit(() -> hooks.add("commit outer"));
            proxy.cutOnClientBytes("COMMIT", Cut.AFTER_FORWARD);
        });

        assertThat(proxy.triggeredCuts()).isEqualTo(1);
        assertThat(hooks).containsExactly("rollback 2", "commit outer");
        assertThat(committedIds()).containsExactly(1);
    }

    @Test
    void postgresCommitAfterANestedBlockThatNeverReachedTheServerIsResolvedAsRolledBack() throws Exception {
        open(TestDatabase.POSTGRES, 1);
        db.atomic(() -> insert(1));

        Throwable thrown = thrownBy(() -> db.atomic(() -> {
            db.atomic(() -> insertWithHooks(2));
            proxy.cutOnClientBytes("COMMIT", Cut.BEFORE_FORWARD);
        }));

        assertThat(thrown).isExactlyInstanceOf(DatabaseException.class).hasMessageContaining("did not commit");
        assertThat(hooks).containsExactly("rollback 2");
        assertThat(committedIds()).containsExactly(1);
    }

    @Test
    void postgresCommitThatNeverReachedTheServerIsResolvedAsRolledBack() throws Exception {
        open(TestDatabase.POSTGRES, 1);
        db.atomic(() -> insert(1));

        Throwable thrown = thrownBy(() -> db.atomic(() -> {
            insertWithHooks(2);
            proxy.cutOnClientBytes("COMMIT", Cut.BEFORE_FORWARD);
        }));

        assertThat(thrown).isExactlyInstanceOf(DatabaseException.class)
                .hasMessageContaining("'default'").hasMessageContaining("did not commit")
                .hasMessageContaining("safe to run it again")
                .hasCauseInstanceOf(SQLException.class);
        assertThat(((DatabaseException) thrown).kind()).isEqualTo(ErrorKind.CONNECTION);
        assertThat(hooks).containsExactly("rollback 2");
        assertThat(committedIds()).containsExactly(1);
        db.atomic(() -> insert(3));
        assertThat(committedIds()).containsExactly(1, 3);
    }

    @Test
    void postgresLostCommitResolvedAsRolledBackIsRetried() throws Exception {
        open(TestDatabase.POSTGRES, 1);
        AtomicInteger runs = new AtomicInteger();

        db.atomic(AtomicOptions.defaults().retry(RetryPolicy.transientErrors(3)), () -> {
            insertWithHooks(1);
            if (runs.incrementAndGet() == 1) {
                proxy.cutOnClientBytes("COMMIT", Cut.BEFORE_FORWARD);
            }
        });

        assertThat(runs).hasValue(2);
        assertThat(hooks).containsExactly("rollback 1", "commit 1");
        assertThat(committedIds()).containsExactly(1);
    }

    @Test
    void postgresConnectionLostWhileReadingTheTransactionIdIsAnOrdinaryFailureBeforeCommit() throws Exception {
        open(TestDatabase.POSTGRES, 1);

        Throwable thrown = thrownBy(() -> db.atomic(() -> {
            insertWithHooks(1);
            proxy.cutOnClientBytes("pg_current_xact_id_if_assigned", Cut.BEFORE_FORWARD);
        }));

        assertThat(thrown).isExactlyInstanceOf(DatabaseException.class).hasMessageContaining("Could not commit");
        assertThat(((DatabaseException) thrown).kind()).isEqualTo(ErrorKind.CONNECTION);
        assertThat(hooks).containsExactly("rollback 1");
        assertThat(committedIds()).isEmpty();
    }

    @Test
    void postgresReadOnlyBlockLosingItsCommitSucceedsWithoutAskingTheServer() throws Exception {
        open(TestDatabase.POSTGRES, 1);
        db.atomic(() -> insert(1));
        List<Integer> seen = new ArrayList<>();

        db.atomic(AtomicOptions.defaults().readOnly(true), () -> {
            seen.addAll(DatabaseTestBase.ids(db));
            db.onCommit(() -> hooks.add("commit"));
            proxy.cutOnClientBytes("COMMIT", Cut.BEFORE_FORWARD);
        });

        assertThat(proxy.triggeredCuts()).isEqualTo(1);
        assertThat(seen).containsExactly(1);
        assertThat(hooks).containsExactly("commit");
    }

    @Test
    void postgresBlockWhoseUpdatesChangedNothingLosingItsCommitSucceeds() throws Exception {
        open(TestDatabase.POSTGRES, 1);

        db.atomic(() -> {
            execute(db, "UPDATE item SET name = 'none' WHERE id < 0");   // no row: no transaction id assigned
            db.onCommit(() -> hooks.add("commit"));
            proxy.cutOnClientBytes("COMMIT", Cut.BEFORE_FORWARD);
        });

        assertThat(proxy.triggeredCuts()).isEqualTo(1);
        assertThat(hooks).containsExactly("commit");
    }

    /** The price of not paying a round trip on every read transaction: its lost COMMIT is not resolved. */
    @Test
    void postgresBlockThatOnlyQueriedLosingItsCommitIsReportedUnknown() throws Exception {
        open(TestDatabase.POSTGRES, 1);

        Throwable thrown = thrownBy(() -> db.atomic(() -> {
            DatabaseTestBase.ids(db);
            proxy.cutOnClientBytes("COMMIT", Cut.BEFORE_FORWARD);
        }));

        assertUnknownOutcome(thrown);
    }

    @Test
    void postgresCommitLostWhileTheDatabaseIsUnreachableStaysUnknownAndSaysWhy() throws Exception {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(proxiedUrl(TestDatabase.POSTGRES));
        config.setMaximumPoolSize(1);
        config.setConnectionTimeout(500);       // how long resolving may wait for a connection
        try (HikariDataSource pool = new HikariDataSource(config)) {
            db = Database.wrap("orders", pool);
            db.atomic(() -> insert(1));

            Throwable thrown = thrownBy(() -> db.atomic(() -> {
                insertWithHooks(2);
                proxy.refuseNew(true);          // a network partition: nobody can be asked
                proxy.cutOnClientBytes("COMMIT", Cut.BEFORE_FORWARD);
            }));

            assertThat(thrown).isExactlyInstanceOf(CommitOutcomeUnknownException.class)
                    .hasMessageContaining("'orders'").hasMessageContaining("PostgreSQL could not tell");
            assertThat(thrown.getCause().getSuppressed()).as("why it could not be resolved").isNotEmpty();
            assertThat(hooks).isEmpty();
            assertThat(committedIds()).containsExactly(1);
            proxy.refuseNew(false);
            // The pool refills in the background after the partition (connection timeout 500 ms): a retry rides it out.
            db.atomic(AtomicOptions.defaults().retry(RetryPolicy.transientErrors(10)
                    .backoff(java.time.Duration.ofMillis(100), java.time.Duration.ofSeconds(1))), () -> insert(3));
            assertThat(committedIds()).containsExactly(1, 3);
            assertThat(activeConnections()).isZero();
            db.close();
            db = null;
        }
    }

    @Test
    void postgresWithResolutionTurnedOffReportsALostCommitAsUnknown() throws Exception {
        open(TestDatabase.POSTGRES, Database.builder(proxiedUrl(TestDatabase.POSTGRES)).maxPoolSize(1)
                .resolveCommitOutcome(false));
        db.atomic(() -> insert(1));

        Throwable thrown = thrownBy(() -> db.atomic(() -> {
            insertWithHooks(2);
            proxy.cutOnClientBytes("COMMIT", Cut.AFTER_FORWARD);
        }));

        assertUnknownOutcome(thrown);
        assertThat(proxy.awaitTriggeredCut(Duration.ofSeconds(10))).isTrue();
        assertThat(committedIds()).containsExactly(1, 2);
    }

    @Test
    void mariaDbCommitThatReachedTheServerIsReportedUnknown() throws Exception {
        open(TestDatabase.MARIADB, 1);
        db.atomic(() -> insert(1));

        Throwable thrown = thrownBy(() -> db.atomic(() -> {
            insertWithHooks(2);
            proxy.cutOnClientBytes(blockCommitMarker(TestDatabase.MARIADB), Cut.AFTER_FORWARD);
        }));

        assertUnknownOutcome(thrown);
        assertThat(proxy.awaitTriggeredCut(Duration.ofSeconds(10))).isTrue();
        assertThat(committedIds()).containsExactly(1, 2);
    }

    @Test
    void mariaDbCommitThatNeverReachedTheServerIsReportedUnknownAndNotRetried() throws Exception {
        open(TestDatabase.MARIADB, 1);
        AtomicInteger runs = new AtomicInteger();

        Throwable thrown = thrownBy(() -> db.atomic(AtomicOptions.defaults().retry(RetryPolicy.transientErrors(5)), () -> {
            runs.incrementAndGet();
            insertWithHooks(2);
            proxy.cutOnClientBytes(blockCommitMarker(TestDatabase.MARIADB), Cut.BEFORE_FORWARD);
        }));

        assertUnknownOutcome(thrown);
        assertThat(runs).hasValue(1);
        assertThat(committedIds()).isEmpty();
        db.atomic(() -> insert(3));
        assertThat(committedIds()).containsExactly(3);
    }

    /** Neither kind of hook runs: either would claim an outcome nobody knows. */
    private void assertUnknownOutcome(Throwable thrown) {
        assertThat(thrown).isExactlyInstanceOf(CommitOutcomeUnknownException.class)
                .hasMessageContaining("'default'").hasMessageContaining("may or may not have committed")
                .hasMessageContaining("Check the data")
                .hasCauseInstanceOf(SQLException.class);
        assertThat(((CommitOutcomeUnknownException) thrown).kind()).isEqualTo(ErrorKind.CONNECTION);
        assertThat(hooks).isEmpty();
    }
}
