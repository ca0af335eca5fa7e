package io.atomic4j.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.atomic4j.TransactionManagementException;
import io.atomic4j.spring.SpringFixture.Side;
import io.atomic4j.testing.TestDatabase;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.transaction.UnexpectedRollbackException;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Spring code and plain atomic4j code in one transaction: an {@code @Transactional} service calls
 * {@code db.atomic} code, which calls a {@code REQUIRES_NEW} audit service; a failure in each
 * position commits exactly what Django's and Spring's rules say. Not on SQLite: the audit writes
 * on a second connection while the first holds SQLite's single write lock.
 */
class MixedCodeTest {
    private SpringFixture s;

    private void use(TestDatabase database) {
        s = new SpringFixture(Side.ATOMIC, database);
    }

    @AfterEach
    void checkNothingLeaked() {
        try {
            assertThat(TransactionSynchronizationManager.getResourceMap()).as("resources left bound").isEmpty();
            assertThat(TransactionSynchronizationManager.isSynchronizationActive()).as("synchronization left active").isFalse();
            assertThat(s.db.inAtomicBlock()).as("block left open").isFalse();
            assertThat(s.pool.getHikariPoolMXBean().getActiveConnections()).as("borrowed connections").isZero();
        } finally {
            s.close();
        }
    }

    /** Service inserts 1, atomic code inserts 2 and calls the audit (100), the service inserts 3; failures where asked. */
    private void order(String failAt, boolean catchInAtomicCode, boolean catchInService) throws Exception {
        s.tx.required(() -> {
            s.insert(1);
            s.synchronization("service");
            try {
                s.db.atomic(() -> {
                    s.insert(2);
                    s.db.onCommit(() -> s.log.add("atomic onCommit"));
                    try {
                        s.tx.requiresNew(() -> {
                            s.insert(100);
                            s.db.onCommit(() -> s.log.add("audit onCommit"));
                            if (failAt.equals("audit")) {
                                throw new IllegalStateException("audit failed");
                            }
                        });
                    } catch (IllegalStateException e) {
                        if (!catchInAtomicCode) {
                            throw e;
                        }
                        s.log.add("atomic code caught " + e.getMessage());
                    }
                    if (failAt.equals("atomic")) {
                        throw new IllegalStateException("atomic failed");
                    }
                });
            } catch (IllegalStateException e) {
                if (!catchInService) {
                    throw e;
                }
                s.log.add("service caught " + e.getMessage());
            }
            s.insert(3);
            if (failAt.equals("service")) {
                throw new IllegalStateException("service failed");
            }
        });
    }

    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = {"H2", "POSTGRES", "MARIADB"})
    void everythingCommitsAndEachOnCommitRunsOnceAfterItsOwnCommit(TestDatabase database) throws Exception {
        use(database);
        order("none", false, false);
        assertThat(s.committedIds()).containsExactly(1, 2, 3, 100);
        assertThat(s.log).containsExactly("audit onCommit", "service.beforeCommit(false)", "service.beforeCompletion",
                "service.afterCommit", "service.afterCompletion(committed)", "atomic onCommit");
    }

    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = {"H2", "POSTGRES", "MARIADB"})
    void auditFailureNotCaughtRollsBackEverything(TestDatabase database) {
        use(database);
        assertThatThrownBy(() -> order("audit", false, false)).hasMessage("audit failed");
        assertThat(s.committedIds()).isEmpty();
        assertThat(s.log).containsExactly("service.beforeCompletion", "service.afterCompletion(rolled back)");
    }

    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = {"H2", "POSTGRES", "MARIADB"})
    void auditFailureCaughtInAtomicCodeLosesOnlyTheAudit(TestDatabase database) throws Exception {
        use(database);
        order("audit", true, false);
        assertThat(s.committedIds()).containsExactly(1, 2, 3);
        assertThat(s.log).containsExactly("atomic code caught audit failed", "service.beforeCommit(false)",
                "service.beforeCompletion", "service.afterCommit", "service.afterCompletion(committed)", "atomic onCommit");
    }

    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = {"H2", "POSTGRES", "MARIADB"})
    void atomicCodeFailureCaughtInServiceRollsBackItsSavepointAndKeepsTheAudit(TestDatabase database) throws Exception {
        use(database);
        order("atomic", false, true);
        assertThat(s.committedIds()).containsExactly(1, 3, 100);
        assertThat(s.log).containsExactly("audit onCommit", "service caught atomic failed", "service.beforeCommit(false)",
                "service.beforeCompletion", "service.afterCommit", "service.afterCompletion(committed)");
    }

    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = {"H2", "POSTGRES", "MARIADB"})
    void serviceFailureKeepsOnlyTheAudit(TestDatabase database) {
        use(database);
        assertThatThrownBy(() -> order("service", false, false)).hasMessage("service failed");
        assertThat(s.committedIds()).containsExactly(100);
        assertThat(s.log).containsExactly("audit onCommit", "service.beforeCompletion", "service.afterCompletion(rolled back)");
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void transactionalInsideAtomicJoinsItsBlockAndSynchronizesWithItsCommit(TestDatabase database) throws Exception {
        use(database);
        s.db.atomic(() -> {
            s.insert(1);
            s.tx.required(() -> {
                s.insert(2);
                s.synchronization("joined");
                s.db.onCommit(() -> s.log.add("onCommit from Spring code"));
            });
            s.log.add("service returned, active " + TransactionSynchronizationManager.isActualTransactionActive());
        });
        assertThat(s.committedIds()).containsExactly(1, 2);
        assertThat(s.log).containsExactly("service returned, active true", "joined.beforeCommit(false)",
                "joined.beforeCompletion", "joined.afterCommit", "joined.afterCompletion(committed)",
                "onCommit from Spring code");
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void failedTransactionalInsideAtomicRollsTheBlockBackLoudly(TestDatabase database) {
        use(database);
        assertThatThrownBy(() -> s.db.atomic(() -> {
            s.insert(1);
            try {
                s.tx.required(() -> {
                    throw new IllegalStateException("service failed");
                });
            } catch (IllegalStateException expected) {
                s.log.add("caught");
            }
        })).isInstanceOf(TransactionManagementException.class).hasCauseInstanceOf(UnexpectedRollbackException.class);
        assertThat(s.committedIds()).isEmpty();
        assertThat(s.log).containsExactly("caught");
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void atomicInsideTransactionalIsANestedBlockOfTheSameTransaction(TestDatabase database) throws Exception {
        use(database);
        s.tx.required(() -> {
            s.insert(1);
            s.db.atomic(() -> {
                assertThat(s.jdbc.queryForList("SELECT id FROM " + SpringFixture.TABLE, Integer.class)).containsExactly(1);
                s.insert(2);
            });
            s.log.add("in block " + s.db.inAtomicBlock());
        });
        assertThat(s.committedIds()).containsExactly(1, 2);
        assertThat(s.log).containsExactly("in block true");
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void applicationExceptionIsNeverReplaced(TestDatabase database) {
        use(database);
        IllegalStateException application = new IllegalStateException("application");
        assertThatThrownBy(() -> s.tx.required(() -> {
            s.insert(1);
            throw application;
        })).isSameAs(application);
        assertThat(s.committedIds()).isEqualTo(List.of());
    }
}
