/** Micrometer meters and observations for atomic4j transactions: {@link io.atomic4j.micrometer.AtomicMetrics}. */
module io.atomic4j.micrometer {
    requires transitive io.atomic4j;
    // AtomicMetrics is a MeterBinder and takes an ObservationRegistry.
    requires transitive micrometer.core;
    requires transitive micrometer.observation;

    exports io.atomic4j.micrometer;
}
