package io.atomic4j.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs the whole suite and writes the Markdown report: per database, the round trips of every
 * peer, then the throughput of all peers interleaved ({@link Interleaved}), all in this JVM with
 * each server started once; then, where asked, the JMH runs with the GC profiler (forked JVMs
 * that share the server through system properties).
 *
 * <p>Arguments (all optional): {@code --databases H2,SQLITE,POSTGRES,MARIADB},
 * {@code --peers JDBC,ATOMIC4J,SPRING,JOOQ,JDBI}, {@code --scenarios insertOne,nestedRollback}
 * (a regex alternative per name), {@code --rounds 21} and {@code --slice-ms 100} (interleaved
 * harness), {@code --jmh-databases H2} (where JMH with {@code -prof gc} runs too),
 * {@code --warmup 1} and {@code --iterations 1} (JMH, 1-second iterations), {@code --out BENCHMARKS.md}.
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = parse(args);
        List<String> databases = list(options.getOrDefault("databases", "H2,SQLITE,POSTGRES,MARIADB"));
        List<String> jmhDatabases = list(options.getOrDefault("jmh-databases", "H2"));
        List<Peer.Kind> peers = list(options.getOrDefault("peers", "JDBC,ATOMIC4J,SPRING,JOOQ,JDBI"))
                .stream().map(Peer.Kind::valueOf).toList();
        String scenarios = "(" + options.getOrDefault("scenarios", ".*").replace(',', '|') + ")";
        int rounds = Integer.parseInt(options.getOrDefault("rounds", "21"));
        long slice = Long.parseLong(options.getOrDefault("slice-ms", "100"));
        int warmup = Integer.parseInt(options.getOrDefault("warmup", "1"));
        int iterations = Integer.parseInt(options.getOrDefault("iterations", "1"));
        Path out = Path.of(options.getOrDefault("out", "BENCHMARKS.md"));
        long started = System.nanoTime();

        Report report = new Report(String.join(" ", args), warmup, iterations, rounds, slice);
        for (String kind : databases) {
            List<Peer.Kind> here = new ArrayList<>(peers);
            if (kind.equals("POSTGRES") && here.contains(Peer.Kind.ATOMIC4J)) {
                here.add(here.indexOf(Peer.Kind.ATOMIC4J) + 1, Peer.Kind.ATOMIC4J_NO_RESOLVE);
            }
            BenchDatabase database = BenchDatabase.create(kind);
            System.out.printf("%n=== %s: counting round trips%n", kind);
            report.roundTrips(kind, RoundTrips.measure(database, here));
            System.out.printf("%n=== %s: interleaved throughput%n", kind);
            report.throughput(kind, new Interleaved(database, here, rounds, slice).run(Interleaved.cases(scenarios)));
            Files.writeString(out, report.markdown((System.nanoTime() - started) / 1_000_000_000L));
            if (jmhDatabases.contains(kind)) {
                System.out.printf("%n=== %s: JMH -prof gc%n", kind);
                report.results(kind, jmh(database, here, scenarios, warmup, iterations));
                Files.writeString(out, report.markdown((System.nanoTime() - started) / 1_000_000_000L));
            }
        }
        System.out.printf("%nWrote %s in %d s%n", out.toAbsolutePath(), (System.nanoTime() - started) / 1_000_000_000L);
        System.exit(0);     // the embedded servers' shutdown hooks stop them
    }

    /** The JMH runs of {@link TransactionBenchmarks} on one database, forks sharing its server or file. */
    private static Collection<RunResult> jmh(BenchDatabase database, List<Peer.Kind> peers, String scenarios, int warmup,
            int iterations) throws Exception {
        ChainedOptionsBuilder jmh = new OptionsBuilder()
                .include(TransactionBenchmarks.class.getName() + "\\." + scenarios + "$")
                .param("db", database.kind())
                .param("peer", peers.stream().map(Enum::name).toArray(String[]::new))
                .warmupIterations(warmup).warmupTime(TimeValue.seconds(1))
                .measurementIterations(iterations).measurementTime(TimeValue.seconds(1))
                .forks(1)
                .addProfiler(GCProfiler.class)
                .jvmArgsAppend("-Xms1g", "-Xmx1g", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
        if (!database.kind().equals("H2")) {
            // H2's in-memory database lives in this JVM; each fork creates its own. The others are shared.
            jmh.jvmArgsAppend(database.asJvmArguments());
        }
        return new Runner(jmh.build()).run();
    }

    private static Map<String, String> parse(String[] args) {
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("Expected --name value pairs, got " + Arrays.toString(args)
                        + "; names: databases, jmh-databases, peers, scenarios, rounds, slice-ms, warmup, iterations, out");
            }
            options.put(args[i].substring(2), args[++i]);
        }
        return options;
    }

    private static List<String> list(String csv) {
        return Arrays.stream(csv.split(",")).map(s -> s.trim().toUpperCase(Locale.ROOT)).filter(s -> !s.isEmpty()).toList();
    }

    static String today() {
        return LocalDate.now().toString();
    }

    static String read(Path path) {
        try {
            return Files.readString(path).trim();
        } catch (IOException e) {
            return "?";
        }
    }
}
