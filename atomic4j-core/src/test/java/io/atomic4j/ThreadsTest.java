package io.atomic4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.atomic4j.testing.TestDatabase;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Transaction state is per thread; one Database is shared safely by many threads. Background
 * work runs in executors and its Future is always read, so a failure on another thread fails
 * the test; every wait is bounded and a time-out fails loudly.
 */
class ThreadsTest extends DatabaseTestBase {

    @EveryDatabase
    void blocksOfTwoThreadsAreIndependent(TestDatabase database) throws Exception {
        use(database);
        CountDownLatch firstInBlock = new CountDownLatch(1);
        CountDownLatch secondChecked = new CountDownLatch(1);
        ExecutorService executor = Executors.newSingleThreadExecutor();
        try {
            Future<?> first = executor.submit(() -> {
                db.atomic(() -> {
                    db.setRollback(true);
                    firstInBlock.countDown();
                    await(secondChecked, "the main thread's block");
                });
                return null;
            });
            boolean secondSawBlock;
            try {
                await(firstInBlock, "the other thread to enter its block", first);
                secondSawBlock = db.inAtomicBlock();
                db.atomic(() -> insert(2));      // not affected by the other thread's rollback mark
            } finally {
                secondChecked.countDown();
            }
            first.get(30, TimeUnit.SECONDS);
            assertThat(secondSawBlock).isFalse();
            assertThat(committedIds()).containsExactly(2);
        } finally {
            shutDown(executor);
        }
    }

    @EveryDatabase
    void oneDatabaseServesManyVirtualOrPlatformThreads(TestDatabase database) throws Exception {
        use(database);
        int threads = 8;
        int perThread = database == TestDatabase.SQLITE ? 5 : 10;
        ExecutorService executor = newExecutor();
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int base = t * 1000;
                futures.add(executor.submit(() -> {
                    for (int i = 0; i < perThread; i++) {
                        int id = base + i;
                        db.atomic(AtomicOptions.defaults().retry(RetryPolicy.transientErrors(20)), () -> {
                            insert(id);
                            try {
                                db.atomic(() -> {
                                    insert(id + 500);
                                    throw new IllegalStateException("inner rolls back");
                                });
                            } catch (IllegalStateException expected) {
                                // the savepoint is rolled back, the outer row stays
                            }
                        });
                    }
                    return null;
                }));
            }
            for (Future<?> future : futures) {
                future.get(120, TimeUnit.SECONDS);
            }
        } finally {
            shutDown(executor);
        }
        List<Integer> ids = committedIds();
        assertThat(ids).hasSize(threads * perThread).allMatch(id -> id % 1000 < 500);
    }

    /** Virtual threads where the JVM has them (21+), platform threads on 17. */
    static ExecutorService newExecutor() {
        try {
            return (ExecutorService) Executors.class.getMethod("newVirtualThreadPerTaskExecutor").invoke(null);
        } catch (ReflectiveOperationException e) {
            return Executors.newFixedThreadPool(8);
        }
    }

    @EveryDatabase
    void stateOfAThreadDoesNotLeakIntoTheNextTaskOnAPooledThread(TestDatabase database) throws Exception {
        use(database);
        ExecutorService single = Executors.newSingleThreadExecutor();
        try {
            single.submit(() -> {
                db.atomic(() -> db.setRollback(true));
                return null;
            }).get(30, TimeUnit.SECONDS);
            boolean inBlock = single.submit(db::inAtomicBlock).get(30, TimeUnit.SECONDS);
            boolean autocommit = single.submit(db::getAutoCommit).get(30, TimeUnit.SECONDS);
            assertThat(inBlock).isFalse();
            assertThat(autocommit).isTrue();
        } finally {
            shutDown(single);
        }
    }

    @EveryDatabase
    void aDatabaseIsSharedWithoutCrossTalkOfHooks(TestDatabase database) throws Exception {
        use(database);
        List<String> hooks = java.util.Collections.synchronizedList(new ArrayList<>());
        CountDownLatch registered = new CountDownLatch(1);
        CountDownLatch committed = new CountDownLatch(1);
        ExecutorService executor = Executors.newSingleThreadExecutor();
        try {
            Future<?> other = executor.submit(() -> {
                db.atomic(() -> {
                    db.onCommit(() -> hooks.add("other"));
                    registered.countDown();
                    await(committed, "the main thread's commit");
                    throw new IllegalStateException("other rolls back");
                });
                return null;
            });
            try {
                await(registered, "the other thread to register its hook", other);
                db.atomic(() -> db.onCommit(() -> hooks.add("mine")));
            } finally {
                committed.countDown();
            }
            assertThatThrownBy(() -> other.get(30, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(IllegalStateException.class).hasMessage("other rolls back");
            assertThat(hooks).containsExactly("mine");
        } finally {
            shutDown(executor);
        }
    }

    /** In a background thread: waits for {@code latch}, and fails loudly if it never opens. */
    private static void await(CountDownLatch latch, String what) throws InterruptedException {
        if (!latch.await(30, TimeUnit.SECONDS)) {
            throw new AssertionError("timed out after 30 s waiting for " + what);
        }
    }

    /**
     * On the test's thread: waits for {@code latch}, which {@code other} opens. If it never opens,
     * the other thread's own failure is thrown (wrapped in an ExecutionException) rather than a
     * bare time-out.
     */
    private static void await(CountDownLatch latch, String what, Future<?> other) throws Exception {
        if (latch.await(30, TimeUnit.SECONDS)) {
            return;
        }
        if (other.isDone()) {
            other.get();
            throw new AssertionError("the other thread ended without letting the test go on: waited for " + what);
        }
        throw new AssertionError("timed out after 30 s waiting for " + what);
    }

    /** Stops the executor's threads and fails the test if one of them is still running. */
    private static void shutDown(ExecutorService executor) throws InterruptedException {
        executor.shutdownNow();
        assertThat(executor.awaitTermination(30, TimeUnit.SECONDS)).as("background threads ended").isTrue();
    }
}
