package io.atomic4j.outbox;

import io.atomic4j.Database;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The JVM {@link CrashTest} kills. It runs {@value #BLOCKS} blocks that insert an order and
 * enqueue a task for it (every third rolls back, every third also enqueues in a savepoint that
 * rolls back), one after the other. At each named point it prints {@code AT <point> <payload>}
 * and waits for a line on stdin: the parent answers {@code go}, or kills it right there with
 * SIGKILL. Points, in the order a committed task passes them:
 * <ol>
 * <li>{@code before-commit}: inside the block, after the enqueue, before COMMIT;</li>
 * <li>{@code after-commit}: COMMIT done, the task not yet handed to a worker;</li>
 * <li>{@code in-handler}: the handler started, its effect (a row in the runs table) not written;</li>
 * <li>{@code after-handler}: the handler returned (effect written), the task not marked done.</li>
 * </ol>
 * Args: jdbc url, user, outbox table, orders table, runs table. Password (if any) from the
 * environment, never the command line.
 */
final class CrashChild {
    static final int BLOCKS = 6;
    static final String[] POINTS = {"before-commit", "after-commit", "in-handler", "after-handler"};
    static final Duration LEASE = Duration.ofMillis(1500);

    private static final BufferedReader IN = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));

    private CrashChild() {
    }

    /** Whether block {@code i} rolls back (its order and task must never show up). */
    static boolean rollsBack(int i) {
        return i % 3 == 1;
    }

    /** Whether block {@code i} also enqueues in a savepoint that rolls back. */
    static boolean hasInnerRollback(int i) {
        return i % 3 == 2;
    }

    static String payload(int i) {
        return "o" + i;
    }

    public static void main(String[] args) throws Exception {
        String url = args[0];
        String table = args[2];
        String orders = args[3];
        String runs = args[4];
        String password = System.getenv().getOrDefault("CRASH_CHILD_PASSWORD", "");
        Map<String, CountDownLatch> done = new ConcurrentHashMap<>();
        for (int i = 0; i < BLOCKS; i++) {
            done.put(payload(i), new CountDownLatch(1));
        }
        ExecutorService workers = Executors.newFixedThreadPool(2);
        String[] committing = new String[1];
        try (Database db = Database.builder(url).user(args[1]).password(password).maxPoolSize(4).build()) {
            Outbox outbox = Outbox.builder(db).table(table).lease(LEASE).pollInterval(Duration.ofMillis(50))
                    .executor(command -> {
                        point("after-commit", committing[0]);
                        workers.execute(command);
                    })
                    .handler("order", task -> {
                        point("in-handler", task.payload());
                        recordRun(db, runs, task);
                    })
                    .hooks(new Hooks() {
                        @Override
                        public void afterHandler(OutboxTask task) {
                            point("after-handler", task.payload());
                        }

                        @Override
                        public void afterDone(OutboxTask task, boolean marked) {
                            done.get(task.payload()).countDown();
                        }
                    })
                    .start();
            for (int i = 0; i < BLOCKS; i++) {
                int block = i;
                String payload = payload(i);
                committing[0] = payload;
                try {
                    db.atomic(() -> {
                        try (Connection connection = db.connection();
                             PreparedStatement insert = connection.prepareStatement("INSERT INTO " + orders + " (id) VALUES (?)")) {
                            insert.setString(1, payload);
                            insert.executeUpdate();
                        }
                        outbox.enqueue("order", payload);
                        if (hasInnerRollback(block)) {
                            try {
                                db.atomic(() -> {
                                    outbox.enqueue("order", payload + "-inner");
                                    throw new IllegalStateException("inner rollback");
                                });
                            } catch (IllegalStateException expected) {
                                // the savepoint and the task in it are gone; the block goes on
                            }
                        }
                        if (rollsBack(block)) {
                            throw new IllegalStateException("rollback");
                        }
                        point("before-commit", payload);
                    });
                } catch (IllegalStateException expected) {
                    continue;
                }
                if (!done.get(payload).await(60, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("task " + payload + " not done within 60 s");
                }
            }
            outbox.close();
        }
        workers.shutdown();
        System.out.println("FINISHED");
        System.out.flush();
    }

    static void recordRun(Database db, String runs, OutboxTask task) throws Exception {
        try (Connection connection = db.connection();
             PreparedStatement insert = connection.prepareStatement("INSERT INTO " + runs + " (task_id, payload) VALUES (?, ?)")) {
            insert.setString(1, task.id());
            insert.setString(2, task.payload());
            insert.executeUpdate();
        }
    }

    /** Announces the point and waits for the parent's go; the parent may kill us instead. */
    private static synchronized void point(String point, String payload) {
        System.out.println("AT " + point + " " + payload);
        System.out.flush();
        try {
            String answer = IN.readLine();
            if (!"go".equals(answer)) {
                Runtime.getRuntime().halt(3); // the parent is gone
            }
        } catch (Exception e) {
            Runtime.getRuntime().halt(4);
        }
    }
}
