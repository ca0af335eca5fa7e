package io.atomic4j.benchmarks;

import io.atomic4j.Database;
import io.atomic4j.outbox.Outbox;
import io.atomic4j.outbox.OutboxTask;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the outbox costs and how fast it is, per database (not run by {@code mvn verify}):
 * <ol>
 * <li>enqueue in the committing transaction: JDBC statements per transaction, and the
 *     throughput of "INSERT + enqueue + COMMIT" against "INSERT + COMMIT", interleaved in
 *     slices so both see the same disk (the fast path and the poller are switched off here,
 *     so only the request path is measured);</li>
 * <li>tasks per second from commit to done: a backlog of due tasks drained by 1 and by 3
 *     instances (own pools, 4 workers each), and tasks enqueued one per transaction from 4
 *     threads and run by the fast path;</li>
 * <li>latency from COMMIT to handler start, fast path, one task at a time: p50 and p99.</li>
 * </ol>
 * <pre>
 * mvn -B -q -pl atomic4j-benchmarks -am package -DskipTests
 * cd atomic4j-benchmarks &amp;&amp; java -cp "target/classes:$(cat target/class-path.txt)" \
 *     io.atomic4j.benchmarks.OutboxBenchmark SQLITE H2 POSTGRES MARIADB
 * </pre>
 */
public final class OutboxBenchmark {
    private static final int ROUNDS = 11;
    private static final long SLICE_NANOS = 200_000_000L;
    private static final int BACKLOG = 3000;
    private static final int FAST_PATH_TASKS = 2000;
    private static final int LATENCY_SAMPLES = 1000;

