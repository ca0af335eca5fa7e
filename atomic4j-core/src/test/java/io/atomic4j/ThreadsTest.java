package io.atomic4j;

import static org.assertj.core.api.Assertions.assertThat;

import io.atomic4j.testing.TestDatabase;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/** Transaction state is per thread; one Database is shared safely by many threads. */
class ThreadsTest extends DatabaseTestBase {

    @EveryDatabase
    void blocksOfTwoThreadsAreIndependent(TestDatabase database) throws Exception {
        use(database);
        CountDownLatch firstInBlock = new CountDownLatch(1);
        CountDownLatch secondChecked = new CountDownLatch(1);
        boolean[] secondSawBlock = new boolean[1];
        Thread first = new Thread(() -> {
            try {
                db.atomic(() -> {
                    db.setRollback(true);
                    firstInBlock.countDown();
                    secondChecked.await(30, TimeUnit.SECONDS);
                });
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        first.start();
        firstInBlock.await(30, TimeUnit.SECONDS);
        secondSawBlock[0] = db.inAtomicBlock();
        db.atomic(() -> insert(2));      // not affected by the other thread's rollback mark
        secondChecked.countDown();
        first.join();
        assertThat(secondSawBlock[0]).isFalse();
        assertThat(committedIds()).containsExactly(2);
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
            executor.shutdown();
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
            }).get();
            boolean inBlock = single.submit(db::inAtomicBlock).get();
            boolean autocommit = single.submit(db::getAutoCommit).get();
            assertThat(inBlock).isFalse();
            assertThat(autocommit).isTrue();
        } finally {
            single.shutdown();
        }
    }

    @EveryDatabase
    void aDatabaseIsSharedWithoutCrossTalkOfHooks(TestDatabase database) throws SQLException, InterruptedException {
        use(database);
        List<String> hooks = java.util.Collections.synchronizedList(new ArrayList<>());
        CountDownLatch registered = new CountDownLatch(1);
        CountDownLatch committed = new CountDownLatch(1);
        Thread other = new Thread(() -> {
            try {
                db.atomic(() -> {
                    db.onCommit(() -> hooks.add("other"));
                    registered.countDown();
                    committed.await(30, TimeUnit.SECONDS);
                    throw new IllegalStateException("other rolls back");
                });
            } catch (Exception expected) {
                // rolled back
            }
        });
        other.start();
        registered.await(30, TimeUnit.SECONDS);
        db.atomic(() -> db.onCommit(() -> hooks.add("mine")));
        committed.countDown();
        other.join();
        assertThat(hooks).containsExactly("mine");
    }
}
