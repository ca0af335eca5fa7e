package io.atomic4j.benchmarks;

import com.zaxxer.hikari.HikariDataSource;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Each benchmark method is one scenario run as one transaction (the bulk ones: 1000 rows) by
 * one peer on one database; {@link Main} runs them all and writes the report. Throughput in
 * transactions per second; the {@code insertOne_NThreads} methods are the same transaction from
 * N threads sharing the pool.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 1, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class TransactionBenchmarks {
    @Param({"H2", "SQLITE", "POSTGRES", "MARIADB"})
    public String db;

    @Param({"JDBC", "ATOMIC4J", "SPRING", "JOOQ", "JDBI"})
    public String peer;

    private BenchDatabase database;
    private HikariDataSource pool;
    private Peer library;
    private Scenarios scenarios;

    @Setup(Level.Trial)
    public void open() throws Exception {
        database = BenchDatabase.forThisJvm(db);
        pool = database.newPool();
        BenchDatabase.createSchema(pool);
        library = Peer.create(Peer.Kind.valueOf(peer), pool, database);
        scenarios = new Scenarios(library);
    }

    @Setup(Level.Iteration)
    public void emptyTable() throws Exception {
        database.clear(pool);
    }

    @TearDown(Level.Trial)
    public void close() {
        library.close();
        pool.close();
    }

    @Benchmark
    public int selectOne() throws Exception {
        return scenarios.selectOne();
    }

    @Benchmark
    public void insertOne() throws Exception {
        scenarios.insertOne();
    }

    @Benchmark
    public void nestedCommit() throws Exception {
        scenarios.nestedCommit();
    }

    @Benchmark
    public void nestedRollback() throws Exception {
        scenarios.nestedRollback();
    }

    @Benchmark
    public void emptyNested() throws Exception {
        scenarios.emptyNested();
    }

    @Benchmark
    public void batch10() throws Exception {
        scenarios.batch10();
    }

    @Benchmark
    public void bulkAutocommit() throws Exception {
        scenarios.bulkAutocommit();
    }

    @Benchmark
    public void bulkInBlock() throws Exception {
        scenarios.bulkInBlock();
    }

    @Benchmark
    public void bulkBatched() throws Exception {
        scenarios.bulkBatched();
    }

    @Benchmark
    @Threads(2)
    public void insertOne_2Threads() throws Exception {
        scenarios.insertOne();
    }

    @Benchmark
    @Threads(4)
    public void insertOne_4Threads() throws Exception {
        scenarios.insertOne();
    }

    @Benchmark
    @Threads(8)
    public void insertOne_8Threads() throws Exception {
        scenarios.insertOne();
    }
}
