package io.atomic4j.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import io.atomic4j.Database;
import io.atomic4j.testing.TestDatabase;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The Java examples of the README's section "Observability (atomic4j-micrometer)", compiled and
 * run here so they stay true: keep the two in step.
 */
class ReadmeExamples {

    // README: the first example, as printed.
    static class Observed {
        static List<Database> databases(String ordersUrl, String auditUrl, MeterRegistry registry) {
            AtomicMetrics metrics = new AtomicMetrics();      // one instance for every database
            metrics.bindTo(registry);                          // before or after build(): either works
            Database orders = Database.builder(ordersUrl).alias("orders").listener(metrics)
                    .longTransactionThreshold(Duration.ofSeconds(30))   // counted in atomic4j.transactions.long
                    .build();
            Database audit = Database.builder(auditUrl).alias("audit").listener(metrics).build();
            return List.of(orders, audit);
        }
    }

    // README: "Tracing", as printed.
    static class Traced {
        static Database traced(String url, MeterRegistry registry, ObservationRegistry observations) {
            AtomicMetrics metrics = new AtomicMetrics(observations);   // metrics + an observation per transaction
            metrics.bindTo(registry);
            return Database.builder(url).alias("orders").listener(metrics).build();
        }
    }

    @Test
    void theExamplesRun() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        List<Database> databases = Observed.databases(TestDatabase.SQLITE.newDatabaseUrl("readme"),
                TestDatabase.H2.newDatabaseUrl("readme"), registry);
        try (Database orders = databases.get(0); Database audit = databases.get(1);
             Database traced = Traced.traced(TestDatabase.SQLITE.newDatabaseUrl("readme"), new SimpleMeterRegistry(),
                     ObservationRegistry.create())) {
            for (Database db : List.of(orders, audit, traced)) {
                db.atomic(() -> {
                    try (Connection c = db.connection(); Statement s = c.createStatement()) {
                        s.executeQuery("SELECT 1").close();
                    }
                });
            }
        }
        assertThat(registry.get("atomic4j.transactions").tag("database", "orders").tag("outcome", "committed").timer().count())
                .isEqualTo(1);
        assertThat(registry.get("atomic4j.transactions").tag("database", "audit").tag("outcome", "committed").timer().count())
                .isEqualTo(1);
    }
}
