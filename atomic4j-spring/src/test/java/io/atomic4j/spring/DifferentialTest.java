package io.atomic4j.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.atomic4j.spring.SpringFixture.AppCheckedException;
import io.atomic4j.spring.SpringFixture.Event;
import io.atomic4j.spring.SpringFixture.Side;
import io.atomic4j.testing.TestDatabase;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.jdbc.core.StatementCallback;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.interceptor.TransactionAspectSupport;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * The differential suite: every scenario runs once on Spring's {@code DataSourceTransactionManager}
 * over a plain pool and once on {@link AtomicTransactionManager}, on each of the four databases.
 * What the caller sees (the exception's type), what is committed and the order of Spring's
 * callbacks must be the same on both sides, and equal to what the scenario states. Afterwards
 * neither side may leave Spring state bound to the thread or a connection borrowed.
 */
class DifferentialTest {
    private static final Map<TestDatabase, Map<Side, SpringFixture>> FIXTURES = new EnumMap<>(TestDatabase.class);

    /** What one run of a scenario left behind. */
    record Outcome(List<Integer> committed, String exception, List<String> log) {
    }

    /** A scenario and what it must produce on both sides. */
    record Scenario(String name, ScenarioBody body, List<Integer> committed, String exception, String atomicException) {
        @Override
        public String toString() {
            return name;
        }
    }

    @FunctionalInterface
    interface ScenarioBody {
        void run(SpringFixture s) throws Exception;
    }

    static Stream<Arguments> scenarios() {
        List<Scenario> scenarios = List.of(
                scenario("required commits", s -> s.tx.required(() -> s.insert(1)), List.of(1), null),
                scenario("runtime exception rolls back", s -> s.tx.required(() -> {
                    s.insert(1);
                    throw new IllegalStateException("app");
                }), List.of(), "IllegalStateException"),
                scenario("checked exception commits", s -> s.tx.required(() -> {
                    s.insert(1);
                    throw new AppCheckedException("app");
                }), List.of(1), "AppCheckedException"),
                scenario("rollbackFor a checked exception rolls back", s -> s.tx.rollbackForChecked(() -> {
                    s.insert(1);
                    throw new AppCheckedException("app");
                }), List.of(), "AppCheckedException"),
                scenario("noRollbackFor a runtime exception commits", s -> s.tx.noRollbackForIllegalArgument(() -> {
                    s.insert(1);
                    throw new IllegalArgumentException("app");
                }), List.of(1), "IllegalArgumentException"),
                scenario("inner required succeeds", s -> s.tx.required(() -> {
                    s.insert(1);
                    s.tx.required(() -> s.insert(2));
                }), List.of(1, 2), null),
                scenario("inner required failure caught marks the transaction rollback-only", s -> s.tx.required(() -> {
                    s.insert(1);
                    try {
                        s.tx.required(() -> {
                            s.insert(2);
                            throw new IllegalStateException("inner");
                        });
                    } catch (IllegalStateException expected) {
                        s.log.add("caught");
                    }
                }), List.of(), "UnexpectedRollbackException"),
                // Intended difference: atomic4j refuses statements in a transaction marked for rollback (Django's rule).
                intendedDifference("statement after a caught participant failure", s -> s.tx.required(() -> {
                    s.insert(1);
                    try {
                        s.tx.required(() -> {
                            s.insert(2);
                            throw new IllegalStateException("inner");
                        });
                    } catch (IllegalStateException expected) {
                        s.log.add("caught");
                    }
                    s.insert(3);
                }), List.of(), "UnexpectedRollbackException", "TransactionManagementException"),
                scenario("inner required failure not caught rolls back all", s -> s.tx.required(() -> {
                    s.insert(1);
                    s.tx.required(() -> {
                        s.insert(2);
                        throw new IllegalStateException("inner");
                    });
                }), List.of(), "IllegalStateException"),
                scenario("inner required checked exception commits", s -> s.tx.required(() -> {
                    s.insert(1);
                    try {
                        s.tx.required(() -> {
                            s.insert(2);
                            throw new AppCheckedException("inner");
                        });
                    } catch (AppCheckedException expected) {
                        s.log.add("caught");
                    }
                }), List.of(1, 2), null),
                scenario("inner setRollbackOnly marks the transaction", s -> s.tx.required(() -> {
                    s.insert(1);
                    s.tx.required(() -> TransactionAspectSupport.currentTransactionStatus().setRollbackOnly());
                }), List.of(), "UnexpectedRollbackException"),
                scenario("outer setRollbackOnly rolls back quietly", s -> s.tx.required(() -> {
                    s.insert(1);
                    TransactionAspectSupport.currentTransactionStatus().setRollbackOnly();
                }), List.of(), null),
                scenario("nested succeeds", s -> s.tx.required(() -> {
                    s.insert(1);
                    s.tx.nested(() -> s.insert(2));
                }), List.of(1, 2), null),
                scenario("nested failure caught keeps the outer work", s -> s.tx.required(() -> {
                    s.insert(1);
                    try {
                        s.tx.nested(() -> {
                            s.insert(2);
                            throw new IllegalStateException("nested");
                        });
                    } catch (IllegalStateException expected) {
                        s.log.add("caught");
                    }
                    s.insert(3);
                }), List.of(1, 3), null),
                scenario("nested failure not caught rolls back all", s -> s.tx.required(() -> {
                    s.insert(1);
                    s.tx.nested(() -> {
                        s.insert(2);
                        throw new IllegalStateException("nested");
                    });
                }), List.of(), "IllegalStateException"),
                scenario("nested outermost is a transaction", s -> s.tx.nested(() -> s.insert(1)), List.of(1), null),
                scenario("participant failure inside nested rolls back to the savepoint and reports it", s -> s.tx.required(() -> {
                    s.insert(1);
                    try {
                        s.tx.nested(() -> {
                            s.insert(2);
                            try {
                                s.tx.required(() -> {
                                    throw new IllegalStateException("participant");
                                });
                            } catch (IllegalStateException expected) {
                                s.log.add("caught participant");
                            }
                        });
                    } catch (RuntimeException unexpectedRollback) {
                        s.log.add("nested: " + unexpectedRollback.getClass().getSimpleName());
                    }
                    s.insert(3);
                }), List.of(1, 3), null),
                scenario("requires_new commits although the outer rolls back", s -> s.tx.required(() -> {
                    s.tx.requiresNew(() -> s.insert(2));
                    s.insert(1);
                    throw new IllegalStateException("outer");
                }), List.of(2), "IllegalStateException"),
                scenario("requires_new failure caught, outer commits", s -> s.tx.required(() -> {
                    try {
                        s.tx.requiresNew(() -> {
                            s.insert(2);
                            throw new IllegalStateException("inner");
                        });
                    } catch (IllegalStateException expected) {
                        s.log.add("caught");
                    }
                    s.insert(1);
                }), List.of(1), null),
                scenario("requires_new suspends the outer synchronizations", s -> s.tx.required(() -> {
                    s.synchronization("outer");
                    s.tx.requiresNew(() -> {
                        s.log.add("inner active " + TransactionSynchronizationManager.isActualTransactionActive());
                        s.synchronization("inner");
                        s.insert(2);
                    });
                    s.insert(1);
                }), List.of(1, 2), null),
                scenario("not_supported runs in autocommit", s -> s.tx.required(() -> {
                    s.tx.notSupported(() -> {
                        s.log.add("active " + TransactionSynchronizationManager.isActualTransactionActive()
                                + ", synchronized " + TransactionSynchronizationManager.isSynchronizationActive());
                        s.synchronization("unsupported");
                        s.insert(2);
                    });
                    s.insert(1);
                    throw new IllegalStateException("outer");
                }), List.of(2), "IllegalStateException"),
                scenario("supports without a transaction runs in autocommit", s -> s.tx.supports(() -> {
                    s.log.add("active " + TransactionSynchronizationManager.isActualTransactionActive());
                    s.synchronization("supports");
                    s.insert(1);
                    throw new IllegalStateException("app");
                }), List.of(1), "IllegalStateException"),
                scenario("supports inside a transaction joins it", s -> s.tx.required(() -> {
                    s.tx.supports(() -> s.insert(1));
                    throw new IllegalStateException("outer");
                }), List.of(), "IllegalStateException"),
                scenario("required inside supports starts a transaction", s -> s.tx.supports(() -> {
                    s.synchronization("supports");
                    s.tx.required(() -> {
                        s.synchronization("required");
                        s.insert(1);
                    });
                }), List.of(1), null),
                scenario("mandatory without a transaction is refused", s -> s.tx.mandatory(() -> s.insert(1)),
                        List.of(), "IllegalTransactionStateException"),
                scenario("mandatory inside a transaction joins it", s -> s.tx.required(() -> s.tx.mandatory(() -> s.insert(1))),
                        List.of(1), null),
                scenario("never inside a transaction is refused", s -> s.tx.required(() -> {
                    s.insert(1);
                    try {
                        s.tx.never(() -> s.insert(2));
                    } catch (RuntimeException refused) {
                        s.log.add("refused: " + refused.getClass().getSimpleName());
                    }
                }), List.of(1), null),
                scenario("never without a transaction runs", s -> s.tx.never(() -> s.insert(1)), List.of(1), null),
                scenario("read-only is exposed to the transaction", s -> s.tx.readOnly(() -> {
                    s.log.add("read-only " + TransactionSynchronizationManager.isCurrentTransactionReadOnly());
                    s.synchronization("ro");
                    s.log.add("count " + s.jdbc.queryForObject("SELECT COUNT(*) FROM " + SpringFixture.TABLE, Integer.class));
                }), List.of(), null),
                scenario("isolation is exposed to the transaction", s -> s.tx.serializable(() -> {
                    s.log.add("isolation " + TransactionSynchronizationManager.getCurrentTransactionIsolationLevel());
                    s.insert(1);
                }), List.of(1), null),
                scenario("timeout reaches JdbcTemplate's statements", s -> s.tx.timeout7(() -> {
                    s.log.add("query timeout " + s.jdbc.execute((StatementCallback<Integer>) Statement::getQueryTimeout));
                    s.insert(1);
                }), List.of(1), null),
                scenario("synchronizations run in order on commit", s -> s.tx.required(() -> {
                    s.synchronization("a");
                    s.synchronization("b");
                    s.insert(1);
                }), List.of(1), null),
                scenario("synchronizations run in order on rollback", s -> s.tx.required(() -> {
                    s.synchronization("a");
                    s.insert(1);
                    throw new IllegalStateException("app");
                }), List.of(), "IllegalStateException"),
                scenario("synchronization registered by a participant runs at the outer commit", s -> s.tx.required(() -> {
                    s.tx.required(() -> s.synchronization("participant"));
                    s.log.add("participant returned");
                    s.insert(1);
                }), List.of(1), null),
                scenario("a failing beforeCommit rolls back", s -> s.tx.required(() -> {
                    s.insert(1);
                    s.synchronization("a");
                    TransactionSynchronizationManager.registerSynchronization(new org.springframework.transaction.support.TransactionSynchronization() {
                        @Override
                        public void beforeCommit(boolean readOnly) {
                            throw new IllegalStateException("beforeCommit");
                        }
                    });
                }), List.of(), "IllegalStateException"),
                scenario("transactional events on commit", s -> s.tx.required(() -> {
                    s.events.publishEvent(new Event("e"));
                    s.insert(1);
                }), List.of(1), null),
                scenario("transactional events on rollback", s -> s.tx.required(() -> {
                    s.events.publishEvent(new Event("e"));
                    s.insert(1);
                    throw new IllegalStateException("app");
                }), List.of(), "IllegalStateException"),
                scenario("transactional events of a nested block rolled back", s -> s.tx.required(() -> {
                    s.insert(1);
                    try {
                        s.tx.nested(() -> {
                            s.events.publishEvent(new Event("nested"));
                            throw new IllegalStateException("nested");
                        });
                    } catch (IllegalStateException expected) {
                        s.log.add("caught");
                    }
                }), List.of(1), null),
                scenario("programmatic savepoint rolled back keeps the rest", s -> s.template(TransactionDefinition.PROPAGATION_REQUIRED)
                        .executeWithoutResult(status -> {
                            s.insert(1);
                            Object savepoint = status.createSavepoint();
                            s.insert(2);
                            status.rollbackToSavepoint(savepoint);
                            s.insert(3);
                            Object released = status.createSavepoint();
                            s.insert(4);
                            status.releaseSavepoint(released);
                        }), List.of(1, 3, 4), null),
                scenario("transaction template commits and rolls back", s -> {
                    s.template(TransactionDefinition.PROPAGATION_REQUIRED).executeWithoutResult(status -> s.insert(1));
                    s.template(TransactionDefinition.PROPAGATION_REQUIRED).executeWithoutResult(status -> {
                        s.insert(2);
                        status.setRollbackOnly();
                    });
                }, List.of(1), null));
        List<Arguments> arguments = new ArrayList<>();
        for (TestDatabase database : TestDatabase.values()) {
            for (Scenario scenario : scenarios) {
                arguments.add(Arguments.of(database, scenario));
            }
        }
        return arguments.stream();
    }

    private static Scenario scenario(String name, ScenarioBody body, List<Integer> committed, String exception) {
        return new Scenario(name, body, committed, exception, exception);
    }

    /** A scenario whose caller sees another exception on atomic4j, listed in the README with its reason. */
    private static Scenario intendedDifference(String name, ScenarioBody body, List<Integer> committed,
                                               String springException, String atomicException) {
        return new Scenario(name, body, committed, springException, atomicException);
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("scenarios")
    void bothManagersAgree(TestDatabase database, Scenario scenario) throws Exception {
        Outcome spring = run(fixture(database, Side.SPRING), scenario);
        Outcome atomic = run(fixture(database, Side.ATOMIC), scenario);

        assertThat(atomic.committed()).as("committed rows").isEqualTo(scenario.committed()).isEqualTo(spring.committed());
        assertThat(atomic.log()).as("callbacks, AtomicTransactionManager vs DataSourceTransactionManager").isEqualTo(spring.log());
        assertThat(spring.exception()).as("exception seen by the caller on Spring").isEqualTo(scenario.exception());
        assertThat(atomic.exception()).as("exception seen by the caller on atomic4j").isEqualTo(scenario.atomicException());
    }

    private static Outcome run(SpringFixture fixture, Scenario scenario) throws Exception {
        fixture.reset();
        String exception = null;
        try {
            scenario.body().run(fixture);
        } catch (Exception e) {
            exception = e.getClass().getSimpleName();
        }
        assertThat(TransactionSynchronizationManager.getResourceMap()).as(fixture.side + ": resources left bound").isEmpty();
        assertThat(TransactionSynchronizationManager.isSynchronizationActive()).as(fixture.side + ": synchronization left active").isFalse();
        assertThat(TransactionSynchronizationManager.isActualTransactionActive()).as(fixture.side + ": transaction left active").isFalse();
        assertThat(fixture.pool.getHikariPoolMXBean().getActiveConnections()).as(fixture.side + ": borrowed connections").isZero();
        if (fixture.db != null) {
            assertThat(fixture.db.inAtomicBlock()).as("block left open").isFalse();
        }
        return new Outcome(fixture.committedIds(), exception, List.copyOf(fixture.log));
    }

    private static SpringFixture fixture(TestDatabase database, Side side) {
        return FIXTURES.computeIfAbsent(database, d -> new EnumMap<>(Side.class))
                .computeIfAbsent(side, s -> new SpringFixture(s, database));
    }

    @AfterAll
    static void closeFixtures() {
        FIXTURES.values().forEach(bySide -> bySide.values().forEach(SpringFixture::close));
        FIXTURES.clear();
    }
}
