package io.atomic4j.micrometer;

import io.atomic4j.TransactionListener;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Micrometer metrics (and, optionally, an Observation per transaction) for atomic4j databases.
 * One instance serves any number of databases; every meter carries the database's alias as the
 * tag {@code database}:
 * <pre>{@code
 * AtomicMetrics metrics = new AtomicMetrics();
 * metrics.bindTo(registry);
 * Database orders = Database.builder(url).alias("orders").listener(metrics).build();
 * }</pre>
 *
 * <p>Meters (Prometheus names in brackets):
 * <ul>
 * <li>{@code atomic4j.transactions} timer, tags {@code outcome=committed|rolled_back}
 *     [{@code atomic4j_transactions_seconds_count/_sum/_max}]</li>
 * <li>{@code atomic4j.transaction.statements} distribution summary of committed transactions' statement counts</li>
 * <li>{@code atomic4j.transactions.open} gauge of transactions open now</li>
 * <li>{@code atomic4j.transactions.long} counter of transactions open longer than the database's
 *     {@code longTransactionThreshold}</li>
 * <li>{@code atomic4j.retries} counter of retry attempts</li>
 * <li>{@code atomic4j.savepoints.rolled_back} counter of nested blocks rolled back to their savepoint</li>
 * <li>{@code atomic4j.hooks.failed} counter of onCommit/onRollback callbacks that threw</li>
 * <li>{@code atomic4j.commit.outcome.unknown} counter of COMMITs lost with the connection</li>
 * <li>{@code atomic4j.commit.outcome.resolved} counter, tag {@code committed=true|false}, of lost
 *     COMMITs whose outcome the dialect found out</li>
 * </ul>
 *
 * <p>Order: bind and attach in either order. The meters of a database are created when it is
 * attached and appear in every registry bound, whenever it is bound; events that happen while
 * no registry is bound are not counted (the open-transactions gauge is always right).
 */
public final class AtomicMetrics implements TransactionListener, MeterBinder {
    // Registries bound later still receive meters created earlier: the composite adds them then.
    private final CompositeMeterRegistry meters = new CompositeMeterRegistry();
    private final ObservationRegistry observations;
    private final ConcurrentMap<String, DatabaseMetrics> databases = new ConcurrentHashMap<>();

    /** Metrics only. */
    public AtomicMetrics() {
        this(ObservationRegistry.NOOP);
    }

    /**
     * Metrics, and an {@link io.micrometer.observation.Observation} named
     * {@code atomic4j.transaction} per transaction in {@code observations} (a span with a tracing
     * bridge): savepoint rollbacks are its events, and each retry attempt is a transaction of
     * its own whose observation starts with an {@code atomic4j.retry} event.
     */
    public AtomicMetrics(ObservationRegistry observations) {
        this.observations = Objects.requireNonNull(observations, "observations must not be null");
    }

    /** Adds {@code registry} to the registries the meters are in. */
    @Override
    public void bindTo(MeterRegistry registry) {
        meters.add(Objects.requireNonNull(registry, "registry must not be null"));
    }

    /** Called by {@code Database.Builder.build()}: the view of these metrics for one database. */
    @Override
    public TransactionListener forDatabase(String alias) {
        return databases.computeIfAbsent(alias, name -> new DatabaseMetrics(name, meters, observations));
    }
}
