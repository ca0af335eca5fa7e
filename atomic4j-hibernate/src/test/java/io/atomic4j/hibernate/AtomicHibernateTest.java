package io.atomic4j.hibernate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.atomic4j.TransactionManagementException;
import io.atomic4j.testing.TestDatabase;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityTransaction;
import jakarta.persistence.PersistenceException;
import jakarta.persistence.RollbackException;
import jakarta.persistence.TransactionRequiredException;
import java.util.ArrayList;
import java.util.List;
import org.hibernate.Session;
import org.hibernate.Transaction;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The behaviour matrix of issue 13 for Hibernate, on every database. */
class AtomicHibernateTest extends HibernateTestBase {

    /** Commits rows 1..n outside the test's blocks, each in its own block. */
    private void committedBefore(int... ids) {
        for (int id : ids) {
            db.atomic(() -> {
                try (EntityManager em = factory.createEntityManager()) {
                    em.persist(new Item(id, "item " + id));
                }
            });
        }
    }

    private List<Integer> uncheckedCommittedIds() {
        try {
            return committedIds();
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    // ------------------------------------------------------------------ (1) commits with the block

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void persistWithoutFlushIsCommittedWithTheBlock(TestDatabase database) throws Exception {
        use(database);
        try (EntityManager em = factory.createEntityManager()) {
            db.atomic(() -> {
                em.persist(new Item(1, "one"));
                assertThat(committedIds()).as("not before the block commits").isEmpty();
            });
            assertThat(em.contains(em.find(Item.class, 1))).isTrue();
        }
        assertThat(committedIds()).containsExactly(1);
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void entityManagerClosedInsideTheBlockStillFlushesAtItsEnd(TestDatabase database) throws Exception {
        use(database);
        db.atomic(() -> {
            try (EntityManager em = factory.createEntityManager()) {
                em.persist(new Item(1, "one"));
            }
            try (EntityManager em = factory.createEntityManager()) {
                em.persist(new Item(2, "two"));
            }
        });
        assertThat(committedIds()).containsExactly(1, 2);
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void writesOutsideABlockAreRefusedAsWithoutATransaction(TestDatabase database) throws Exception {
        use(database);
        try (EntityManager em = factory.createEntityManager()) {
            em.persist(new Item(1, "one"));
            assertThatThrownBy(em::flush).isInstanceOf(TransactionRequiredException.class);
        }
        assertThat(committedIds()).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void sessionUsedOutsideABlockThenInsideOneRunsOnTheBlocksConnection(TestDatabase database) throws Exception {
        use(database);
        committedBefore(1);
        try (EntityManager em = factory.createEntityManager()) {
            assertThat(em.find(Item.class, 1).getName()).isEqualTo("item 1");   // autocommit read
            assertThatThrownBy(() -> db.atomic(() -> {
                em.find(Item.class, 1).setName("renamed");
                em.persist(new Item(2, "two"));
                em.flush();
                assertThat(committedIds()).containsExactly(1);
                throw new IllegalStateException("boom");
            })).hasMessage("boom");
        }
        assertThat(committedIds()).containsExactly(1);
        assertThat(committedNames()).containsExactly("item 1");
    }

    // ------------------------------------------------------------------ (2) a throw rolls all back

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void throwRollsBackEverythingAndClearsTheSession(TestDatabase database) throws Exception {
        use(database);
        committedBefore(1);
        try (EntityManager em = factory.createEntityManager()) {
            Item[] seen = new Item[2];
            assertThatThrownBy(() -> db.atomic(() -> {
                seen[0] = em.find(Item.class, 1);
                seen[0].setName("renamed");
                seen[1] = new Item(2, "two");
                em.persist(seen[1]);
                em.flush();
                throw new IllegalStateException("boom");
            })).hasMessage("boom");
            assertThat(em.contains(seen[0])).as("rolled-back state is not kept managed").isFalse();
            assertThat(em.contains(seen[1])).isFalse();
            assertThat(em.find(Item.class, 1).getName()).isEqualTo("item 1");
            db.atomic(() -> em.persist(new Item(3, "three")));   // nothing rolled back is written later
        }
        assertThat(committedIds()).containsExactly(1, 3);
        assertThat(committedNames()).containsExactly("item 1", "three");
    }

    // ------------------------------------------------------------------ (3) nested throw

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void nestedThrowRollsBackOnlyItsOwnWork(TestDatabase database) throws Exception {
        use(database);
        try (EntityManager em = factory.createEntityManager()) {
            Item one = new Item(1, "one");
            Item two = new Item(2, "two");
            Item four = new Item(4, "four");
            db.atomic(() -> {
                em.persist(one);
                assertThatThrownBy(() -> db.atomic(() -> {
                    em.persist(two);
                    throw new IllegalStateException("inner");
                })).hasMessage("inner");
                assertThat(em.contains(two)).as("persisted in the rolled-back block: detached").isFalse();
                assertThat(em.contains(one)).isTrue();
                em.flush();   // the enclosing block's INSERT must not go out inside the next savepoint
                assertThatThrownBy(() -> db.atomic(() -> {
                    em.persist(new Item(3, "three"));
                    em.flush();   // the INSERT ran inside the savepoint
                    throw new IllegalStateException("inner after flush");
                })).hasMessage("inner after flush");
                em.persist(four);
            });
            assertThat(em.find(Item.class, 3)).isNull();
        }
        assertThat(committedIds()).containsExactly(1, 4);
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void changeFlushedInARolledBackNestedBlockIsNeverWrittenLater(TestDatabase database) throws Exception {
        use(database);
        committedBefore(1, 2);
        try (EntityManager em = factory.createEntityManager()) {
            db.atomic(() -> {
                Item one = em.find(Item.class, 1);
                Item two = em.find(Item.class, 2);
                assertThatThrownBy(() -> db.atomic(() -> {
                    one.setName("rolled back");
                    em.remove(two);
                    em.flush();
                    throw new IllegalStateException("inner");
                })).hasMessage("inner");
                assertThat(em.contains(one)).as("changed in the rolled-back block: detached").isFalse();
                assertThat(em.contains(two)).isFalse();
                assertThat(em.find(Item.class, 1).getName()).as("reloaded: the enclosing block's state").isEqualTo("item 1");
                assertThat(em.find(Item.class, 2)).isNotNull();
                em.persist(new Item(3, "three"));
            });
        }
        assertThat(committedIds()).containsExactly(1, 2, 3);
        assertThat(committedNames()).containsExactly("item 1", "item 2", "three");
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void removeInARolledBackNestedBlockIsDropped(TestDatabase database) throws Exception {
        use(database);
        committedBefore(1);
        try (EntityManager em = factory.createEntityManager()) {
            db.atomic(() -> {
                Item one = em.find(Item.class, 1);
                assertThatThrownBy(() -> db.atomic(() -> {
                    em.remove(one);   // queued, not flushed
                    throw new IllegalStateException("inner");
                })).hasMessage("inner");
                assertThat(em.contains(one)).isFalse();
            });
        }
        assertThat(committedIds()).containsExactly(1);
    }

    // ------------------------------------------------------------------ (4) duplicate key

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void duplicateKeyIsRecoverableInANestedBlock(TestDatabase database) throws Exception {
        use(database);
        committedBefore(1);
        try (EntityManager em = factory.createEntityManager()) {
            Item duplicate = new Item(1, "duplicate");
            db.atomic(() -> {
                em.persist(new Item(2, "two"));
                assertThatThrownBy(() -> db.atomic(() -> em.persist(duplicate)))
                        .as("the flush before the savepoint is released fails inside the nested block")
                        .isInstanceOf(PersistenceException.class);   // SQLite's dialect: GenericJDBCException
                assertThat(em.contains(duplicate)).isFalse();
                em.persist(new Item(3, "three"));
            });
        }
        assertThat(committedIds()).containsExactly(1, 2, 3);
        assertThat(committedNames()).containsExactly("item 1", "two", "three");
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void changeRequestedBeforeANestedBlockAndLostWithItRefusesTheCommit(TestDatabase database) throws Exception {
        use(database);
        try (EntityManager em = factory.createEntityManager()) {
            assertThatThrownBy(() -> db.atomic(() -> {
                em.persist(new Item(1, "requested before the nested block"));
                assertThatThrownBy(() -> db.atomic(() -> {
                    em.flush();   // sends the enclosing block's INSERT inside the savepoint
                    throw new IllegalStateException("inner");
                })).hasMessage("inner");
                em.persist(new Item(2, "two"));
            })).isInstanceOf(TransactionManagementException.class)
                    .hasMessageContaining("rolled back")
                    .cause().hasMessageContaining("Flush (em.flush()) before opening a nested block");
        }
        assertThat(committedIds()).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void swallowedDuplicateKeyBreaksTheBlock(TestDatabase database) throws Exception {
        use(database);
        committedBefore(1);
        try (EntityManager em = factory.createEntityManager()) {
            assertThatThrownBy(() -> db.atomic(() -> {
                em.persist(new Item(2, "two"));
                em.persist(new Item(1, "duplicate"));
                try {
                    em.flush();
                } catch (PersistenceException swallowed) {
                    // the classic pitfall: carry on as if nothing happened
                }
            })).isInstanceOf(TransactionManagementException.class);
        }
        assertThat(committedIds()).containsExactly(1);
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void failedFlushInANestedBlockLeavesNothingQueued(TestDatabase database) throws Exception {
        use(database);
        committedBefore(1);
        try (EntityManager em = factory.createEntityManager()) {
            db.atomic(() -> {
                assertThatThrownBy(() -> db.atomic(() -> {
                    em.persist(new Item(2, "inserted before the failure"));
                    em.persist(new Item(1, "duplicate"));
                    em.persist(new Item(3, "after the failure"));
                    em.flush();
                })).isInstanceOf(PersistenceException.class);
                em.persist(new Item(4, "four"));
            });
        }
        assertThat(committedIds()).containsExactly(1, 4);
    }

    // ------------------------------------------------------------------ (5) onCommit

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void onCommitRunsOnceAfterCommitAndNeverAfterRollback(TestDatabase database) throws Exception {
        use(database);
        List<String> ran = new ArrayList<>();
        try (EntityManager em = factory.createEntityManager()) {
            db.atomic(() -> {
                em.persist(new Item(1, "one"));
                db.onCommit(() -> ran.add("committed " + uncheckedCommittedIds()));
                assertThatThrownBy(() -> db.atomic(() -> {
                    em.persist(new Item(2, "two"));
                    db.onCommit(() -> ran.add("rolled-back savepoint"));
                    throw new IllegalStateException("inner");
                })).hasMessage("inner");
            });
            assertThatThrownBy(() -> db.atomic(() -> {
                em.persist(new Item(3, "three"));
                db.onCommit(() -> ran.add("rolled-back transaction"));
                throw new IllegalStateException("outer");
            })).hasMessage("outer");
        }
        assertThat(ran).containsExactly("committed [1]");
    }

    // ------------------------------------------------------------------ (6) Hibernate's own transaction API

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void entityTransactionOutsideABlockIsTheOutermostBlock(TestDatabase database) throws Exception {
        use(database);
        List<String> ran = new ArrayList<>();
        try (EntityManager em = factory.createEntityManager()) {
            EntityTransaction transaction = em.getTransaction();
            transaction.begin();
            assertThat(db.inAtomicBlock()).isTrue();
            em.persist(new Item(1, "one"));
            db.onCommit(() -> ran.add("committed"));
            transaction.commit();
            assertThat(db.inAtomicBlock()).isFalse();

            transaction.begin();
            em.persist(new Item(2, "two"));
            em.flush();
            transaction.rollback();
            assertThat(transaction.isActive()).isFalse();
        }
        assertThat(ran).containsExactly("committed");
        assertThat(committedIds()).containsExactly(1);
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void entityTransactionInsideABlockIsASavepointAndCommitsNothingEarly(TestDatabase database) throws Exception {
        use(database);
        try (EntityManager em = factory.createEntityManager()) {
            assertThatThrownBy(() -> db.atomic(() -> {
                em.persist(new Item(1, "one"));
                EntityTransaction transaction = em.getTransaction();
                transaction.begin();
                em.persist(new Item(2, "two"));
                transaction.commit();
                assertThat(committedIds()).as("the nested commit only released a savepoint").isEmpty();
                throw new IllegalStateException("outer");
            })).hasMessage("outer");
        }
        assertThat(committedIds()).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void entityTransactionRollbackInsideABlockUndoesExactlyItsWork(TestDatabase database) throws Exception {
        use(database);
        try (EntityManager em = factory.createEntityManager()) {
            db.atomic(() -> {
                em.persist(new Item(1, "one"));   // not flushed: begin() sends it to the enclosing block
                EntityTransaction transaction = em.getTransaction();
                transaction.begin();
                em.persist(new Item(2, "two"));
                em.flush();
                transaction.rollback();
                em.persist(new Item(3, "three"));
            });
        }
        assertThat(committedIds()).containsExactly(1, 3);
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void failedEntityTransactionCommitInsideABlockRollsBackOnlyItsWork(TestDatabase database) throws Exception {
        use(database);
        committedBefore(1);
        try (EntityManager em = factory.createEntityManager()) {
            db.atomic(() -> {
                em.persist(new Item(2, "two"));
                EntityTransaction transaction = em.getTransaction();
                transaction.begin();
                em.persist(new Item(3, "three"));
                em.persist(new Item(1, "duplicate"));
                assertThatThrownBy(transaction::commit).isInstanceOf(PersistenceException.class);
                assertThat(transaction.isActive()).isFalse();

                transaction.begin();
                em.persist(new Item(5, "five"));
                transaction.setRollbackOnly();
                assertThatThrownBy(transaction::commit).isInstanceOf(RollbackException.class);
                em.persist(new Item(4, "four"));
            });
        }
        assertThat(committedIds()).containsExactly(1, 2, 4);
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void rollbackOfTheEnclosingBlockThroughHibernateIsRefusedAndBreaksIt(TestDatabase database) throws Exception {
        use(database);
        try (EntityManager em = factory.createEntityManager()) {
            assertThatThrownBy(() -> db.atomic(() -> {
                em.persist(new Item(1, "one"));
                try {
                    em.getTransaction().rollback();
                } catch (TransactionManagementException refused) {
                    // swallowed: the block must still not commit
                }
            })).isInstanceOf(TransactionManagementException.class);
        }
        assertThat(committedIds()).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void sessionBeginTransactionNestsAsASavepoint(TestDatabase database) throws Exception {
        use(database);
        try (Session session = factory.openSession()) {
            db.atomic(() -> {
                session.persist(new Item(1, "one"));
                Transaction transaction = session.beginTransaction();
                session.persist(new Item(2, "two"));
                transaction.rollback();
                Transaction second = session.beginTransaction();
                session.persist(new Item(3, "three"));
                second.commit();
                assertThat(committedIds()).isEmpty();
            });
        }
        assertThat(committedIds()).containsExactly(1, 3);
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void rollbackOnlyEntityTransactionOutsideABlockRollsBackAndSaysSo(TestDatabase database) throws Exception {
        use(database);
        try (EntityManager em = factory.createEntityManager()) {
            EntityTransaction transaction = em.getTransaction();
            transaction.begin();
            em.persist(new Item(1, "one"));
            transaction.setRollbackOnly();
            assertThat(transaction.getRollbackOnly()).isTrue();
            assertThatThrownBy(transaction::commit).isInstanceOf(RollbackException.class);
            assertThat(db.inAtomicBlock()).isFalse();
        }
        assertThat(committedIds()).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void sessionOfASuspendedTransactionIsRefusedInsideAnIndependentBlock(TestDatabase database) throws Exception {
        use(database);
        try (EntityManager em = factory.createEntityManager()) {
            db.atomic(() -> {
                em.persist(new Item(1, "one"));
                assertThatThrownBy(() -> db.atomic(io.atomic4j.AtomicOptions.defaults().independent(true),
                        () -> em.find(Item.class, 1)))
                        .isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("independent block");
                db.atomic(io.atomic4j.AtomicOptions.defaults().independent(true), () -> {
                    try (EntityManager other = factory.createEntityManager()) {
                        other.persist(new Item(2, "independent"));
                    }
                });
                assertThat(committedIds()).as("the independent block committed on its own").containsExactly(2);
                em.persist(new Item(3, "three"));
            });
        }
        assertThat(committedIds()).containsExactly(1, 2, 3);
    }
}
