package io.atomic4j.benchmarks;

import com.zaxxer.hikari.HikariDataSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The ratio harness: all peers in one JVM, each on its own pool, taking turns in short slices, in a new
 * random order every round. A slow drift of the machine (fsync latency on a shared virtual disk,
 * a neighbour's load) then hits every peer alike, and each round gives one ratio to hand-written
 * JDBC; the report shows the median. Sequential JMH forks cannot do that: on the 2-core CI
 * machine with fsync on, the same statements measured in consecutive forks differed by more
 * than a factor of two.
 */
final class Interleaved {
    /** Throughput over all rounds and the median of the per-round ratios to JDBC (1 for JDBC itself). */
    record Measurement(double opsPerSecond, double medianRatio, double lowRatio, double highRatio, int rounds) {
    }

    private final BenchDatabase database;
    private final List<Peer.Kind> peers;
    private final int rounds;
    private final long sliceNanos;
    private final Random random = new Random(42);

    Interleaved(BenchDatabase database, List<Peer.Kind> peers, int rounds, long sliceMillis) {
        this.database = database;
        this.peers = peers;
        this.rounds = rounds;
        this.sliceNanos = sliceMillis * 1_000_000L;
    }

    /** Scenario name (as in the report) and the threads that run it at once. */
    record Case(String name, String scenario, int threads) {
    }

    static List<Case> cases(String filter) {
        List<Case> cases = new ArrayList<>();
        for (String name : Scenarios.ALL.keySet()) {
            cases.add(new Case(name, name, 1));
        }
        for (int threads : new int[] {2, 4, 8}) {
            cases.add(new Case("insertOne_" + threads + "Threads", "insertOne", threads));
        }
        return cases.stream().filter(c -> c.name().matches(filter)).toList();
    }

    Map<String, Map<Peer.Kind, Measurement>> run(List<Case> cases) throws Exception {
        Map<String, Map<Peer.Kind, Measurement>> results = new LinkedHashMap<>();
        // One identically configured pool per peer: peers taking turns on one pool's connections slowed whichever
        // came second (about 15 % on PostgreSQL), an effect no application that uses a single library would see.
        Map<Peer.Kind, HikariDataSource> pools = new EnumMap<>(Peer.Kind.class);
        Map<Peer.Kind, Peer> byKind = new EnumMap<>(Peer.Kind.class);
        ExecutorService workers = Executors.newFixedThreadPool(8);
        try {
            for (Peer.Kind kind : peers) {
                pools.put(kind, database.newPool());
                byKind.put(kind, Peer.create(kind, pools.get(kind), database));
            }
            HikariDataSource any = pools.values().iterator().next();
            BenchDatabase.createSchema(any);
            for (Case c : cases) {
                results.put(c.name(), measure(c, byKind, workers, () -> database.clear(any)));
                System.out.printf("%-9s %-20s %s%n", database.kind(), c.name(), results.get(c.name()));
            }
        } finally {
            workers.shutdownNow();
            byKind.values().forEach(Peer::close);
            pools.values().forEach(HikariDataSource::close);
        }
        return results;
    }

    @FunctionalInterface
    interface Clear {
        void run() throws Exception;
    }

    private Map<Peer.Kind, Measurement> measure(Case c, Map<Peer.Kind, Peer> byKind, ExecutorService workers,
            Clear emptyTable) throws Exception {
        Map<Peer.Kind, Scenarios> scenarios = new EnumMap<>(Peer.Kind.class);
        byKind.forEach((kind, peer) -> scenarios.put(kind, new Scenarios(peer)));
        Scenarios.Scenario scenario = Scenarios.ALL.get(c.scenario());
        emptyTable.run();
        // Warm-up: every peer, twice a slice, so the JIT has compiled all of them before the first round counts.
        for (Peer.Kind kind : peers) {
            slice(scenario, scenarios.get(kind), c.threads(), 2 * sliceNanos, workers);
        }
        boolean slow = c.scenario().startsWith("bulk");
        int roundsHere = slow ? Math.max(3, rounds / 3) : rounds;
        Map<Peer.Kind, double[]> rates = new EnumMap<>(Peer.Kind.class);
        Map<Peer.Kind, long[]> totals = new EnumMap<>(Peer.Kind.class);   // ops, nanos
        for (Peer.Kind kind : peers) {
            rates.put(kind, new double[roundsHere]);
            totals.put(kind, new long[2]);
        }
        List<Peer.Kind> order = new ArrayList<>(peers);
        for (int round = 0; round < roundsHere; round++) {
            // Every round starts from an empty table: millions of rows (and, in H2, the garbage they leave) would
            // otherwise make later rounds slower than earlier ones in ways that have nothing to do with the peers.
            emptyTable.run();
            Collections.shuffle(order, random);
            for (Peer.Kind kind : order) {
                long[] opsAndNanos = slice(scenario, scenarios.get(kind), c.threads(), sliceNanos, workers);
                rates.get(kind)[round] = opsAndNanos[0] / (double) opsAndNanos[1];
                totals.get(kind)[0] += opsAndNanos[0];
                totals.get(kind)[1] += opsAndNanos[1];
            }
        }
        Map<Peer.Kind, Measurement> measurements = new EnumMap<>(Peer.Kind.class);
        double[] floor = rates.get(Peer.Kind.JDBC);
        for (Peer.Kind kind : peers) {
            double[] ratios = new double[roundsHere];
            for (int round = 0; round < roundsHere; round++) {
                ratios[round] = floor == null ? Double.NaN : rates.get(kind)[round] / floor[round];
            }
            Arrays.sort(ratios);
            long[] total = totals.get(kind);
            double perSecond = total[0] * 1e9 / total[1] * (slow ? Scenarios.BULK_ROWS : 1);
            measurements.put(kind, new Measurement(perSecond, median(ratios), ratios[roundsHere / 4],
                    ratios[(3 * roundsHere) / 4], roundsHere));
        }
        return measurements;
    }

    /** Runs the scenario on {@code threads} threads until {@code nanos} have passed; returns {ops, elapsed nanos}. */
    private static long[] slice(Scenarios.Scenario scenario, Scenarios scenarios, int threads, long nanos,
            ExecutorService workers) throws Exception {
        long start = System.nanoTime();
        long deadline = start + nanos;
        if (threads == 1) {
            long ops = 0;
            do {
                scenario.run(scenarios);
                ops++;
            } while (System.nanoTime() < deadline);
            return new long[] {ops, System.nanoTime() - start};
        }
        List<Future<Long>> running = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            running.add(workers.submit(() -> {
                long ops = 0;
                do {
                    scenario.run(scenarios);
                    ops++;
                } while (System.nanoTime() < deadline);
                return ops;
            }));
        }
        long ops = 0;
        for (Future<Long> future : running) {
            ops += future.get();
        }
        return new long[] {ops, System.nanoTime() - start};
    }

    private static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
