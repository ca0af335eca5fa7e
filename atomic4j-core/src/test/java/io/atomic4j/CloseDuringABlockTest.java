package io.atomic4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.zaxxer.hikari.HikariDataSource;
import io.atomic4j.testing.TestDatabase;
import java.sql.SQLException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Database.close() while a transaction is open: called by another thread while this thread's
 * block is open (the block must not commit, and says that the database was closed), or by the
 * thread itself inside its block or manual transaction.
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

    @EveryDatabase
    void closeInsideTheThreadsOwnBlockRollsItBackAndTheBlockSaysItsConnectionIsGone(TestDatabase database)
            throws Exception {
        use(database);
        Database closing = db;
        db = null;
        Throwable thrown = catchThrowable(() -> closing.atomic(() -> {
            insert(closing, 1);
            closing.close();
        }));
        assertThat(thrown).isInstanceOf(TransactionManagementException.class).hasMessageContaining("was lost")
                .cause().isInstanceOf(IllegalStateException.class).hasMessageContaining("is closed");
        assertThat(committedIds()).isEmpty();
    }

    @EveryDatabase
    void closeInAManualTransactionReturnsTheConnectionToAPoolItDoesNotOwn(TestDatabase database) throws Exception {
        use(database);
        try (HikariDataSource pool = database.newUserPool(2)) {
            Database wrapped = Database.wrap("wrapped", pool);
            wrapped.setAutoCommit(false);
            insert(wrapped, 1);
            wrapped.close();
            assertThat(pool.getHikariPoolMXBean().getActiveConnections()).as("borrowed connections").isZero();
        }
        assertThat(committedIds()).isEmpty();
    }

    @EveryDatabase
    void toStringSaysWhenTheDatabaseIsClosed(TestDatabase database) throws Exception {
        use(database);
        Database closing = db;
        assertThat(closing.toString()).doesNotContain("closed");
        db = null;
        closing.close();
        assertThat(closing.toString()).contains(", closed");
    }

    @EveryDatabase
    void closeInsideTheThreadsOwnBlockReturnsTheConnectionAtOnce(TestDatabase database) throws Exception {
        use(database);
        try (HikariDataSource pool = database.newUserPool(2)) {
            Database wrapped = Database.wrap("wrapped", pool);
            Throwable thrown = catchThrowable(() -> wrapped.atomic(() -> {
                insert(wrapped, 1);
                wrapped.close();
                assertThat(pool.getHikariPoolMXBean().getActiveConnections()).as("borrowed after close()").isZero();
            }));
            assertThat(thrown).isInstanceOf(TransactionManagementException.class).hasMessageContaining("was lost");
        }
        assertThat(committedIds()).isEmpty();
    }
}
