package io.atomic4j.jdbi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.atomic4j.Database;
import io.atomic4j.TransactionManagementException;
import io.atomic4j.librarytests.LibraryTestBase;
import io.atomic4j.testing.TestDatabase;
import org.jdbi.v3.core.CloseException;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.transaction.TransactionException;
import org.jdbi.v3.core.transaction.TransactionIsolationLevel;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** JDBI's handle-level transaction API (begin/commit/rollback, named savepoints) on every database. */
class JdbiTransactionsTest extends LibraryTestBase {
    private Jdbi jdbi;

    @Override
    protected void open(Database db, TestDatabase testDatabase) {
        jdbi = AtomicTransactionHandler.jdbi(db);
    }

    @Override
    protected void insert(int id) {
        jdbi.useHandle(handle -> insert(handle, id));
    }

    private static void insert(Handle handle, int id) {
        handle.execute("INSERT INTO item (id, name) VALUES (?, ?)", id, "item " + id);
    }

    @ParameterizedTest @EnumSource(TestDatabase.class)
    void beginAndCommitOnAHandle(TestDatabase kind) throws Exception {
        use(kind);
        try (Handle handle = jdbi.open()) {
            handle.begin();
            insert(handle, 1);
            assertThat(committedIds()).isEmpty();
            handle.commit();
            assertThat(committedIds()).containsExactly(1);
            handle.begin();
            insert(handle, 2);
            handle.rollback();
        }
        assertThat(committedIds()).containsExactly(1);
    }

    @ParameterizedTest @EnumSource(TestDatabase.class)
    void beginAndCommitInsideABlockAreASavepoint(TestDatabase kind) throws Exception {
        use(kind);
        db.atomic(() -> {
            insert(1);
            try (Handle handle = jdbi.open()) {
                handle.begin();
                insert(handle, 2);
                handle.commit();
                assertThat(committedIds()).as("the handle's commit released a savepoint only").isEmpty();
                handle.begin();
                insert(handle, 3);
                handle.rollback();
            }
            insert(4);
        });
        assertThat(committedIds()).containsExactly(1, 2, 4);
    }

    @ParameterizedTest @EnumSource(TestDatabase.class)
    void namedSavepointsRollBackAndRelease(TestDatabase kind) throws Exception {
        use(kind);
        jdbi.useTransaction(handle -> {
            insert(handle, 1);
            handle.savepoint("a");
            insert(handle, 2);
            handle.rollbackToSavepoint("a");
            insert(handle, 3);
            handle.savepoint("b");
            insert(handle, 4);
            handle.releaseSavepoint("b");
            assertThatThrownBy(() -> handle.rollbackToSavepoint("b")).isInstanceOf(TransactionException.class)
                    .hasMessageContaining("\"b\"").hasMessageContaining("no such savepoint");
        });
        assertThat(committedIds()).containsExactly(1, 3, 4);
    }

    @ParameterizedTest @EnumSource(TestDatabase.class)
    void aSavepointRollbackRecoversFromADuplicateKey(TestDatabase kind) throws Exception {
        use(kind);
        jdbi.useTransaction(handle -> {
            insert(handle, 1);
            handle.savepoint("retry");
            assertThatThrownBy(() -> insert(handle, 1)).isNotInstanceOf(TransactionManagementException.class);
            handle.rollbackToSavepoint("retry");
            insert(handle, 2);
        });
        assertThat(committedIds()).containsExactly(1, 2);
    }

    @ParameterizedTest @EnumSource(TestDatabase.class)
    void aSavepointOutsideATransactionIsRefused(TestDatabase kind) throws Exception {
        use(kind);
        try (Handle handle = jdbi.open()) {
            assertThatThrownBy(() -> handle.savepoint("a")).isInstanceOf(TransactionException.class)
                    .hasMessageContaining("outside a transaction");
            assertThatThrownBy(handle::commit).isInstanceOf(TransactionException.class).hasMessageContaining("begin()");
        }
    }

    @ParameterizedTest @EnumSource(TestDatabase.class)
    void aHandleClosedWithATransactionOpenRollsItBackAndSaysSo(TestDatabase kind) throws Exception {
        use(kind);
        Handle handle = jdbi.open();
        handle.begin();
        insert(handle, 1);
        assertThatThrownBy(handle::close).isInstanceOf(CloseException.class)
                .satisfies(e -> assertThat(hasCause(e, TransactionException.class)).isTrue());
        assertThat(db.inAtomicBlock()).isFalse();
        assertThat(committedIds()).isEmpty();
    }

    @ParameterizedTest @EnumSource(TestDatabase.class)
    void aHandleOpenedBeforeABlockRunsItsStatementsInTheBlock(TestDatabase kind) throws Exception {
        use(kind);
        try (Handle handle = jdbi.open()) {
            insert(handle, 1);                                   // autocommit: committed at once
            assertThat(committedIds()).containsExactly(1);
            assertThatThrownBy(() -> db.atomic(() -> {
                insert(handle, 2);
                throw new Boom();
            })).isInstanceOf(Boom.class);
            insert(handle, 3);
        }
        assertThat(committedIds()).containsExactly(1, 3);
    }

    @ParameterizedTest @EnumSource(TestDatabase.class)
    void anIsolationLevelAppliesToTheOutermostTransaction(TestDatabase kind) throws Exception {
        use(kind);
        jdbi.useTransaction(TransactionIsolationLevel.SERIALIZABLE, handle -> insert(handle, 1));
        assertThat(committedIds()).containsExactly(1);
    }

    @ParameterizedTest @EnumSource(TestDatabase.class)
    void aJdbiOverAPlainDataSourceIsRefused(TestDatabase kind) throws Exception {
        use(kind);
        Jdbi plain = Jdbi.create(db.dataSource()).setTransactionHandler(new AtomicTransactionHandler(db));
        assertThatThrownBy(plain::open).satisfies(e -> assertThat(e).hasMessageContaining("AtomicTransactionHandler.jdbi(db)"));
    }
}
