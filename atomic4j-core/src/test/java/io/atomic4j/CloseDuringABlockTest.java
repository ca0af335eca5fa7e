package io.atomic4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.atomic4j.testing.TestDatabase;
import java.sql.SQLException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Database.close() called by another thread while this thread's block is open, and the block then
 * ends normally: it must not commit, and says that the database was closed.
 */
class CloseDuringABlockTest extends DatabaseTestBase {

    private void closeOnAnotherThread(Database database) throws Exception {
        CompletableFuture.runAsync(database::close).get(30, TimeUnit.SECONDS);
    }

    @EveryDatabase
    void aBlockThatWroteBeforeTheCloseDoesNotCommit(TestDatabase database) throws Exception {
        use(database);
        Database closing = db;
        db = null;   // closed by the test: nothing left for the leak check
        Throwable thrown = catchThrowable(() -> closing.atomic(() -> {
            insert(closing, 1);
            closeOnAnotherThread(closing);
        }));
        assertThat(thrown).isInstanceOf(IllegalStateException.class).hasMessageContaining("is closed");
        assertThat(committedIds()).isEmpty();
    }

    @EveryDatabase
    void aBlockThatRanNoStatementSaysTheDatabaseWasClosed(TestDatabase database) throws Exception {
        use(database);
        Database closing = db;
        db = null;
        Throwable thrown = catchThrowable(() -> closing.atomic(() -> closeOnAnotherThread(closing)));
        assertThat(thrown).isInstanceOf(IllegalStateException.class).hasMessageContaining("is closed");
    }
}
