package io.atomic4j.outbox;

import static io.atomic4j.outbox.OutboxTestSupport.count;
import static io.atomic4j.outbox.OutboxTestSupport.newTable;
import static org.assertj.core.api.Assertions.assertThat;

import io.atomic4j.Database;
import io.atomic4j.testing.TestDatabase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Three outbox instances, each with its own {@link Database} and pool and four workers, work one
 * table of many tasks that all are due at once (left by a producer whose tasks nobody holds).
 * Every handler records its start and end: no task may run in two places at once, every task
 * must be done, none lost.
 */
class MultiInstanceTest {
    /** 10,000 with -Datomic4j.outbox.tasks=10000 (the figure); the default keeps the build short. */
    private static final int TASKS = Integer.getInteger("atomic4j.outbox.tasks", 3000);
    private static final int INSTANCES = 3;
    private static final int WORKERS = 4;
    private static final int PER_BLOCK = 500;

    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = {"POSTGRES", "MARIADB"})
    void threeInstancesRunEveryTaskOnceAndNeverOneInTwoPlacesAtOnce(TestDatabase testDatabase) throws Exception {
        String table = newTable("multi");
        try (Database producerDb = OutboxTestSupport.open(testDatabase, 2)) {
            // A lease of 1 ms and an executor that drops the fast path: every task is free to claim at once.
            try (Outbox producer = Outbox.builder(producerDb).table(table).lease(Duration.ofMillis(1))
                    .pollInterval(Duration.ofHours(1)).executor(command -> { })
                    .handler("work", task -> { throw new AssertionError("the producer runs nothing"); })
                    .start()) {
                for (int block = 0; block < TASKS / PER_BLOCK; block++) {
                    int first = block * PER_BLOCK;
                    producerDb.atomic(() -> {
                        for (int i = first; i < first + PER_BLOCK; i++) {
                            producer.enqueue("work", "task " + i);
                        }
                    });
                }
            }
            assertThat(count(producerDb, "SELECT COUNT(*) FROM " + table)).isEqualTo(TASKS);
        }

        Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();
        Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
        Queue<String> overlaps = new ConcurrentLinkedQueue<>();
        AtomicInteger[] perInstance = new AtomicInteger[INSTANCES];
        CountDownLatch allDone = new CountDownLatch(TASKS);
        List<Database> databases = new ArrayList<>();
        List<Outbox> outboxes = new ArrayList<>();
        try {
            for (int n = 0; n < INSTANCES; n++) {
                AtomicInteger mine = perInstance[n] = new AtomicInteger();
                Database db = OutboxTestSupport.open(testDatabase, WORKERS + 2);
                databases.add(db);
                outboxes.add(Outbox.builder(db).table(table).workers(WORKERS).pollInterval(Duration.ofMillis(20))
                        .handler("work", task -> {
                            if (inFlight.computeIfAbsent(task.id(), id -> new AtomicInteger()).incrementAndGet() != 1) {
                                overlaps.add(task.payload());
                            }
                            runs.computeIfAbsent(task.id(), id -> new AtomicInteger()).incrementAndGet();
                            mine.incrementAndGet();
                            Thread.yield(); // widen the window in which a second runner would overlap
                            inFlight.get(task.id()).decrementAndGet();
                        })
                        .hooks(new Hooks() {
                            @Override
                            public void afterDone(OutboxTask task, boolean marked) {
                                if (marked) {
                                    allDone.countDown();
                                }
                            }
                        })
                        .start());
            }
            assertThat(allDone.await(300, TimeUnit.SECONDS)).as("all " + TASKS + " tasks done; left " + allDone.getCount()).isTrue();
        } finally {
            outboxes.forEach(Outbox::close);
        }
        try {
            Database db = databases.get(0);
            assertThat(overlaps).as("tasks that ran in two places at once").isEmpty();
            assertThat(runs).as("tasks that ran").hasSize(TASKS);
            assertThat(runs.values()).as("runs per task").allMatch(count -> count.get() == 1);
            assertThat(count(db, "SELECT COUNT(*) FROM " + table + " WHERE status = 'DONE'")).isEqualTo(TASKS);
            for (int n = 0; n < INSTANCES; n++) {
                assertThat(perInstance[n].get()).as("tasks run by instance " + n).isPositive();
            }
            System.out.println(testDatabase + ": " + TASKS + " tasks over " + INSTANCES + " instances: "
                    + List.of(perInstance));
        } finally {
            databases.forEach(Database::close);
        }
    }
}
