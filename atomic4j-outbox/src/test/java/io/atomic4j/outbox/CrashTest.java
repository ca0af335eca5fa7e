package io.atomic4j.outbox;

import static io.atomic4j.outbox.OutboxTestSupport.count;
import static io.atomic4j.outbox.OutboxTestSupport.execute;
import static io.atomic4j.outbox.OutboxTestSupport.newTable;
import static io.atomic4j.outbox.OutboxTestSupport.strings;
import static org.assertj.core.api.Assertions.assertThat;

import io.atomic4j.Database;
import io.atomic4j.testing.TestDatabase;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Real crashes: a child JVM ({@link CrashChild}) enqueues in blocks and is killed with SIGKILL
 * ({@code Process.destroyForcibly}) at one of its four points, chosen or random; then an outbox
 * in this JVM, over the same table, completes the work. Checked after every run: each committed
 * task ran at least once, no rolled-back task left a row or ran, and a task ran twice only when
 * the kill fell between its handler's end and its done mark. Counts are printed at the end.
 */
class CrashTest {
    private static final long WAIT_SECONDS = 60;
    /** More with -Datomic4j.crash.randomRuns=N (the default keeps the module's tests near two minutes). */
    private static final int RANDOM_RUNS_PER_DATABASE = Integer.getInteger("atomic4j.crash.randomRuns", 1);
    private static final long SEED = Long.getLong("atomic4j.crash.seed", System.nanoTime());
    private static final Map<String, AtomicInteger> KILLS = new ConcurrentHashMap<>();
    private static final AtomicInteger RUNS = new AtomicInteger();
    private static final AtomicInteger DUPLICATES = new AtomicInteger();
    private static final AtomicInteger RECOVERED = new AtomicInteger();
    private static final AtomicInteger TASKS = new AtomicInteger();

    @TempDir
    static Path files;

    static Stream<Arguments> runs() {
        Random random = new Random(SEED);
        List<Arguments> runs = new ArrayList<>();
        for (TestDatabase database : TestDatabase.values()) {
            for (String point : CrashChild.POINTS) {
                runs.add(Arguments.of(database, "at " + point, point, -1));
            }
            for (int i = 0; i < RANDOM_RUNS_PER_DATABASE; i++) {
                int event = random.nextInt(4 * CrashChild.BLOCKS * 2 / 3);
                runs.add(Arguments.of(database, "random (event " + event + ", seed " + SEED + ")", null, event));
            }
        }
        return runs.stream();
    }

    @AfterAll
    static void printCounts() {
        System.out.println("Crash runs: " + RUNS + ", kills per point: " + new TreeMap<>(KILLS) + ", committed tasks checked: "
                + TASKS + ", recovered by the new process: " + RECOVERED + ", duplicates: " + DUPLICATES + ", lost: 0");
    }

