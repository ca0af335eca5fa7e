package io.atomic4j.spring;

import io.atomic4j.Database;

/**
 * Adjusts a database that the Spring Boot auto-configuration opens from
 * {@code atomic4j.databases.<alias>.*}, just before it is built. Define one as a bean; every
 * customizer bean runs, in {@code @Order}, for every such database:
 * <pre>{@code
 * @Bean
 * AtomicDatabaseCustomizer longTransactionThreshold() {
 *     return (alias, builder) -> builder.longTransactionThreshold(Duration.ofSeconds(30));
 * }
 * }</pre>
 * The metrics auto-configuration uses one to give its {@code AtomicMetrics} to each database, so
 * a customizer that sets a listener of its own replaces the metrics' (a database has one listener).
 *
 * <p>Not applied to a database "default" that wraps the application's {@code DataSource}:
 * {@link Database#wrap} takes no options. Set {@code atomic4j.databases.default.url} to let
 * atomic4j open that pool, or define the {@code Databases} bean yourself.
 */
@FunctionalInterface
public interface AtomicDatabaseCustomizer {
    /** Called once per database, with its alias, before {@code builder.build()}. */
    void customize(String alias, Database.Builder builder);
}
