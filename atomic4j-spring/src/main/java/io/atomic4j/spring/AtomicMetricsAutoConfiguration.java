package io.atomic4j.spring;

import io.atomic4j.micrometer.AtomicMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Spring Boot auto-configuration of atomic4j's transaction metrics: with atomic4j-micrometer on
 * the classpath and a {@link MeterRegistry} bean (Actuator's), an {@link AtomicMetrics} bean,
 * which Boot binds to the registry as a {@code MeterBinder}, given as the listener to every
 * database opened from {@code atomic4j.databases.*}. With an {@link ObservationRegistry} bean it
 * also records an observation per transaction. Off with {@code atomic4j.metrics.enabled=false};
 * the {@code AtomicMetrics} bean backs off to the application's own.
 */
// After the registry's auto-configurations (Boot 4's spring-boot-micrometer-metrics), so the
// MeterRegistry bean condition sees it; named, since that module is not on this jar's classpath.
@AutoConfiguration(afterName = {
        "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
        "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
        "org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration",
        "org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration"})
@ConditionalOnClass({MeterRegistry.class, AtomicMetrics.class})
@ConditionalOnBean(MeterRegistry.class)
@ConditionalOnBooleanProperty(name = "atomic4j.metrics.enabled", matchIfMissing = true)
public class AtomicMetricsAutoConfiguration {

    /** One instance for every database, each meter tagged with the database's alias. */
    @Bean
    @ConditionalOnMissingBean
    public AtomicMetrics atomicMetrics(ObjectProvider<ObservationRegistry> observations) {
        ObservationRegistry registry = observations.getIfUnique();
        return registry == null ? new AtomicMetrics() : new AtomicMetrics(registry);
    }

    /** Gives the metrics (the auto-configured or the application's) to each database atomic4j opens. */
    @Bean
    public AtomicDatabaseCustomizer atomicMetricsDatabaseCustomizer(AtomicMetrics metrics) {
        return (alias, builder) -> builder.listener(metrics);
    }
}
