package io.atomic4j.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.atomic4j.Database;
import io.atomic4j.OnCommitFailedException;
import io.atomic4j.testing.TestDatabase;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * {@link OnCommitCapture}: Django's CaptureOnCommitCallbacksTests, as a user writes them, inside
 * the extension's rolled-back tests. Rerun on each database by a subclass that only provides the
 * two databases (Django's trick of re-running a behaviour class with other set-up).
 */
@AtomicTest
abstract class OnCommitCaptureBehaviour {
    abstract Database db();

    abstract Database other();

    static Database open(TestDatabase kind, String alias) {
        return Items.create(kind, "capture_" + alias, alias).db;
    }

    @Test
    void capturesCallbacksWithoutRunningThem() {
        AtomicInteger ran = new AtomicInteger();
        Runnable callback = ran::incrementAndGet;
        List<Runnable> captured = OnCommitCapture.capture(db(), () -> db().onCommit(callback));
        assertThat(captured).containsExactly(callback);
        assertThat(ran).hasValue(0);
    }

    @Test
    void capturesOnTheDatabaseItIsGiven() {
        Runnable callback = () -> { };
        assertThat(OnCommitCapture.capture(other(), () -> other().onCommit(callback))).containsExactly(callback);
    }

    @Test
    void ignoresCallbacksOfAnotherDatabase() {
        assertThat(OnCommitCapture.capture(db(), () -> other().onCommit(() -> { }))).isEmpty();
    }

    @Test
    void runsTheCallbacksWhenAsked() {
        AtomicInteger ran = new AtomicInteger();
        List<Runnable> captured = OnCommitCapture.captureAndRun(db(), () -> db().onCommit(ran::incrementAndGet));
        assertThat(captured).hasSize(1);
        assertThat(ran).hasValue(1);
    }

    @Test
    void ignoresCallbacksRegisteredBeforeItStarted() {
        Runnable before = () -> { };
        Runnable during = () -> { };
        db().onCommit(before);
        assertThat(OnCommitCapture.capture(db(), () -> db().onCommit(during))).containsExactly(during);
    }

    @Test
    void ignoresCallbacksOfARolledBackBlock() {
        List<Runnable> captured = OnCommitCapture.capture(db(), () -> {
            try {
                db().atomic(() -> {
                    Items.insert(db(), "lost");
                    db().onCommit(() -> { });
                    throw new IllegalStateException("rolled back");
                });
            } catch (IllegalStateException expected) {
                // the block's savepoint was rolled back, and its callback dropped
            }
        });
        assertThat(captured).isEmpty();
    }

    @Test
    void runsCallbacksThatCallbacksRegister() {
        AtomicInteger parents = new AtomicInteger();
        AtomicInteger children = new AtomicInteger();
        List<Runnable> captured = OnCommitCapture.captureAndRun(db(), () -> db().onCommit(() -> {
            parents.incrementAndGet();
            db().onCommit(children::incrementAndGet);
        }));
        assertThat(captured).hasSize(2);
        assertThat(parents).hasValue(1);
        assertThat(children).hasValue(1);
    }

    /** Django's test_execute_tree: every node runs once, level by level. */
    @Test
    void runsATreeOfCallbacksBreadthFirst() {
        List<String> ran = new ArrayList<>();
        Runnable leaf1 = () -> ran.add("leaf_1");
        Runnable leaf2 = () -> ran.add("leaf_2");
        Runnable leaf3 = () -> ran.add("leaf_3");
        Runnable branch2 = () -> {
            ran.add("branch_2");
            db().onCommit(leaf1);
            db().onCommit(leaf2);
        };
        Runnable branch1 = () -> {
            ran.add("branch_1");
            db().onCommit(branch2);
            db().onCommit(leaf3);
        };
        List<Runnable> captured = OnCommitCapture.captureAndRun(db(), () -> db().onCommit(branch1));
        assertThat(captured).containsExactly(branch1, branch2, leaf3, leaf1, leaf2);
        assertThat(ran).containsExactly("branch_1", "branch_2", "leaf_3", "leaf_1", "leaf_2");
    }

    @Test
    void runCallbacksSeeTheTestsUncommittedData() {
        List<List<String>> seen = new ArrayList<>();
        OnCommitCapture.captureAndRun(db(), () -> {
            Items.insert(db(), "ada");
            db().onCommit(() -> seen.add(Items.names(db())));
        });
        assertThat(seen).containsExactly(List.of("ada"));
    }

    /** As after a real commit: the failure says "committed, the callback failed", never "nothing was saved". */
    @Test
    void aFailingCallbackStopsTheRunAndComesOutAsOnCommitFailed() {
        AtomicInteger ran = new AtomicInteger();
        IllegalStateException failure = new IllegalStateException("mail server down");
        assertThatThrownBy(() -> OnCommitCapture.captureAndRun(db(), () -> {
            db().onCommit(() -> {
                throw failure;
            });
            db().onCommit(ran::incrementAndGet);
        })).isInstanceOfSatisfying(OnCommitFailedException.class, e -> assertThat(e.alias()).isEqualTo(db().alias()))
                .hasCause(failure)
                .hasMessageContaining("database '" + db().alias() + "' committed");
        assertThat(ran).hasValue(0);
    }

    @Test
    void aFailingCallbackOfTheTryWithResourcesFormComesOutOfClose() {
        IllegalStateException failure = new IllegalStateException("mail server down");
        OnCommitCapture capture = OnCommitCapture.start(other(), true);
        other().onCommit(() -> {
            throw failure;
        });
        assertThatThrownBy(capture::close).isInstanceOf(OnCommitFailedException.class).hasCause(failure)
                .hasMessageContaining("'" + other().alias() + "'");
        assertThat(capture.callbacks()).hasSize(1);
    }

    /** Django's test_execute_robust: a robust callback's failure is logged, the callback still counts and the others run. */
    @Test
    void aFailingRobustCallbackIsLoggedAndTheOthersRun() {
        AtomicInteger ran = new AtomicInteger();
        List<Runnable> captured = OnCommitCapture.captureAndRun(db(), () -> {
            db().onCommit(() -> {
                throw new IllegalStateException("mail server down");
            }, true);
            db().onCommit(ran::incrementAndGet);
        });
        assertThat(captured).hasSize(2);
        assertThat(ran).hasValue(1);
    }

    @Test
    void theBodysExceptionWinsAndTheCallbacksStillRun() {
        AtomicInteger ran = new AtomicInteger();
        IllegalArgumentException bodyFailure = new IllegalArgumentException("body");
        assertThatThrownBy(() -> OnCommitCapture.captureAndRun(db(), () -> {
            db().onCommit(ran::incrementAndGet);
            throw bodyFailure;
        })).isSameAs(bodyFailure);
        assertThat(ran).hasValue(1);
    }

    @Test
    void theTryWithResourcesFormFillsItsListOnClose() {
        AtomicInteger ran = new AtomicInteger();
        OnCommitCapture capture = OnCommitCapture.start(db(), true);
        try (capture) {
            db().onCommit(ran::incrementAndGet);
            assertThat(capture.callbacks()).isEmpty();
        }
        assertThat(capture.callbacks()).hasSize(1);
        assertThat(ran).hasValue(1);
        capture.close();   // again: nothing happens
        assertThat(ran).hasValue(1);
    }

    @Test
    void closingOnAnotherThreadIsRefused() throws InterruptedException {
        OnCommitCapture capture = OnCommitCapture.start(db());
        try {
            CompletableFuture.runAsync(capture::close).get();
        } catch (ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("closed by a thread that did not start it");
            capture.close();
            return;
        }
        throw new AssertionError("closing on another thread was not refused");
    }
}
