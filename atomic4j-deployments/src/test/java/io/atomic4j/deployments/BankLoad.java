package io.atomic4j.deployments;

import static org.assertj.core.api.Assertions.assertThat;

import io.atomic4j.AtomicOptions;
import io.atomic4j.CommitOutcomeUnknownException;
import io.atomic4j.Database;
import io.atomic4j.DatabaseException;
import io.atomic4j.RetryPolicy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;

/**
 * Bank transfers from several threads while a test injects faults, and the invariants checked
 * afterwards: the total balance is conserved, each account's balance matches the transfers
 * recorded, every transfer reported committed is present, every one reported failed is absent,
 * and the unknown ones are counted (with how many turned out present).
 *
 * <p>Each transfer is one block: two balance updates and a row in {@code transfer} under an id
 * unique to the transfer (the same id on every retry of it, so a row tells which transfer
 * committed). Every loop is bounded by a count and a deadline.
 */
final class BankLoad {
    static final int ACCOUNTS = 20;
    static final long INITIAL_BALANCE = 1_000;

    /** Where each worker's blocks go: worker index -> database (Galera spreads workers over nodes). */
    private final IntFunction<Database> databaseOfWorker;
    private final int workers;
    private final int transfersPerWorker;
    private final Duration maxDuration;
    private final RetryPolicy retry;

    private final AtomicLong nextTransferId = new AtomicLong();
    private final AtomicInteger attempts = new AtomicInteger();
    final Set<Long> committed = ConcurrentHashMap.newKeySet();
    final Set<Long> failed = ConcurrentHashMap.newKeySet();
    final Set<Long> unknown = ConcurrentHashMap.newKeySet();
    /** Completion time (System.nanoTime) of each committed transfer. */
    private final Map<Long, Long> committedAt = new ConcurrentHashMap<>();
    /** Error kinds of failed transfers, for the report: exception class and SQLSTATE. */
    final Map<String, AtomicInteger> failures = new ConcurrentHashMap<>();
    /** Released once per {@link #commitsPerPermit} commits: a fault injector paces itself on it. */
    final Semaphore progress = new Semaphore(0);
    private final int commitsPerPermit;

    BankLoad(IntFunction<Database> databaseOfWorker, int workers, int transfersPerWorker, Duration maxDuration,
             RetryPolicy retry, int commitsPerPermit) {
        this.databaseOfWorker = databaseOfWorker;
        this.workers = workers;
        this.transfersPerWorker = transfersPerWorker;
        this.maxDuration = maxDuration;
        this.retry = retry;
        this.commitsPerPermit = commitsPerPermit;
    }

