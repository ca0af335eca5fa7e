package io.atomic4j.outbox;

import static io.atomic4j.outbox.OutboxTestSupport.count;
import static io.atomic4j.outbox.OutboxTestSupport.newTable;
import static io.atomic4j.outbox.OutboxTestSupport.statusByPayload;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.atomic4j.Database;
import io.atomic4j.Savepoint;
import io.atomic4j.testing.TestDatabase;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** What one outbox does on each of the four databases: commit, rollback, savepoints, retries, leases. */
class OutboxTest {
    private static final long WAIT_SECONDS = 30;

    private Database db;
    private Outbox outbox;
    private Outbox other;
    private final String table = newTable("outbox");
    /** Tasks the handlers saw, with the thread they ran on, in order. */
    private final BlockingQueue<String> ran = new LinkedBlockingQueue<>();

    @AfterEach
    void closeAll() {
        if (outbox != null) {
            outbox.close();
        }
        if (other != null) {
            other.close();
        }
        if (db != null) {
            assertThat(db.inAtomicBlock()).as("block left open").isFalse();
            db.close();
        }
    }

    private Outbox.Builder builder(TestDatabase testDatabase) {
        db = OutboxTestSupport.open(testDatabase, 8);
        return Outbox.builder(db).table(table).pollInterval(Duration.ofMillis(20)).backoff(Duration.ofMillis(20), Duration.ofMillis(40));
    }

