package io.atomic4j.micrometer;

import io.atomic4j.TransactionListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.atomic.AtomicInteger;

/** {@link AtomicMetrics} for one database alias: its meters and the thread's current observation. */
final class DatabaseMetrics implements TransactionListener {
    static final String DATABASE = "database";

    private final String alias;
    private final ObservationRegistry observations;
    private final Timer committed;
    private final Timer rolledBack;
    private final DistributionSummary statements;
    private final AtomicInteger open = new AtomicInteger();
    private final Counter longTransactions;
    private final Counter retries;
    private final Counter savepointsRolledBack;
    private final Counter hooksFailed;
    private final Counter outcomeUnknown;
    private final Counter resolvedCommitted;
    private final Counter resolvedRolledBack;
    // Events are delivered on the working thread, so the thread's innermost transaction is the
    // event's; a stack because an independent block opens a second transaction on the same thread.
    private final ThreadLocal<Deque<Observation.Scope>> current = ThreadLocal.withInitial(ArrayDeque::new);
    private final ThreadLocal<Integer> retryAttempt = new ThreadLocal<>();

    DatabaseMetrics(String alias, MeterRegistry registry, ObservationRegistry observations) {
        this.alias = alias;
        this.observations = observations;
        committed = transactions("committed").register(registry);
        rolledBack = transactions("rolled_back").register(registry);
        statements = DistributionSummary.builder("atomic4j.transaction.statements")
                .description("Statements run by a committed transaction").baseUnit("statements")
                .tag(DATABASE, alias).register(registry);
        Gauge.builder("atomic4j.transactions.open", open, AtomicInteger::get)
                .description("Transactions open now").tag(DATABASE, alias).register(registry);
        longTransactions = counter("atomic4j.transactions.long",
                "Transactions open longer than the database's longTransactionThreshold").register(registry);
        retries = counter("atomic4j.retries", "Retry attempts after a transient error").register(registry);
        savepointsRolledBack = counter("atomic4j.savepoints.rolled_back",
                "Nested blocks and savepoints rolled back while the transaction went on").register(registry);
        hooksFailed = counter("atomic4j.hooks.failed", "onCommit and onRollback callbacks that threw").register(registry);
        outcomeUnknown = counter("atomic4j.commit.outcome.unknown",
                "COMMITs lost with the connection, outcome unknown").register(registry);
        resolvedCommitted = counter("atomic4j.commit.outcome.resolved",
                "COMMITs lost with the connection whose outcome was found out").tag("committed", "true").register(registry);
        resolvedRolledBack = counter("atomic4j.commit.outcome.resolved",
                "COMMITs lost with the connection whose outcome was found out").tag("committed", "false").register(registry);
    }

    private Timer.Builder transactions(String outcome) {
        return Timer.builder("atomic4j.transactions").description("Database transactions, from first statement to COMMIT or ROLLBACK")
                .tag(DATABASE, alias).tag("outcome", outcome);
    }

    private Counter.Builder counter(String name, String description) {
        return Counter.builder(name).description(description).tag(DATABASE, alias);
    }

    @Override
    public void begun() {
        open.incrementAndGet();
        if (observations.isNoop()) {
            return;
        }
        Observation observation = Observation.createNotStarted("atomic4j.transaction", observations)
                .contextualName("transaction " + alias)
                .lowCardinalityKeyValue(DATABASE, alias)
                .start();
        Integer attempt = retryAttempt.get();
        if (attempt != null) {
            retryAttempt.remove();
            observation.highCardinalityKeyValue("atomic4j.attempt", String.valueOf(attempt + 1));
            observation.event(Observation.Event.of("atomic4j.retry", "retry: attempt " + (attempt + 1)));
        }
        // In scope, so spans of the JDBC calls made inside the transaction become its children.
        current.get().push(observation.openScope());
    }

    @Override
    public void committed(Duration duration, int statements) {
        committed.record(duration);
        this.statements.record(statements);
        ended("committed", null);
    }

    @Override
    public void rolledBack(Duration duration, Throwable cause) {
        rolledBack.record(duration);
        ended("rolled_back", cause);
    }

    @Override
    public void commitOutcomeUnknown(Throwable cause) {
        outcomeUnknown.increment();
        ended("unknown", cause);
    }

    private void ended(String outcome, Throwable cause) {
        open.decrementAndGet();
        if (observations.isNoop()) {
            return;
        }
        Observation.Scope scope = current.get().poll();
        if (scope == null) {
            return;
        }
        Observation observation = scope.getCurrentObservation();
        scope.close();
        observation.lowCardinalityKeyValue("outcome", outcome);
        if (cause != null) {
            observation.error(cause);
        }
        observation.stop();
    }

    @Override
    public void savepointRolledBack(Throwable cause) {
        savepointsRolledBack.increment();
        if (observations.isNoop()) {
            return;
        }
        Observation.Scope scope = current.get().peek();
        if (scope != null) {
            scope.getCurrentObservation().event(Observation.Event.of("atomic4j.savepoint.rolled_back",
                    "savepoint rolled back" + (cause == null ? "" : ": " + cause)));
        }
    }

    @Override
    public void retrying(int attempt, Throwable cause) {
        retries.increment();
        if (!observations.isNoop()) {
            retryAttempt.set(attempt);
        }
    }

    @Override
    public void commitOutcomeResolved(boolean committed) {
        (committed ? resolvedCommitted : resolvedRolledBack).increment();
    }

    @Override
    public void hookFailed(Throwable cause) {
        hooksFailed.increment();
    }

    @Override
    public void longTransaction(Duration age, Throwable openedAt) {
        longTransactions.increment();
    }
}
