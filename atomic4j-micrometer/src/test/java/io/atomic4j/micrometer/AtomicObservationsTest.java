package io.atomic4j.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import io.atomic4j.AtomicOptions;
import io.atomic4j.Database;
import io.atomic4j.RetryPolicy;
import io.atomic4j.testing.TestDatabase;
import io.micrometer.common.KeyValue;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The Observation (span) per transaction: its events, outcome, error and parent. */
class AtomicObservationsTest {
    private final List<String> trace = new CopyOnWriteArrayList<>();

    /** Records what a tracing bridge would turn into spans and span events. */
    private final ObservationHandler<Observation.Context> recorder = new ObservationHandler<>() {
        @Override
        public void onStart(Observation.Context context) {
            trace.add("start " + context.getName() + " " + context.getContextualName()
                    + (context.getParentObservation() == null ? "" : " parent "
                    + context.getParentObservation().getContextView().getName()));
        }

        @Override
        public void onEvent(Observation.Event event, Observation.Context context) {
            trace.add("event " + event.getName());
        }

        @Override
        public void onError(Observation.Context context) {
            trace.add("error " + context.getError().getMessage());
        }

        @Override
        public void onStop(Observation.Context context) {
            KeyValue outcome = context.getLowCardinalityKeyValue("outcome");
            KeyValue attempt = context.getHighCardinalityKeyValue("atomic4j.attempt");
            trace.add("stop " + context.getName() + (outcome == null ? "" : " outcome=" + outcome.getValue())
                    + (attempt == null ? "" : " attempt=" + attempt.getValue()));
        }

        @Override
        public boolean supportsContext(Observation.Context context) {
            return true;
        }
    };

    private static void insert(Database db, int id) throws SQLException {
        try (Connection c = db.connection(); Statement s = c.createStatement()) {
            s.executeUpdate("INSERT INTO items (id) VALUES (" + id + ")");
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void aTransactionIsAnObservationWithSavepointAndRetryEvents(TestDatabase database) throws SQLException {
        ObservationRegistry observations = ObservationRegistry.create();
        observations.observationConfig().observationHandler(recorder);
        AtomicMetrics metrics = new AtomicMetrics(observations);
        try (Database db = Database.builder(database.newDatabaseUrl("observed")).alias("orders")
                .user(database.user()).password(database.password()).listener(metrics).build()) {
            try (Connection c = db.connection(); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE items (id INT PRIMARY KEY)");
            }
            // The request's observation is the transaction's parent.
            Observation.createNotStarted("http.request", observations).observeChecked(() -> {
                db.atomic(() -> {
                    insert(db, 1);
                    try {
                        db.atomic(() -> {
                            insert(db, 2);
                            throw new IllegalStateException("inner failed");
                        });
                    } catch (IllegalStateException expected) {
                        // the transaction goes on
                    }
                });
            });
            int[] attempts = {0};
            db.atomic(AtomicOptions.defaults().retry(RetryPolicy.transientErrors(2)), () -> {
                insert(db, 10 + ++attempts[0]);
                if (attempts[0] == 1) {
                    throw new RuntimeException("conflict", new SQLException("x", "40001"));
                }
            });
        }
        assertThat(trace).containsExactly(
                "start http.request null",
                "start atomic4j.transaction transaction orders parent http.request",
                "event atomic4j.savepoint.rolled_back",
                "stop atomic4j.transaction outcome=committed",
                "stop http.request",
                "start atomic4j.transaction transaction orders",
                "error conflict",
                "stop atomic4j.transaction outcome=rolled_back",
                "start atomic4j.transaction transaction orders",
                "event atomic4j.retry",
                "stop atomic4j.transaction outcome=committed attempt=2");
    }
}
