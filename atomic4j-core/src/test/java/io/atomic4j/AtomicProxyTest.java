package io.atomic4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.atomic4j.testing.TestDatabase;
import java.io.IOException;
import java.sql.SQLException;

/** atomicProxy with @Atomic: Django's @transaction.atomic decorator. */
class AtomicProxyTest extends DatabaseTestBase {
    interface Items {
        @Atomic
        void addTwo(int first, int second) throws SQLException;

        @Atomic(durable = true)
        void addDurably(int id) throws SQLException;

        void addWithoutBlock(int id) throws SQLException;

        @Atomic
        void failWithChecked() throws IOException;

        @Atomic
        int addAndCount(int id) throws SQLException;

        int countWithoutBlock() throws SQLException;

        /** Annotated on the implementation only. */
        boolean addInImplementationBlock(int id) throws SQLException;

        @Atomic(savepoint = false)
        void addTwoWithoutSavepoint(int first, int second) throws SQLException;

        @Atomic
        void failWithError();
    }

    final class JdbcItems implements Items {
        boolean sawBlock;

        @Override
        public void addTwo(int first, int second) throws SQLException {
            sawBlock = db.inAtomicBlock();
            insert(first);
            insert(second);
        }

        @Override
        public void addDurably(int id) throws SQLException {
            insert(id);
        }

        @Override
        public void addWithoutBlock(int id) throws SQLException {
            sawBlock = db.inAtomicBlock();
            insert(id);
        }

        @Override
        public void failWithChecked() throws IOException {
            throw new IOException("disk full");
        }

        @Override
        public int addAndCount(int id) throws SQLException {
            insert(id);
            return ids().size();
        }

        @Override
        public int countWithoutBlock() throws SQLException {
            sawBlock = db.inAtomicBlock();
            return ids().size();
        }

        @Atomic
        @Override
        public boolean addInImplementationBlock(int id) throws SQLException {
            insert(id);
            return db.inAtomicBlock();
        }

        @Override
        public void addTwoWithoutSavepoint(int first, int second) throws SQLException {
            addTwo(first, second);
        }

        @Override
        public void failWithError() {
            throw new AssertionError("an Error from the target");
        }

        @Override
        public String toString() {
            return "JdbcItems";
        }
    }

    @EveryDatabase
    void annotatedMethodRunsInABlockAndRollsBackAsAWhole(TestDatabase database) throws SQLException {
        use(database);
        JdbcItems target = new JdbcItems();
        Items items = db.atomicProxy(Items.class, target);
        items.addTwo(1, 2);
        assertThat(target.sawBlock).isTrue();
        assertThatThrownBy(() -> items.addTwo(3, 1)).isInstanceOf(SQLException.class);
        assertThat(ids()).containsExactly(1, 2);
    }

    @EveryDatabase
    void unannotatedMethodRunsAsIs(TestDatabase database) throws SQLException {
        use(database);
        JdbcItems target = new JdbcItems();
        db.atomicProxy(Items.class, target).addWithoutBlock(1);
        assertThat(target.sawBlock).isFalse();
        assertThat(ids()).containsExactly(1);
    }

    @EveryDatabase
    void checkedExceptionsComeOutUnwrapped(TestDatabase database) throws SQLException {
        use(database);
        Items items = db.atomicProxy(Items.class, new JdbcItems());
        assertThatThrownBy(items::failWithChecked).isInstanceOf(IOException.class).hasMessage("disk full");
    }

    @EveryDatabase
    void durableAnnotationIsHonoured(TestDatabase database) throws SQLException {
        use(database);
        Items items = db.atomicProxy(Items.class, new JdbcItems());
        items.addDurably(1);
        db.atomic(() -> assertThatThrownBy(() -> items.addDurably(2)).isInstanceOf(TransactionManagementException.class));
        assertThat(ids()).containsExactly(1);
    }

    @EveryDatabase
    void aClassInsteadOfAnInterfaceIsRefused(TestDatabase database) throws SQLException {
        use(database);
        assertThatThrownBy(() -> db.atomicProxy(JdbcItems.class, new JdbcItems()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs an interface");
    }

    @EveryDatabase
    void annotatedMethodReturnsTheTargetsValue(TestDatabase database) throws SQLException {
        use(database);
        Items items = db.atomicProxy(Items.class, new JdbcItems());
        assertThat(items.addAndCount(1)).isEqualTo(1);
        assertThat(items.addAndCount(2)).isEqualTo(2);
        assertThat(ids()).containsExactly(1, 2);
    }

    @EveryDatabase
    void unannotatedMethodReturnsTheTargetsValue(TestDatabase database) throws SQLException {
        use(database);
        insert(1);
        JdbcItems target = new JdbcItems();
        assertThat(db.atomicProxy(Items.class, target).countWithoutBlock()).isEqualTo(1);
        assertThat(target.sawBlock).isFalse();
    }

    @EveryDatabase
    void annotationOnTheImplementationIsHonoured(TestDatabase database) throws SQLException {
        use(database);
        assertThat(db.atomicProxy(Items.class, new JdbcItems()).addInImplementationBlock(1)).as("ran in a block")
                .isTrue();
        assertThat(ids()).containsExactly(1);
    }

    @EveryDatabase
    void savepointFalseAnnotationMakesAFailureRollBackTheEnclosingBlock(TestDatabase database) throws SQLException {
        use(database);
        Items items = db.atomicProxy(Items.class, new JdbcItems());
        assertThatThrownBy(() -> db.atomic(() -> {
            insert(1);
            assertThatThrownBy(() -> items.addTwoWithoutSavepoint(2, 1)).isInstanceOf(SQLException.class);
            assertThat(db.getRollback()).as("no savepoint: the enclosing block must roll back").isTrue();
        })).isInstanceOf(TransactionManagementException.class);
        db.atomic(() -> {
            insert(1);
            assertThatThrownBy(() -> items.addTwo(2, 1)).isInstanceOf(SQLException.class);
            assertThat(db.getRollback()).as("with a savepoint only the method's work is undone").isFalse();
        });
        assertThat(ids()).containsExactly(1);
    }

    @EveryDatabase
    void errorsComeOutUnwrapped(TestDatabase database) throws SQLException {
        use(database);
        Items items = db.atomicProxy(Items.class, new JdbcItems());
        assertThatThrownBy(items::failWithError).isExactlyInstanceOf(AssertionError.class)
                .hasMessage("an Error from the target");
    }

    @EveryDatabase
    void objectMethodsReachTheTarget(TestDatabase database) throws SQLException {
        use(database);
        assertThat(db.atomicProxy(Items.class, new JdbcItems())).hasToString("JdbcItems");
    }

    @EveryDatabase
    void targetThatDoesNotImplementTheInterfaceIsRefused(TestDatabase database) throws SQLException {
        use(database);
        @SuppressWarnings({"unchecked", "rawtypes"})
        Class<Object> items = (Class) Items.class;
        assertThatThrownBy(() -> db.atomicProxy(items, "not items")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("does not implement " + Items.class.getName());
    }
}