    private OutboxBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        List<String> kinds = args.length == 0 ? List.of("SQLITE", "H2", "POSTGRES", "MARIADB") : Arrays.asList(args);
        for (String kind : kinds) {
            BenchDatabase database = BenchDatabase.create(kind.toUpperCase(Locale.ROOT));
            System.out.println("== " + database.kind());
            statements(database);
            enqueueRatio(database);
            backlog(database, 1);
            backlog(database, 3);
            fastPath(database);
            latency(database);
        }
        System.exit(0);
    }

    private static Database open(BenchDatabase database) {
        return Database.builder(database.jdbcUrl()).user(database.user()).password(database.password())
                .maxPoolSize(BenchDatabase.POOL_SIZE).build();
    }

    private static Outbox.Builder outbox(Database db, String table) {
        return Outbox.builder(db).table(table).pollInterval(Duration.ofMillis(20));
    }

    private static void insertItem(Database db, long id) throws SQLException {
        try (Connection connection = db.connection();
             PreparedStatement insert = connection.prepareStatement("INSERT INTO item (id, name) VALUES (?, ?)")) {
            insert.setLong(1, id);
            insert.setString(2, "item " + id);
            insert.executeUpdate();
        }
    }

    /** JDBC calls that run SQL per transaction, with and without one and three enqueues. */
    private static void statements(BenchDatabase database) throws Exception {
        AtomicLong counter = new AtomicLong();
        try (var pool = database.newPool(RoundTrips.countingDriver(database, counter), 2);
             Database db = Database.wrap("bench", pool)) {
            BenchDatabase.createSchema(pool);
            try (Outbox outbox = outbox(db, "bench_outbox_count").pollInterval(Duration.ofHours(1)).executor(command -> { }).handler("t", task -> { }).start()) {
                long[] ids = {0};
                long[] per = new long[3];
                int[] enqueues = {0, 1, 3};
                for (int variant = 0; variant < 3; variant++) {
                    int n = enqueues[variant];
                    per[variant] = Long.MAX_VALUE;
                    // The least of five: the poller's one round at start() may fall into a measured transaction.
                    for (int attempt = 0; attempt < 5; attempt++) {
                        counter.set(0);
                        db.atomic(() -> {
                            insertItem(db, ++ids[0]);
                            for (int i = 0; i < n; i++) {
                                outbox.enqueue("t", "payload");
                            }
                        });
                        per[variant] = Math.min(per[variant], counter.get());
                    }
                }
                System.out.printf("statements per transaction: INSERT+COMMIT %d, +1 enqueue %d, +3 enqueues %d%n",
                        per[0], per[1], per[2]);
            }
        }
    }

    /** Median ratio of throughput, interleaved slices: with one enqueue / without. */
    private static void enqueueRatio(BenchDatabase database) throws Exception {
        try (Database db = open(database)) {
            BenchDatabase.createSchema(db.dataSource());
            try (Outbox outbox = outbox(db, "bench_outbox_ratio").pollInterval(Duration.ofHours(1)).executor(command -> { }).handler("t", task -> { }).start()) {
                long[] ids = {0};
                double[] ratios = new double[ROUNDS];
                double[] plain = new double[ROUNDS];
                double[] with = new double[ROUNDS];
                for (int round = -1; round < ROUNDS; round++) { // round -1 warms up
                    boolean enqueueFirst = round % 2 == 0;
                    double a = slice(db, ids, outbox, enqueueFirst);
                    double b = slice(db, ids, outbox, !enqueueFirst);
                    double withEnqueue = enqueueFirst ? a : b;
                    double without = enqueueFirst ? b : a;
                    if (round >= 0) {
                        ratios[round] = withEnqueue / without;
                        plain[round] = without;
                        with[round] = withEnqueue;
                    }
                }
                System.out.printf("transactions/s: INSERT+COMMIT %.0f, INSERT+enqueue+COMMIT %.0f; ratio (median of %d) %.2f%n",
                        median(plain), median(with), ROUNDS, median(ratios));
            }
        }
    }

    private static double slice(Database db, long[] ids, Outbox outbox, boolean enqueue) throws SQLException {
        long start = System.nanoTime();
        long end = start + SLICE_NANOS;
        int count = 0;
        while (System.nanoTime() < end) {
            db.atomic(() -> {
                insertItem(db, ++ids[0]);
                if (enqueue) {
                    outbox.enqueue("t", "payload");
                }
            });
            count++;
        }
        return count / ((System.nanoTime() - start) / 1e9);
    }

    /** A backlog of due tasks (their producer holds none), drained by {@code instances} instances. */
    private static void backlog(BenchDatabase database, int instances) throws Exception {
        String table = "bench_outbox_backlog_" + instances;
        try (Database producerDb = open(database);
             Outbox producer = outbox(producerDb, table).lease(Duration.ofMillis(1)).pollInterval(Duration.ofHours(1))
                     .executor(command -> { }).handler("t", task -> { }).start()) {
            for (int block = 0; block < BACKLOG / 500; block++) {
                producerDb.atomic(() -> {
                    for (int i = 0; i < 500; i++) {
                        producer.enqueue("t", "payload");
                    }
                });
            }
        }
        CountDownLatch done = new CountDownLatch(BACKLOG);
        List<Database> dbs = new ArrayList<>();
        List<Outbox> outboxes = new ArrayList<>();
        long start = System.nanoTime();
        for (int i = 0; i < instances; i++) {
            Database db = open(database);
            dbs.add(db);
            outboxes.add(outbox(db, table).workers(4).handler("t", task -> done.countDown()).start());
        }
        boolean finished = done.await(10, TimeUnit.MINUTES);
        double seconds = (System.nanoTime() - start) / 1e9;
        outboxes.forEach(Outbox::close);
        dbs.forEach(Database::close);
        System.out.printf("backlog of %d drained by %d instance(s): %.0f tasks/s%s%n", BACKLOG, instances, BACKLOG / seconds,
                finished ? "" : " (NOT FINISHED)");
    }

    /** Tasks enqueued one per transaction by 4 threads, run by the fast path: first commit to last handler end. */
    private static void fastPath(BenchDatabase database) throws Exception {
        try (Database db = open(database)) {
            CountDownLatch done = new CountDownLatch(FAST_PATH_TASKS);
            try (Outbox outbox = outbox(db, "bench_outbox_fast").workers(4).handler("t", task -> done.countDown()).start()) {
                long start = System.nanoTime();
                List<Thread> threads = new ArrayList<>();
                for (int t = 0; t < 4; t++) {
                    Thread thread = new Thread(() -> {
                        for (int i = 0; i < FAST_PATH_TASKS / 4; i++) {
                            db.atomic(() -> outbox.enqueue("t", "payload"));
                        }
                    });
                    threads.add(thread);
                    thread.start();
                }
                for (Thread thread : threads) {
                    thread.join();
                }
                boolean finished = done.await(10, TimeUnit.MINUTES);
                double seconds = (System.nanoTime() - start) / 1e9;
                System.out.printf("fast path, %d tasks enqueued one per transaction by 4 threads: %.0f tasks/s commit to done%s%n",
                        FAST_PATH_TASKS, FAST_PATH_TASKS / seconds, finished ? "" : " (NOT FINISHED)");
            }
        }
    }

    /** COMMIT to handler start on the fast path, one task at a time. */
    private static void latency(BenchDatabase database) throws Exception {
        try (Database db = open(database)) {
            BlockingQueue<Long> started = new ArrayBlockingQueue<>(1);
            try (Outbox outbox = outbox(db, "bench_outbox_latency").handler("t", (OutboxTask task) -> started.add(System.nanoTime()))
                    .start()) {
                long[] micros = new long[LATENCY_SAMPLES];
                for (int i = -200; i < LATENCY_SAMPLES; i++) { // 200 warm-up
                    long[] committed = new long[1];
                    db.atomic(() -> {
                        db.onCommit(() -> committed[0] = System.nanoTime()); // runs first after COMMIT
                        outbox.enqueue("t", "payload");
                    });
                    Long handlerStart = started.poll(10, TimeUnit.SECONDS);
                    if (handlerStart == null) {
                        throw new IllegalStateException("the handler did not start within 10 s");
                    }
                    if (i >= 0) {
                        micros[i] = (handlerStart - committed[0]) / 1000;
                    }
                }
                Arrays.sort(micros);
                System.out.printf("COMMIT to handler start: p50 %d us, p99 %d us, max %d us (%d samples)%n",
                        micros[LATENCY_SAMPLES / 2], micros[LATENCY_SAMPLES * 99 / 100], micros[LATENCY_SAMPLES - 1], LATENCY_SAMPLES);
            }
        }
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
