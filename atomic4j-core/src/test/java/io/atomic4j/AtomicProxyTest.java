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
}
