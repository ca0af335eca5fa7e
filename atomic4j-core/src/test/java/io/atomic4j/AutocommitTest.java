package io.atomic4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.atomic4j.testing.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;

/** Django's get/set_autocommit, commit(), rollback() and the misuse they refuse (AtomicErrorsTests, NonAutocommitTests). */
class AutocommitTest extends DatabaseTestBase {

    @EveryDatabase
    void autocommitIsOnByDefaultAndOffInsideABlock(TestDatabase database) throws SQLException {
        use(database);
        assertThat(db.getAutoCommit()).isTrue();
        assertThat(db.inAtomicBlock()).isFalse();
        db.atomic(() -> {
            assertThat(db.getAutoCommit()).isFalse();
            assertThat(db.inAtomicBlock()).isTrue();
        });
        assertThat(db.getAutoCommit()).isTrue();
    }

    @EveryDatabase
    void setAutoCommitCommitAndRollbackAreForbiddenInABlock(TestDatabase database) throws SQLException {
        use(database);
        db.atomic(() -> {
            assertThatThrownBy(() -> db.setAutoCommit(false)).isInstanceOf(TransactionManagementException.class)
                    .hasMessageContaining("setAutoCommit() is not allowed inside an atomic block on database 'default'");
            assertThatThrownBy(db::commit).isInstanceOf(TransactionManagementException.class)
                    .hasMessageContaining("commit() is not allowed inside an atomic block");
            assertThatThrownBy(db::rollback).isInstanceOf(TransactionManagementException.class)
                    .hasMessageContaining("rollback() is not allowed inside an atomic block");
            assertThat(db.getAutoCommit()).isFalse();
            insert(1);
        });
        assertThat(ids()).containsExactly(1);
    }

    @EveryDatabase
    void commitAndRollbackAreNoOpsInAutocommit(TestDatabase database) throws SQLException {
        use(database);
        insert(1);
        db.commit();
        db.rollback();
        assertThat(committedIds()).containsExactly(1);
    }

    @EveryDatabase
    void manualTransactionCommitsOnlyOnCommit(TestDatabase database) throws SQLException {
        use(database);
        db.setAutoCommit(false);
        try {
            assertThat(db.getAutoCommit()).isFalse();
            insert(1);
            assertThat(committedIds()).isEmpty();
            db.commit();
            assertThat(committedIds()).containsExactly(1);
            insert(2);
            db.rollback();
        } finally {
            db.setAutoCommit(true);
        }
        assertThat(committedIds()).containsExactly(1);
    }

    @EveryDatabase
    void queriesWorkAfterAnErrorAndRollbackInAManualTransaction(TestDatabase database) throws SQLException {
        use(database);
        db.setAutoCommit(false);
        try {
            insert(1);
            db.commit();
            assertThatThrownBy(() -> insert(1)).isInstanceOf(SQLException.class);
            db.rollback();
            insert(2);
            db.commit();
        } finally {
            db.setAutoCommit(true);
        }
        assertThat(committedIds()).containsExactly(1, 2);
    }

    @EveryDatabase
    void turningAutocommitOnWithUncommittedWorkIsRefused(TestDatabase database) throws SQLException {
        use(database);
        db.setAutoCommit(false);
        insert(1);
        assertThatThrownBy(() -> db.setAutoCommit(true)).isInstanceOf(TransactionManagementException.class)
                .hasMessageContaining("Call commit() or rollback() first");
        assertThat(db.getAutoCommit()).isFalse();
        db.rollback();
        db.setAutoCommit(true);
        assertThat(committedIds()).isEmpty();
    }

    @EveryDatabase
    void blocksInAManualTransactionAreSavepointsAndNeverCommit(TestDatabase database) throws SQLException {
        use(database);
        db.setAutoCommit(false);
        try {
            db.atomic(() -> insert(1));
            assertThat(db.inAtomicBlock()).isFalse();
            assertThat(committedIds()).isEmpty();
            assertThatThrownBy(() -> db.atomic(() -> {
                insert(2);
                throw new IllegalStateException("fail");
            })).isInstanceOf(IllegalStateException.class);
            db.commit();
        } finally {
            db.setAutoCommit(true);
        }
        assertThat(committedIds()).containsExactly(1);
    }

    @EveryDatabase
    void connectionInAManualTransactionIsTheThreadsBoundConnection(TestDatabase database) throws SQLException {
        use(database);
        db.setAutoCommit(false);
        try (Connection first = db.connection(); Connection second = db.connection()) {
            assertThat(first).isSameAs(second);
            assertThat(first.getAutoCommit()).isFalse();
        } finally {
            db.rollback();
            db.setAutoCommit(true);
        }
    }

    @EveryDatabase
    void databaseBuiltWithAutocommitOffStartsEveryThreadInAManualTransaction(TestDatabase database) throws SQLException {
        use(database);
        try (Database manual = Database.builder(database.jdbcUrl()).user(database.user()).password(database.password())
                .alias("manual").autoCommit(false).maxPoolSize(2).build()) {
            assertThat(manual.getAutoCommit()).isFalse();
            insert(manual, 1);
            manual.atomic(() -> insert(manual, 2));
            assertThat(committedIds()).isEmpty();
            manual.commit();
            assertThat(committedIds()).containsExactly(1, 2);
            manual.setAutoCommit(true);
        }
    }
}