    private String nextRun() throws InterruptedException {
        String run = ran.poll(WAIT_SECONDS, TimeUnit.SECONDS);
        assertThat(run).as("a task ran within " + WAIT_SECONDS + " s").isNotNull();
        return run;
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void committedTaskRunsAfterCommitOffTheCommittingThread(TestDatabase testDatabase) throws Exception {
        CountDownLatch done = new CountDownLatch(1);
        outbox = builder(testDatabase)
                .handler("mail", task -> ran.add(task.payload() + " on " + Thread.currentThread().getName()))
                .hooks(new Hooks() {
                    @Override
                    public void afterDone(OutboxTask task, boolean marked) {
                        done.countDown();
                    }
                })
                .start();
        String committer = Thread.currentThread().getName();

        String id = db.atomic(() -> {
            String taskId = outbox.enqueue("mail", "ada@example.com");
            assertThat(ran).as("nothing runs before the commit").isEmpty();
            return taskId;
        });

        assertThat(nextRun()).startsWith("ada@example.com on ").doesNotEndWith(" on " + committer);
        assertThat(done.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
        assertThat(statusByPayload(db, table)).containsExactly(Map.entry("ada@example.com", Store.DONE));
        assertThat(id).hasSize(36);
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void taskOfRolledBackBlockNeverRunsAndLeavesNoRow(TestDatabase testDatabase) throws Exception {
        outbox = builder(testDatabase).handler("mail", task -> ran.add(task.payload())).start();

        assertThatThrownBy(() -> db.atomic(() -> {
            outbox.enqueue("mail", "rolled back");
            throw new IllegalStateException("payment declined");
        })).hasMessage("payment declined");
        db.atomic(() -> outbox.enqueue("mail", "committed"));

        assertThat(nextRun()).isEqualTo("committed");
        assertThat(statusByPayload(db, table)).containsOnlyKeys("committed");
        assertThat(ran).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void taskWrittenInRolledBackSavepointIsDiscardedWithIt(TestDatabase testDatabase) throws Exception {
        outbox = builder(testDatabase).handler("mail", task -> ran.add(task.payload())).start();

        db.atomic(() -> {
            outbox.enqueue("mail", "outer");
            try {
                db.atomic(() -> {
                    outbox.enqueue("mail", "inner block");
                    throw new IllegalStateException("inner fails");
                });
            } catch (IllegalStateException expected) {
                // the inner block's savepoint is rolled back, the outer block goes on
            }
            Savepoint savepoint = db.savepoint();
            outbox.enqueue("mail", "manual savepoint");
            db.savepointRollback(savepoint);
            outbox.enqueue("mail", "last");
        });

        assertThat(List.of(nextRun(), nextRun())).containsExactlyInAnyOrder("outer", "last");
        assertThat(statusByPayload(db, table)).containsOnlyKeys("outer", "last");
        assertThat(ran).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void enqueueOutsideBlockCommitsByItselfAndRuns(TestDatabase testDatabase) throws Exception {
        outbox = builder(testDatabase).handler("mail", task -> ran.add(task.payload())).start();

        outbox.enqueue("mail", "autocommit");

        assertThat(nextRun()).isEqualTo("autocommit");
        assertThat(statusByPayload(db, table)).containsOnlyKeys("autocommit");
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void failingTaskIsRetriedWithBackoffStopsAfterMaxAttemptsAndCanBeRequeued(TestDatabase testDatabase) throws Exception {
        Queue<Integer> attempts = new ConcurrentLinkedQueue<>();
        CountDownLatch stopped = new CountDownLatch(1);
        CountDownLatch succeeded = new CountDownLatch(1);
        outbox = builder(testDatabase).maxAttempts(3)
                .handler("charge", task -> {
                    attempts.add(task.attempt());
                    if (!"fixed".equals(System.getProperty("outbox.test." + table))) {
                        throw new IllegalStateException("provider said no to " + task.payload());
                    }
                    succeeded.countDown();
                })
                .hooks(new Hooks() {
                    @Override
                    public void afterFailure(OutboxTask task, Exception error) {
                        if (task.attempt() == 3) {
                            stopped.countDown();
                        }
                    }
                })
                .start();

        String id = outbox.enqueue("charge", "order 7");

        assertThat(stopped.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
        assertThat(attempts).containsExactly(1, 2, 3);
        List<OutboxTask> failed = outbox.failed(10);
        assertThat(failed).hasSize(1);
        assertThat(failed.get(0).id()).isEqualTo(id);
        assertThat(failed.get(0).attempt()).isEqualTo(3);
        assertThat(failed.get(0).lastError()).startsWith("java.lang.IllegalStateException: provider said no to order 7")
                .contains("\tat io.atomic4j.outbox.OutboxTest");
        assertThat(statusByPayload(db, table)).containsExactly(Map.entry("order 7", Store.FAILED));

        System.setProperty("outbox.test." + table, "fixed");
        try {
            assertThat(outbox.requeue(id)).isTrue();
            assertThat(succeeded.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
        } finally {
            System.clearProperty("outbox.test." + table);
        }
        assertThat(outbox.requeue(id)).as("only failed tasks are requeued").isFalse();
        assertThat(attempts).containsExactly(1, 2, 3, 1);
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void poisonedTaskNeverBlocksTheOthers(TestDatabase testDatabase) throws Exception {
        int others = 20;
        CountDownLatch othersDone = new CountDownLatch(others);
        outbox = builder(testDatabase).workers(1).maxAttempts(1000).backoff(Duration.ofMillis(1), Duration.ofMillis(2))
                .handler("poison", task -> {
                    throw new IllegalArgumentException("cannot parse " + task.payload());
                })
                .handler("mail", task -> { })
                .hooks(new Hooks() {
                    @Override
                    public void afterDone(OutboxTask task, boolean marked) {
                        othersDone.countDown();
                    }
                })
                .start();

        outbox.enqueue("poison", "{broken");
        for (int i = 0; i < others; i++) {
            outbox.enqueue("mail", "user " + i);
        }

        assertThat(othersDone.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
        assertThat(count(db, "SELECT COUNT(*) FROM " + table + " WHERE status = 'DONE'")).isEqualTo(others);
        assertThat(count(db, "SELECT COUNT(*) FROM " + table + " WHERE name = 'poison' AND last_error LIKE '%cannot parse {broken%'"))
                .isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void taskOfDeadInstanceIsClaimedByAnotherOnceItsLeaseExpires(TestDatabase testDatabase) throws Exception {
        // The first instance "dies" after the commit: its executor drops the task.
        outbox = builder(testDatabase).lease(Duration.ofMillis(300)).executor(command -> { })
                .handler("mail", task -> ran.add("dead instance ran " + task.payload())).start();
        String id = db.atomic(() -> outbox.enqueue("mail", "orphan"));
        outbox.close();

        BlockingQueue<OutboxTask> taken = new LinkedBlockingQueue<>();
        other = Outbox.builder(db).table(table).pollInterval(Duration.ofMillis(20)).lease(Duration.ofMillis(300))
                .handler("mail", taken::add).start();

        OutboxTask task = taken.poll(WAIT_SECONDS, TimeUnit.SECONDS);
        assertThat(task).isNotNull();
        assertThat(task.id()).isEqualTo(id);
        assertThat(task.payload()).isEqualTo("orphan");
        assertThat(task.attempt()).as("the dead instance's hold counts as an attempt").isEqualTo(2);
        assertThat(ran).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void misuseIsRefusedWithClearMessages(TestDatabase testDatabase) throws Exception {
        outbox = builder(testDatabase).handler("mail", task -> { }).start();

        assertThatThrownBy(() -> outbox.enqueue("mial", "x"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("No handler 'mial'").hasMessageContaining("Registered: mail");
        assertThatThrownBy(() -> db.atomic(() -> Outbox.builder(db).table(table).handler("mail", task -> { }).start()))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("outside any atomic block");
        assertThatThrownBy(() -> Outbox.builder(db).start())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("at least one handler");
        assertThatThrownBy(() -> Outbox.builder(db).table("x; DROP TABLE y"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Outbox table name");
        outbox.close();
        assertThatThrownBy(() -> outbox.enqueue("mail", "late"))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }
}
