package io.atomic4j.benchmarks.hibernate;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.atomic4j.Database;
import io.atomic4j.hibernate.AtomicHibernate;
import io.atomic4j.testing.TestDatabase;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.EntityTransaction;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.hibernate.cfg.JdbcSettings;
import org.hibernate.jpa.HibernatePersistenceConfiguration;

/**
 * Hibernate persist + commit (one entity per transaction, a new EntityManager each time) through
 * atomic4j against Hibernate's own resource-local transaction, on the same HikariCP pool. The
 * variants take turns in short slices, in a new random order each round (as {@code Interleaved}
 * does for the JDBC peers), and the median of the per-round ratios is printed. Not run by
 * {@code mvn verify}:
 * <pre>
 * mvn -B -q -pl atomic4j-benchmarks -am package -DskipTests
 * cd atomic4j-benchmarks && java -cp "target/classes:$(cat target/class-path.txt)" \
 *     io.atomic4j.benchmarks.hibernate.HibernateBenchmark H2 POSTGRES
 * </pre>
 */
public final class HibernateBenchmark {
    private static final int ROUNDS = Integer.getInteger("rounds", 15);
    private static final long SLICE_NANOS = Long.getLong("sliceMillis", 300) * 1_000_000L;
    private static final AtomicLong IDS = new AtomicLong();

    private HibernateBenchmark() {
    }

    interface Variant {
        void persistAndCommit();
    }

    public static void main(String[] args) throws Exception {
        for (String name : args.length == 0 ? new String[] {"H2", "POSTGRES"} : args) {
            run(TestDatabase.valueOf(name));
        }
        System.exit(0);   // embedded servers' shutdown hooks stop them
    }

    private static void run(TestDatabase testDatabase) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(testDatabase.jdbcUrl());
        config.setUsername(testDatabase.user());
        config.setPassword(testDatabase.password());
        config.setMaximumPoolSize(4);
        try (HikariDataSource pool = new HikariDataSource(config);
             Database db = Database.wrap("bench", pool);
             // Without the pre-COMMIT transaction-id query (PostgreSQL only): an identically sized pool of its own.
             Database noResolve = Database.builder(testDatabase.jdbcUrl()).user(testDatabase.user())
                     .password(testDatabase.password()).maxPoolSize(4).resolveCommitOutcome(false).build()) {
            EntityManagerFactory plain = new HibernatePersistenceConfiguration("plain")
                    .managedClasses(BenchItem.class)
                    .property(JdbcSettings.JAKARTA_NON_JTA_DATASOURCE, pool)
                    .property("hibernate.hbm2ddl.auto", "create")
                    .createEntityManagerFactory();
            EntityManagerFactory atomic = AtomicHibernate.sessionFactory(db, Map.of(), BenchItem.class);
            EntityManagerFactory atomicNoResolve = AtomicHibernate.sessionFactory(noResolve, Map.of(), BenchItem.class);
            List<String> names = List.of("hibernate resource-local", "atomic4j db.atomic", "atomic4j em.getTransaction()",
                    "atomic4j db.atomic, no resolve");
            List<Variant> variants = List.of(
                    () -> {
                        try (EntityManager em = plain.createEntityManager()) {
                            EntityTransaction transaction = em.getTransaction();
                            transaction.begin();
                            em.persist(new BenchItem(IDS.incrementAndGet(), "item"));
                            transaction.commit();
                        }
                    },
                    () -> db.atomic(() -> {
                        try (EntityManager em = atomic.createEntityManager()) {
                            em.persist(new BenchItem(IDS.incrementAndGet(), "item"));
                        }
                    }),
                    () -> {
                        try (EntityManager em = atomic.createEntityManager()) {
                            EntityTransaction transaction = em.getTransaction();
                            transaction.begin();
                            em.persist(new BenchItem(IDS.incrementAndGet(), "item"));
                            transaction.commit();
                        }
                    },
                    () -> noResolve.atomic(() -> {
                        try (EntityManager em = atomicNoResolve.createEntityManager()) {
                            em.persist(new BenchItem(IDS.incrementAndGet(), "item"));
                        }
                    }));
            IDS.set(1_000_000_000L);
            for (Variant variant : variants) {   // warm-up
                slice(variant, SLICE_NANOS * 5);
            }
            List<List<Double>> ratios = new ArrayList<>();
            double[] totals = new double[variants.size()];
            for (int i = 0; i < variants.size(); i++) {
                ratios.add(new ArrayList<>());
            }
            List<Integer> order = new ArrayList<>(List.of(0, 1, 2, 3));
            java.util.Random random = new java.util.Random(42);
            for (int round = 0; round < ROUNDS; round++) {
                Collections.shuffle(order, random);
                double[] rates = new double[variants.size()];
                for (int index : order) {
                    rates[index] = slice(variants.get(index), SLICE_NANOS);
                    totals[index] += rates[index];
                }
                for (int i = 0; i < variants.size(); i++) {
                    ratios.get(i).add(rates[i] / rates[0]);
                }
            }
            System.out.printf("%n%s: persist one entity + commit, %d rounds of %d ms%n",
                    testDatabase, ROUNDS, SLICE_NANOS / 1_000_000);
            for (int i = 0; i < variants.size(); i++) {
                List<Double> sorted = new ArrayList<>(ratios.get(i));
                Collections.sort(sorted);
                System.out.printf("  %-30s %9.0f ops/s   ratio to resource-local: median %.3f (%.3f..%.3f)%n",
                        names.get(i), totals[i] / ROUNDS, sorted.get(sorted.size() / 2), sorted.get(0),
                        sorted.get(sorted.size() - 1));
            }
            plain.close();
            atomic.close();
            atomicNoResolve.close();
        }
    }

    /** Runs {@code variant} for about {@code nanos}; returns operations per second. */
    private static double slice(Variant variant, long nanos) {
        long start = System.nanoTime();
        long end = start + nanos;
        long operations = 0;
        long now;
        do {
            variant.persistAndCommit();
            operations++;
            now = System.nanoTime();
        } while (now < end);
        return operations * 1e9 / (now - start);
    }
}
