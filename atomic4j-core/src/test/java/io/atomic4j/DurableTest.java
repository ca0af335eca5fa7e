package io.atomic4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.atomic4j.testing.TestDatabase;
import java.sql.SQLException;

/** Django's DurableTests, and the options that only the outermost block can take. */
class DurableTest extends DatabaseTestBase {
    static final AtomicOptions DURABLE = AtomicOptions.defaults().durable(true);

    @EveryDatabase
    void durableBlockCommits(TestDatabase database) throws SQLException {
        use(database);
        db.atomic(DURABLE, () -> insert(1));
        assertThat(committedIds()).containsExactly(1);
    }

    @EveryDatabase
    void durableOuterWithANormalInnerBlockWorks(TestDatabase database) throws SQLException {
        use(database);
        db.atomic(DURABLE, () -> db.atomic(() -> insert(1)));
        assertThat(committedIds()).containsExactly(1);
    }

    @EveryDatabase
    void durableInsideAnotherBlockIsRefusedBeforeAnyWork(TestDatabase database) throws SQLException {
        use(database);
        db.atomic(() -> {
            insert(1);
            assertThatThrownBy(() -> db.atomic(DURABLE, () -> insert(2)))
                    .isInstanceOf(TransactionManagementException.class)
                    .hasMessageContaining("A durable atomic block cannot be nested within another atomic block");
            assertThatThrownBy(() -> db.atomic(DURABLE, () -> db.atomic(DURABLE, () -> insert(3))))
                    .isInstanceOf(TransactionManagementException.class);
        });
        assertThat(committedIds()).containsExactly(1);
    }

    @EveryDatabase
    void sequenceOfDurableBlocksCommitsEach(TestDatabase database) throws SQLException {
        use(database);
        db.atomic(DURABLE, () -> insert(1));
        db.atomic(DURABLE, () -> insert(2));
        assertThat(committedIds()).containsExactly(1, 2);
    }

    @EveryDatabase
    void isolationReadOnlyAndRetryAreRefusedOnNestedBlocks(TestDatabase database) throws SQLException {
        use(database);
        db.atomic(() -> {
            assertThatThrownBy(() -> db.atomic(AtomicOptions.defaults().isolation(Isolation.SERIALIZABLE), () -> { }))
                    .isInstanceOf(TransactionManagementException.class).hasMessageContaining("outermost");
            assertThatThrownBy(() -> db.atomic(AtomicOptions.defaults().readOnly(true), () -> { }))
                    .isInstanceOf(TransactionManagementException.class).hasMessageContaining("outermost");
            assertThatThrownBy(() -> db.atomic(AtomicOptions.defaults().retry(RetryPolicy.transientErrors(3)), () -> { }))
                    .isInstanceOf(TransactionManagementException.class).hasMessageContaining("outermost");
        });
    }

    /** MariaDB would carry SET TRANSACTION READ ONLY over to the connection's next transaction if not ended by COMMIT. */
    @EveryDatabase
    void readOnlyEndsWithItsBlock(TestDatabase database) throws SQLException {
        use(database);
        db.atomic(AtomicOptions.defaults().readOnly(true), () -> assertThat(ids()).isEmpty());
        db.atomic(() -> insert(1));
        insert(2);
        assertThat(committedIds()).containsExactly(1, 2);
    }

    @EveryDatabase
    void outermostBlockHonoursIsolationAndReadOnly(TestDatabase database) throws SQLException {
        use(database);
        db.atomic(AtomicOptions.defaults().isolation(Isolation.SERIALIZABLE), () -> insert(1));
        if (database != TestDatabase.H2) {   // H2 has no read-only transactions: readOnly(true) is a hint there
            assertThatThrownBy(() -> db.atomic(AtomicOptions.defaults().readOnly(true), () -> insert(2)))
                    .isInstanceOf(SQLException.class);
        }
        db.atomic(AtomicOptions.defaults().readOnly(true), () -> assertThat(ids()).containsExactly(1));
        insert(3);
        assertThat(committedIds()).containsExactly(1, 3);
    }
}