    /** Creates (or re-creates) the two tables with {@link #ACCOUNTS} accounts of {@link #INITIAL_BALANCE}. */
    static void createSchema(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute("DROP TABLE IF EXISTS transfer");
            statement.execute("DROP TABLE IF EXISTS account");
            statement.execute("CREATE TABLE account (id INT PRIMARY KEY, balance BIGINT NOT NULL)");
            statement.execute("CREATE TABLE transfer (id BIGINT PRIMARY KEY, from_id INT NOT NULL, to_id INT NOT NULL,"
                    + " amount BIGINT NOT NULL)");
            StringBuilder insert = new StringBuilder("INSERT INTO account (id, balance) VALUES ");
            for (int id = 1; id <= ACCOUNTS; id++) {
                insert.append(id == 1 ? "" : ", ").append('(').append(id).append(", ").append(INITIAL_BALANCE).append(')');
            }
            statement.execute(insert.toString());
        }
    }

    /**
     * Runs the workers to their end (count or deadline) and returns; an unexpected error in a
     * worker (anything but a database failure of a transfer) fails the caller.
     */
    void run() throws Exception {
        long deadline = System.nanoTime() + maxDuration.toNanos();
        ExecutorService pool = Executors.newFixedThreadPool(workers);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int worker = 0; worker < workers; worker++) {
                Database db = databaseOfWorker.apply(worker);
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < transfersPerWorker && System.nanoTime() - deadline < 0; i++) {
                        transfer(db);
                    }
                    return null;
                }));
            }
            for (Future<?> future : futures) {
                future.get(maxDuration.toSeconds() + 120, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
            assertThat(pool.awaitTermination(60, TimeUnit.SECONDS)).as("workers ended").isTrue();
        }
    }

    private void transfer(Database db) throws SQLException {
        long id = nextTransferId.incrementAndGet();
        ThreadLocalRandom random = ThreadLocalRandom.current();
        int from = 1 + random.nextInt(ACCOUNTS);
        int to = 1 + (from + random.nextInt(ACCOUNTS - 1)) % ACCOUNTS;
        long amount = 1 + random.nextInt(50);
        try {
            db.atomic(AtomicOptions.defaults().retry(retry), () -> {
                attempts.incrementAndGet();
                try (Connection connection = db.connection()) {
                    move(connection, from, -amount);
                    move(connection, to, amount);
                    try (PreparedStatement insert = connection.prepareStatement(
                            "INSERT INTO transfer (id, from_id, to_id, amount) VALUES (?, ?, ?, ?)")) {
                        insert.setLong(1, id);
                        insert.setInt(2, from);
                        insert.setInt(3, to);
                        insert.setLong(4, amount);
                        insert.executeUpdate();
                    }
                }
            });
            committed.add(id);
            committedAt.put(id, System.nanoTime());
            if (committed.size() % commitsPerPermit == 0) {
                progress.release();
            }
        } catch (CommitOutcomeUnknownException e) {
            unknown.add(id);
            count(e);
        } catch (SQLException | DatabaseException e) {
            // Anything else is a bug, not a database failure: the worker's future carries it to the test.
            failed.add(id);
            count(e);
        }
    }

    private static void move(Connection connection, int account, long delta) throws SQLException {
        try (PreparedStatement update = connection.prepareStatement("UPDATE account SET balance = balance + ? WHERE id = ?")) {
            update.setLong(1, delta);
            update.setInt(2, account);
            if (update.executeUpdate() != 1) {
                throw new IllegalStateException("account " + account + " missing");
            }
        }
    }

    private void count(Exception e) {
        Throwable sql = e;
        while (sql != null && !(sql instanceof SQLException)) {
            sql = sql.getCause();
        }
        String key = e.getClass().getSimpleName()
                + (sql == null ? "" : " " + ((SQLException) sql).getSQLState());
        failures.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
    }

    int attempted() {
        return committed.size() + failed.size() + unknown.size();
    }

    int blockRuns() {
        return attempts.get();
    }

    /** Milliseconds from {@code sinceNanos} to the first commit that completed after it; -1 if none did. */
    long millisToFirstCommitAfter(long sinceNanos) {
        long first = Long.MAX_VALUE;
        for (long at : committedAt.values()) {
            if (at - sinceNanos > 0 && at - sinceNanos < first) {
                first = at - sinceNanos;
            }
        }
        return first == Long.MAX_VALUE ? -1 : TimeUnit.NANOSECONDS.toMillis(first);
    }

    /**
     * What {@link #check} found about the unknown transfers, and how many transfers reported
     * committed were lost (only allowed where the deployment may lose acknowledged commits).
     */
    record Unknowns(int present, int absent, int committedLost) {
    }

    /**
     * Checks every invariant on {@code connection} (to the surviving primary) and returns how the
     * unknown transfers turned out.
     */
    Unknowns check(Connection connection) throws SQLException {
        return check(connection, false);
    }

    /**
     * {@code committedMayBeLost}: the deployment itself may lose commits it acknowledged (an
     * asynchronous failover: what the standby had not received is gone); such transfers are
     * counted, not failed on. Everything else is checked the same.
     */
    Unknowns check(Connection connection, boolean committedMayBeLost) throws SQLException {
        Set<Long> present = new HashSet<>();
        long[] expected = new long[ACCOUNTS + 1];
        java.util.Arrays.fill(expected, INITIAL_BALANCE);
        try (Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT id, from_id, to_id, amount FROM transfer")) {
            while (rows.next()) {
                present.add(rows.getLong(1));
                expected[rows.getInt(2)] -= rows.getLong(4);
                expected[rows.getInt(3)] += rows.getLong(4);
            }
        }
        long total = 0;
        try (Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT id, balance FROM account ORDER BY id")) {
            while (rows.next()) {
                assertThat(rows.getLong(2)).as("balance of account %d = initial + its recorded transfers", rows.getInt(1))
                        .isEqualTo(expected[rows.getInt(1)]);
                total += rows.getLong(2);
            }
        }
        assertThat(total).as("total balance conserved").isEqualTo(ACCOUNTS * INITIAL_BALANCE);
        Set<Long> committedLost = new HashSet<>(committed);
        committedLost.removeAll(present);
        if (!committedMayBeLost) {
            assertThat(committedLost).as("transfers reported committed that are absent").isEmpty();
        }
        Set<Long> failedButPresent = new HashSet<>(failed);
        failedButPresent.retainAll(present);
        assertThat(failedButPresent).as("transfers reported failed that are present").isEmpty();
        int unknownPresent = 0;
        for (long id : unknown) {
            if (present.contains(id)) {
                unknownPresent++;
            }
        }
        Set<Long> reported = new HashSet<>(committed);
        reported.addAll(unknown);
        Set<Long> unreported = new HashSet<>(present);
        unreported.removeAll(reported);
        assertThat(unreported).as("present transfers that were reported neither committed nor unknown").isEmpty();
        return new Unknowns(unknownPresent, unknown.size() - unknownPresent, committedLost.size());
    }

    /** One line of figures, printed and appended to target/deployment-figures.txt for the run's summary. */
    static void report(String line) {
        System.out.println("DEPLOYMENT FIGURES " + line);
        try {
            Files.writeString(Path.of("target", "deployment-figures.txt"), line + System.lineSeparator(),
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String figures(Unknowns unknowns) {
        return "attempted=" + attempted() + " committed=" + committed.size() + " failed=" + failed.size()
                + " unknown=" + unknown.size() + " (present " + unknowns.present() + ", absent " + unknowns.absent() + ")"
                + " committedButLost=" + unknowns.committedLost()
                + " blockRuns=" + blockRuns() + " failures=" + failures;
    }
}
