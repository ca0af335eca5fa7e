package io.atomic4j.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.atomic4j.AtomicOptions;
import io.atomic4j.Database;
import io.atomic4j.RetryPolicy;
import io.atomic4j.TransactionListener;
import io.atomic4j.testing.TestDatabase;
import io.micrometer.core.instrument.search.Search;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** {@link AtomicMetrics}: after a scripted workload every meter holds exactly the count the test made. */
class AtomicMetricsTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final List<Database> databases = new ArrayList<>();

    @AfterEach
    void close() {
        databases.forEach(Database::close);
    }

    private Database open(TestDatabase database, String alias, TransactionListener listener, Duration threshold)
            throws SQLException {
        Database.Builder builder = Database.builder(database.newDatabaseUrl("metrics")).alias(alias)
                .user(database.user()).password(database.password()).maxPoolSize(4).listener(listener);
        Database db = (threshold == null ? builder : builder.longTransactionThreshold(threshold)).build();
        databases.add(db);
        try (Connection c = db.connection(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE items (id INT PRIMARY KEY)");
        }
        return db;
    }

    private static void insert(Database db, int id) throws SQLException {
        try (Connection c = db.connection(); Statement s = c.createStatement()) {
            s.executeUpdate("INSERT INTO items (id) VALUES (" + id + ")");
        }
    }

    private static List<Integer> committedIds(Database db) throws SQLException {
        List<Integer> ids = new ArrayList<>();
        try (Connection c = db.connection(); Statement s = c.createStatement();
             ResultSet rows = s.executeQuery("SELECT id FROM items ORDER BY id")) {
            while (rows.next()) {
                ids.add(rows.getInt(1));
            }
        }
        return ids;
    }

    private Search meter(String name, String alias, String... tags) {
        return registry.find(name).tag("database", alias).tags(tags);
    }

    private long transactions(String alias, String outcome) {
        return meter("atomic4j.transactions", alias, "outcome", outcome).timer().count();
    }

    private double count(String name, String alias, String... tags) {
        return meter(name, alias, tags).counter().count();
    }

    private double open(String alias) {
        return meter("atomic4j.transactions.open", alias).gauge().value();
    }

    /** Commits, rollbacks, nested rollbacks, a failing robust hook and a retry, counted exactly. */
    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void metricsEqualTheWorkloadsCounts(TestDatabase database) throws SQLException {
        AtomicMetrics metrics = new AtomicMetrics();
        metrics.bindTo(registry);
        Database db = open(database, "orders", metrics, null);
        // The CREATE TABLE in open() ran outside any block (autocommit): no transaction, no event.
        assertThat(transactions("orders", "committed")).isZero();

        db.atomic(() -> {
            insert(db, 1);
            insert(db, 2);
            assertThat(open("orders")).as("open transactions inside a block").isEqualTo(1.0);
        });
        db.atomic(() -> { });   // runs no statement: no transaction
        assertThatThrownBy(() -> db.atomic(() -> {
            insert(db, 3);
            throw new IllegalStateException("body failed");
        })).hasMessage("body failed");
        db.atomic(() -> {
            insert(db, 4);
            for (int id = 5; id <= 6; id++) {
                int failing = id;
                assertThatThrownBy(() -> db.atomic(() -> {
                    insert(db, failing);
                    throw new IllegalStateException("inner failed");
                })).hasMessage("inner failed");
            }
            db.onCommit(() -> {
                throw new IllegalStateException("mail down");
            }, true);
        });
        int[] attempts = {0};
        db.atomic(AtomicOptions.defaults().retry(RetryPolicy.transientErrors(3)), () -> {
            insert(db, 10 + ++attempts[0]);
            if (attempts[0] < 3) {
                throw new RuntimeException("conflict", new SQLException("x", "40001"));
            }
        });

        assertThat(committedIds(db)).containsExactly(1, 2, 4, 13);
        assertThat(transactions("orders", "committed")).isEqualTo(3);
        assertThat(transactions("orders", "rolled_back")).isEqualTo(3);   // body failed + 2 retried attempts
        assertThat(meter("atomic4j.transaction.statements", "orders").summary().totalAmount())
                .as("statements of committed transactions, those of rolled-back nested blocks included").isEqualTo(2 + 3 + 1);
        assertThat(count("atomic4j.retries", "orders")).isEqualTo(2);
        assertThat(count("atomic4j.savepoints.rolled_back", "orders")).isEqualTo(2);
        assertThat(count("atomic4j.hooks.failed", "orders")).isEqualTo(1);
        assertThat(count("atomic4j.transactions.long", "orders")).isZero();
        assertThat(count("atomic4j.commit.outcome.unknown", "orders")).isZero();
        assertThat(count("atomic4j.commit.outcome.resolved", "orders", "committed", "true")).isZero();
        assertThat(open("orders")).isZero();
    }

    /** A transaction held past the threshold is counted once; the listener's report releases it (no sleep). */
    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void aLongTransactionIsCountedOnce(TestDatabase database) throws Exception {
        AtomicMetrics metrics = new AtomicMetrics();
        metrics.bindTo(registry);
        CountDownLatch reported = new CountDownLatch(1);
        TransactionListener releasing = new TransactionListener() {
            @Override
            public TransactionListener forDatabase(String alias) {
                return new Delegating(metrics.forDatabase(alias)) {
                    @Override
                    public void longTransaction(Duration age, Throwable openedAt) {
                        super.longTransaction(age, openedAt);
                        reported.countDown();
                    }
                };
            }
        };
        Database db = open(database, "slow", releasing, Duration.ofMillis(20));
        db.atomic(() -> {
            insert(db, 1);
            assertThat(reported.await(30, TimeUnit.SECONDS)).as("long transaction reported").isTrue();
        });
        db.atomic(() -> insert(db, 2));   // short: not reported (its watch is cancelled at commit)
        assertThat(count("atomic4j.transactions.long", "slow")).isEqualTo(1);
        assertThat(transactions("slow", "committed")).isEqualTo(2);
    }

    /** A listener that throws after AtomicMetrics counted changes neither the outcome nor the counts. */
    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void aThrowingListenerChangesNothing(TestDatabase database) throws SQLException {
        AtomicMetrics metrics = new AtomicMetrics();
        metrics.bindTo(registry);
        TransactionListener throwing = new TransactionListener() {
            @Override
            public TransactionListener forDatabase(String alias) {
                return new Delegating(metrics.forDatabase(alias)) {
                    @Override
                    public void committed(Duration duration, int statements) {
                        super.committed(duration, statements);
                        throw new IllegalStateException("listener bug");
                    }

                    @Override
                    public void rolledBack(Duration duration, Throwable cause) {
                        super.rolledBack(duration, cause);
                        throw new IllegalStateException("listener bug");
                    }
                };
            }
        };
        Database db = open(database, "buggy", throwing, null);
        db.atomic(() -> insert(db, 1));
        assertThatThrownBy(() -> db.atomic(() -> {
            insert(db, 2);
            throw new IllegalStateException("body failed");
        })).hasMessage("body failed");
        assertThat(committedIds(db)).containsExactly(1);
        assertThat(transactions("buggy", "committed")).isEqualTo(1);
        assertThat(transactions("buggy", "rolled_back")).isEqualTo(1);
        assertThat(open("buggy")).isZero();
    }

    /** One instance, two databases: each alias has its own meters; a registry bound later gets them too. */
    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void oneInstanceServesSeveralDatabasesAndBindsInEitherOrder(TestDatabase database) throws SQLException {
        AtomicMetrics metrics = new AtomicMetrics();
        Database orders = open(database, "orders", metrics, null);
        Database audit = open(database, "audit", metrics, null);
        orders.atomic(() -> insert(orders, 1));   // nothing bound yet: not counted
        metrics.bindTo(registry);
        orders.atomic(() -> insert(orders, 2));
        audit.atomic(() -> insert(audit, 1));
        audit.atomic(() -> insert(audit, 2));
        assertThat(transactions("orders", "committed")).isEqualTo(1);
        assertThat(transactions("audit", "committed")).isEqualTo(2);
        SimpleMeterRegistry second = new SimpleMeterRegistry();
        metrics.bindTo(second);
        orders.atomic(() -> insert(orders, 3));
        assertThat(transactions("orders", "committed")).isEqualTo(2);
        assertThat(second.find("atomic4j.transactions").tag("database", "orders").tag("outcome", "committed")
                .timer().count()).isEqualTo(1);
    }

    /** Forwards every event; tests override one to add a latch or a throw. */
    static class Delegating implements TransactionListener {
        private final TransactionListener target;

        Delegating(TransactionListener target) {
            this.target = target;
        }

        @Override
        public void begun() {
            target.begun();
        }

        @Override
        public void committed(Duration duration, int statements) {
            target.committed(duration, statements);
        }

        @Override
        public void rolledBack(Duration duration, Throwable cause) {
            target.rolledBack(duration, cause);
        }

        @Override
        public void savepointRolledBack(Throwable cause) {
            target.savepointRolledBack(cause);
        }

        @Override
        public void retrying(int attempt, Throwable cause) {
            target.retrying(attempt, cause);
        }

        @Override
        public void commitOutcomeUnknown(Throwable cause) {
            target.commitOutcomeUnknown(cause);
        }

        @Override
        public void commitOutcomeResolved(boolean committed) {
            target.commitOutcomeResolved(committed);
        }

        @Override
        public void hookFailed(Throwable cause) {
            target.hookFailed(cause);
        }

        @Override
        public void longTransaction(Duration age, Throwable openedAt) {
            target.longTransaction(age, openedAt);
        }
    }
}