    /**
     * @param point the point to kill at, the second time it is reached (the first committed
     *              task passes every point, so the kill hits the second one), or null for random
     * @param event for random runs, the index of the announced point to kill at
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("runs")
    void committedTasksRunAtLeastOnceAndRolledBackOnesNeverAfterSigkill(TestDatabase testDatabase, String label,
                                                                         String point, int event) throws Exception {
        String url = url(testDatabase);
        String table = newTable("crash");
        String orders = table + "_orders";
        String runs = table + "_runs";
        try (Database db = OutboxTestSupport.open(url, testDatabase, 2)) {
            execute(db, "CREATE TABLE " + orders + " (id VARCHAR(40) PRIMARY KEY)");
            execute(db, "CREATE TABLE " + runs + " (task_id VARCHAR(36) NOT NULL, payload VARCHAR(40) NOT NULL)");
        }

        String killedAt = runChildAndKill(testDatabase, url, table, orders, runs, point, event);
        RUNS.incrementAndGet();
        if (killedAt != null) {
            KILLS.computeIfAbsent(killedAt.split(" ")[0], key -> new AtomicInteger()).incrementAndGet();
        }
        if (point != null) {
            assertThat(killedAt).as("the child reached the chosen point").startsWith(point + " ");
        }

        try (Database db = OutboxTestSupport.open(url, testDatabase, 4)) {
            Set<String> committed = new HashSet<>(strings(db, "SELECT id FROM " + orders));
            // Work that never committed left no task behind.
            assertThat(strings(db, "SELECT payload FROM " + table)).as("tasks in the table").containsExactlyInAnyOrderElementsOf(committed);

            int unfinished = (int) count(db, "SELECT COUNT(*) FROM " + table + " WHERE status <> 'DONE'");
            CountDownLatch finished = new CountDownLatch(unfinished);
            try (Outbox recovery = Outbox.builder(db).table(table).lease(CrashChild.LEASE).pollInterval(Duration.ofMillis(20))
                    .handler("order", task -> CrashChild.recordRun(db, runs, task))
                    .hooks(new Hooks() {
                        @Override
                        public void afterDone(OutboxTask task, boolean marked) {
                            finished.countDown();
                        }
                    })
                    .start()) {
                assertThat(finished.await(WAIT_SECONDS, TimeUnit.SECONDS))
                        .as(unfinished + " unfinished tasks completed by the new process").isTrue();
            }
            RECOVERED.addAndGet(unfinished);
            TASKS.addAndGet(committed.size());

            assertThat(count(db, "SELECT COUNT(*) FROM " + table + " WHERE status <> 'DONE'")).as("tasks not done").isZero();
            List<String> ran = strings(db, "SELECT payload FROM " + runs);
            assertThat(new HashSet<>(ran)).as("every committed task ran, no other").isEqualTo(committed);
            for (int i = 0; i < CrashChild.BLOCKS; i++) {
                if (CrashChild.rollsBack(i)) {
                    assertThat(committed).doesNotContain(CrashChild.payload(i));
                }
            }
            List<String> twice = new ArrayList<>(ran);
            new HashSet<>(ran).forEach(twice::remove);
            DUPLICATES.addAndGet(twice.size());
            if (killedAt != null && killedAt.startsWith("after-handler ")) {
                assertThat(twice).as("only the task killed after its handler ran twice")
                        .containsExactly(killedAt.substring("after-handler ".length()));
            } else {
                assertThat(twice).as("no task ran twice").isEmpty();
            }
        }
    }

    /** Runs the child, answering "go" until the kill point; returns "point payload" where it was killed, or null. */
    private static String runChildAndKill(TestDatabase testDatabase, String url, String table, String orders, String runs,
                                          String point, int event) throws Exception {
        Path stderr = Files.createTempFile(files, "child-", ".log");
        ProcessBuilder builder = new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m", "-XX:TieredStopAtLevel=1", "-Xshare:auto",
                "-cp", System.getProperty("java.class.path"),
                CrashChild.class.getName(), url, testDatabase.user(), table, orders, runs)
                .redirectError(stderr.toFile());
        builder.environment().put("CRASH_CHILD_PASSWORD", testDatabase.password());
        Process child = builder.start();
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = out.readLine(); line != null; line = out.readLine()) {
                    lines.add(line);
                }
            } catch (IOException e) {
                // the child died: the stream ends
            }
            lines.add("EOF");
        }, "crash-child-reader");
        reader.setDaemon(true);
        reader.start();
        try (OutputStream in = child.getOutputStream()) {
            Map<String, Integer> seen = new ConcurrentHashMap<>();
            int index = 0;
            while (true) {
                String line = lines.poll(WAIT_SECONDS, TimeUnit.SECONDS);
                assertThat(line).as("the child spoke within " + WAIT_SECONDS + " s; its log:\n" + Files.readString(stderr)).isNotNull();
                if (line.equals("FINISHED") || line.equals("EOF")) {
                    assertThat(child.waitFor(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
                    assertThat(child.exitValue()).as("child exit; its log:\n" + Files.readString(stderr)).isZero();
                    return null;
                }
                assertThat(line).startsWith("AT ");
                String at = line.substring(3);
                String atPoint = at.split(" ")[0];
                int times = seen.merge(atPoint, 1, Integer::sum);
                boolean kill = point != null ? point.equals(atPoint) && times == 2 : index == event;
                index++;
                if (kill) {
                    child.destroyForcibly();
                    assertThat(child.waitFor(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
                    return at;
                }
                in.write("go\n".getBytes(StandardCharsets.UTF_8));
                in.flush();
            }
        } finally {
            if (child.isAlive()) {
                child.destroyForcibly();
                child.waitFor(WAIT_SECONDS, TimeUnit.SECONDS);
            }
        }
    }

    /**
     * One database per kind for all runs (tables differ per run). H2 as a file, so it outlives
     * the child, with WRITE_DELAY=0: by default H2 writes commits to the file up to 500 ms later,
     * and a killed process loses them (this test saw the outbox table itself vanish).
     */
    private static final Map<TestDatabase, String> URLS = new ConcurrentHashMap<>();

    private static String url(TestDatabase testDatabase) {
        return URLS.computeIfAbsent(testDatabase, kind -> switch (kind) {
            case H2 -> "jdbc:h2:file:" + files.resolve("crash-h2").toAbsolutePath() + ";FILE_LOCK=FS;WRITE_DELAY=0;LOCK_TIMEOUT=10000";
            default -> kind.newDatabaseUrl("crash");
        });
    }
}
