package io.atomic4j.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.atomic4j.spring.SpringFixture.Side;
import io.atomic4j.testing.FaultProxy;
import io.atomic4j.testing.TestDatabase;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.transaction.TransactionSystemException;

/**
 * The intended difference that motivated the module: when the connection dies inside a
 * {@code @Transactional} method that then throws, the ROLLBACK fails too. Spring's own manager
 * replaces the application's exception with the rollback's; atomic4j never does. The connection
 * is cut for real by a TCP proxy (server databases only).
 */
class RollbackFailureTest {
    private static void throwAfterCuttingTheConnection(SpringFixture s, FaultProxy proxy, RuntimeException application)
            throws Exception {
        s.tx.required(() -> {
            s.insert(1);
            proxy.cutAll();
            throw application;
        });
    }

    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = {"POSTGRES", "MARIADB"})
    void atomicManagerRethrowsTheApplicationExceptionUnchanged(TestDatabase database) throws Exception {
        try (FaultProxy proxy = database.newFaultProxy();
             SpringFixture s = new SpringFixture(Side.ATOMIC, database, database.jdbcUrlThrough(proxy))) {
            IllegalStateException application = new IllegalStateException("application failure");

            assertThatThrownBy(() -> throwAfterCuttingTheConnection(s, proxy, application)).isSameAs(application);
            assertThat(s.db.inAtomicBlock()).isFalse();
            assertThat(new SpringFixture.Counter(database).rows(SpringFixture.TABLE)).isZero();
        }
    }

    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = {"POSTGRES", "MARIADB"})
    void springManagerReplacesItWithTheRollbackFailure(TestDatabase database) throws Exception {
        try (FaultProxy proxy = database.newFaultProxy();
             SpringFixture s = new SpringFixture(Side.SPRING, database, database.jdbcUrlThrough(proxy))) {
            IllegalStateException application = new IllegalStateException("application failure");

            assertThatThrownBy(() -> throwAfterCuttingTheConnection(s, proxy, application))
                    .isInstanceOf(TransactionSystemException.class)
                    .satisfies(e -> assertThat(((TransactionSystemException) e).getApplicationException()).isSameAs(application));
        }
    }
}
