package io.atomic4j.spring;

import io.atomic4j.Database;

/**
 * Adjusts a database that the Spring Boot auto-configuration builds (from
 * {@code atomic4j.databases.<alias>.*}, and the "default" over the application's {@code DataSource}),
 * just before it is built. Define one as a bean; every customizer bean runs, in {@code @Order}, for
 * every such database:
 * <pre>{@code
 * @Bean
 * AtomicDatabaseCustomizer longTransactionThreshold() {
 *     return (alias, builder) -> builder.longTransactionThreshold(Duration.ofSeconds(30));
 * }
 * }</pre>
 * The metrics auto-configuration uses one to give its {@code AtomicMetrics} to each database, so
 * a customizer that sets a listener of its own replaces the metrics' (a database has one listener).
 *
 * <p>The "default" over the application's {@code DataSource} is built with
 * {@link Database#builder(javax.sql.DataSource)}: the pool's own options ({@code maxPoolSize},
 * {@code user}...) are that pool's and are refused there with an {@code IllegalStateException}.
 */
@FunctionalInterface
public interface AtomicDatabaseCustomizer {
    /** Called once per database, with its alias, before {@code builder.build()}. */
    void customize(String alias, Database.Builder builder);
}
