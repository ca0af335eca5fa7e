package io.atomic4j.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.atomic4j.spring.SpringFixture.Side;
import io.atomic4j.testing.TestDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.transaction.IllegalTransactionStateException;
import org.springframework.transaction.InvalidIsolationLevelException;
import org.springframework.transaction.InvalidTimeoutException;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.TransactionStatus;
import org.springframework.transaction.support.SimpleTransactionStatus;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/** Misuse of the manager itself: refused clearly, and nothing half-begun stays behind. */
class AtomicTransactionManagerTest {
    private SpringFixture s;

    @AfterEach
    void checkNothingLeaked() {
        try {
            assertThat(TransactionSynchronizationManager.getResourceMap()).as("resources left bound").isEmpty();
            assertThat(TransactionSynchronizationManager.isSynchronizationActive()).as("synchronization left active").isFalse();
            assertThat(s.db.inAtomicBlock()).as("block left open").isFalse();
        } finally {
            s.close();
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void anUnknownIsolationLevelIsRefusedAndTheOuterTransactionIsResumed(TestDatabase database) throws Exception {
        s = new SpringFixture(Side.ATOMIC, database);
        TransactionDefinition requiresNew = new TransactionDefinition() {   // Spring's own setter would refuse 42 earlier
            @Override
            public int getPropagationBehavior() {
                return PROPAGATION_REQUIRES_NEW;
            }

            @Override
            public int getIsolationLevel() {
                return 42;
            }
        };
        s.tx.required(() -> {
            s.synchronization("outer");
            assertThatThrownBy(() -> s.transactionManager.getTransaction(requiresNew))
                    .isInstanceOf(InvalidIsolationLevelException.class).hasMessageContaining("database 'default'");
            assertThat(TransactionSynchronizationManager.getSynchronizations()).hasSize(1);
            s.insert(1);
        });
        assertThat(s.committedIds()).containsExactly(1);
        assertThat(s.log).containsExactly("outer.beforeCommit(false)", "outer.beforeCompletion", "outer.afterCommit",
                "outer.afterCompletion(committed)");
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void aNegativeTimeoutIsRefused(TestDatabase database) {
        s = new SpringFixture(Side.ATOMIC, database);
        TransactionDefinition definition = new TransactionDefinition() {   // Spring's own setter would refuse -5 earlier
            @Override
            public int getTimeout() {
                return -5;
            }
        };
        assertThatThrownBy(() -> s.transactionManager.getTransaction(definition)).isInstanceOf(InvalidTimeoutException.class);
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void committingTwiceIsRefused(TestDatabase database) {
        s = new SpringFixture(Side.ATOMIC, database);
        TransactionStatus status = s.transactionManager.getTransaction(null);
        s.insert(1);
        s.transactionManager.commit(status);
        assertThatThrownBy(() -> s.transactionManager.commit(status)).isInstanceOf(IllegalTransactionStateException.class)
                .hasMessageContaining("already completed");
        assertThat(s.committedIds()).containsExactly(1);
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void aStatusFromAnotherManagerIsRefused(TestDatabase database) {
        s = new SpringFixture(Side.ATOMIC, database);
        assertThatThrownBy(() -> s.transactionManager.rollback(new SimpleTransactionStatus()))
                .isInstanceOf(IllegalTransactionStateException.class).hasMessageContaining("did not create");
    }
}
