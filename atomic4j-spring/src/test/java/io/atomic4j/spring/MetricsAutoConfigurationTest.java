package io.atomic4j.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.atomic4j.Database;
import io.atomic4j.Databases;
import io.atomic4j.micrometer.AtomicMetrics;
import io.atomic4j.spring.metricsapp.MetricsApplication.Orders;
import io.atomic4j.spring.readme.LongTransactions;
import io.atomic4j.testing.TestDatabase;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.search.Search;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Statement;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.annotation.EnableTransactionManagement;

/**
 * {@link AtomicMetricsAutoConfiguration}: when the metrics are on, that they reach every database
 * atomic4j opens, and that after a scripted workload the registry holds exactly its counts.
 */
class MetricsAutoConfigurationTest {
    /** atomic4j and Micrometer as a Boot application with Actuator has them (a SimpleMeterRegistry). */
    private final ApplicationContextRunner withRegistry = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(AtomicAutoConfiguration.class, AtomicMetricsAutoConfiguration.class,
                    MetricsAutoConfiguration.class, SimpleMetricsExportAutoConfiguration.class,
                    CompositeMeterRegistryAutoConfiguration.class));

    private static String h2(String name) {
        return "atomic4j.databases.default.url=" + TestDatabase.H2.newDatabaseUrl(name);
    }

    @Test
    void withARegistryTheMetricsAreBoundAndEveryDatabaseGetsThem() {
        withRegistry.withPropertyValues(h2("metrics_on"),
                        "atomic4j.databases.reports.url=" + TestDatabase.H2.newDatabaseUrl("metrics_reports"))
                .run(context -> {
                    assertThat(context).hasSingleBean(AtomicMetrics.class);
                    MeterRegistry registry = context.getBean(MeterRegistry.class);
                    // A database's meters exist from the moment it is built with the listener.
                    for (String alias : new String[] {"default", "reports"}) {
                        assertThat(registry.find("atomic4j.transactions").tag("database", alias).timers())
                                .as("timers of '%s'", alias).hasSize(2);
                    }
                });
    }

    @Test
    void withoutARegistryThereAreNoMetrics() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(AtomicAutoConfiguration.class, AtomicMetricsAutoConfiguration.class))
                .withPropertyValues(h2("metrics_no_registry"))
                .run(context -> {
                    assertThat(context).hasNotFailed().doesNotHaveBean(AtomicMetrics.class)
                            .doesNotHaveBean(AtomicDatabaseCustomizer.class).hasSingleBean(Database.class);
                });
    }

    @Test
    void thePropertyTurnsTheMetricsOff() {
        withRegistry.withPropertyValues(h2("metrics_off"), "atomic4j.metrics.enabled=false")
                .run(context -> {
                    assertThat(context).hasNotFailed().doesNotHaveBean(AtomicMetrics.class);
                    assertThat(context.getBean(MeterRegistry.class).find("atomic4j.transactions").timers()).isEmpty();
                });
    }

    @Test
    void withoutAtomic4jMicrometerOnTheClasspathTheRestStillWorks() {
        withRegistry.withClassLoader(new FilteredClassLoader(AtomicMetrics.class))
                .withPropertyValues(h2("metrics_no_module"))
                .run(context -> {
                    assertThat(context).hasNotFailed().doesNotHaveBean("atomicMetrics")
                            .doesNotHaveBean(AtomicDatabaseCustomizer.class).hasSingleBean(Database.class);
                });
    }

    @Test
    void anApplicationsOwnAtomicMetricsIsTheOneTheDatabasesGet() {
        AtomicMetrics own = new AtomicMetrics();
        SimpleMeterRegistry ownRegistry = new SimpleMeterRegistry();
        own.bindTo(ownRegistry);
        withRegistry.withPropertyValues(h2("metrics_own"))
                .withBean(AtomicMetrics.class, () -> own)
                .run(context -> {
                    assertThat(context.getBean(AtomicMetrics.class)).isSameAs(own);
                    Database db = context.getBean(Database.class);
                    db.atomic(() -> new JdbcTemplate(db.dataSource()).queryForObject("SELECT 1", Integer.class));
                    assertThat(ownRegistry.get("atomic4j.transactions").tag("database", "default")
                            .tag("outcome", "committed").timer().count()).isEqualTo(1);
                    // Boot bound the application's bean to its registry too, as any MeterBinder bean.
                    assertThat(context.getBean(MeterRegistry.class).get("atomic4j.transactions")
                            .tag("database", "default").tag("outcome", "committed").timer().count()).isEqualTo(1);
                });
    }

    @Test
    void anApplicationsCustomizerRunsForEveryDatabaseBesideTheMetrics() {
        withRegistry.withPropertyValues(h2("metrics_customizer"),
                        "atomic4j.databases.reports.url=" + TestDatabase.H2.newDatabaseUrl("metrics_customizer_reports"))
                .withUserConfiguration(LongTransactions.class)   // the README's example
                .run(context -> {
                    assertThat(context.getBeansOfType(AtomicDatabaseCustomizer.class)).hasSize(2);
                    MeterRegistry registry = context.getBean(MeterRegistry.class);
                    for (String alias : new String[] {"default", "reports"}) {
                        assertThat(registry.find("atomic4j.transactions.long").tag("database", alias).counter())
                                .as("long-transaction counter of '%s'", alias).isNotNull();
                    }
                });
    }

    @Test
    void anApplicationsOwnDatabasesBeanTakesTheMetricsByInjection() {
        withRegistry.withUserConfiguration(OwnDatabases.class)
                .run(context -> {
                    Database db = context.getBean(Database.class);
                    assertThat(db).isSameAs(context.getBean(OwnDatabases.class).shop);
                    db.atomic(() -> new JdbcTemplate(db.dataSource()).queryForObject("SELECT 1", Integer.class));
                    assertThat(context.getBean(MeterRegistry.class).get("atomic4j.transactions").tag("database", "default")
                            .tag("outcome", "committed").timer().count()).isEqualTo(1);
                });
    }

    /** The README's "own Databases bean" example, on H2. */
    @Configuration(proxyBeanMethods = false)
    static class OwnDatabases {
        Database shop;

        @Bean(destroyMethod = "close")
        Databases databases(AtomicMetrics metrics) {
            shop = Database.builder(TestDatabase.H2.newDatabaseUrl("metrics_own_databases")).listener(metrics).build();
            return Databases.of(shop);
        }
    }

    @Test
    void theDefaultOverTheApplicationsDataSourceGetsTheMetricsToo() {
        withRegistry.withBean(DataSource.class,
                        () -> SpringFixture.newPool(TestDatabase.H2, TestDatabase.H2.newDatabaseUrl("metrics_wrapped")))
                .run(context -> {
                    assertThat(context).hasNotFailed().hasSingleBean(AtomicMetrics.class);
                    Database db = context.getBean(Database.class);
                    db.atomic(() -> new JdbcTemplate(db.dataSource()).queryForObject("SELECT 1", Integer.class));
                    assertThat(context.getBean(MeterRegistry.class).find("atomic4j.transactions")
                            .tag("database", "default").tag("outcome", "committed").timer().count()).isEqualTo(1);
                });
    }

    @Test
    void aCustomizerSettingAPoolOptionOnTheApplicationsDataSourceIsToldWhy() {
        withRegistry.withBean(DataSource.class,
                        () -> SpringFixture.newPool(TestDatabase.H2, TestDatabase.H2.newDatabaseUrl("metrics_wrapped_pool")))
                .withBean(AtomicDatabaseCustomizer.class, () -> (alias, builder) -> builder.maxPoolSize(3))
                .run(context -> assertThat(context).hasFailed().getFailure()
                        .rootCause().isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("maxPoolSize(...)").hasMessageContaining("set it on that pool"));
    }

    @Test
    void withAnObservationRegistryEachTransactionIsAlsoAnObservation() {
        withRegistry.withConfiguration(AutoConfigurations.of(ObservationAutoConfiguration.class))
                .withPropertyValues(h2("metrics_observed"))
                .run(context -> {
                    Database db = context.getBean(Database.class);
                    db.atomic(() -> new JdbcTemplate(db.dataSource()).queryForObject("SELECT 1", Integer.class));
                    // Boot's DefaultMeterObservationHandler turns the observation into a timer of its name.
                    assertThat(context.getBean(MeterRegistry.class).get("atomic4j.transaction")
                            .tag("database", "default").tag("outcome", "committed").timer().count()).isEqualTo(1);
                });
    }

    @Test
    void bootsObservationPropertyTurnsTheObservationsOffAndLeavesTheMetrics() {
        withRegistry.withConfiguration(AutoConfigurations.of(ObservationAutoConfiguration.class))
                .withPropertyValues(h2("metrics_unobserved"), "management.observations.enable.atomic4j=false")
                .run(context -> {
                    Database db = context.getBean(Database.class);
                    db.atomic(() -> new JdbcTemplate(db.dataSource()).queryForObject("SELECT 1", Integer.class));
                    MeterRegistry registry = context.getBean(MeterRegistry.class);
                    assertThat(registry.find("atomic4j.transaction").timers()).isEmpty();
                    assertThat(registry.get("atomic4j.transactions").tag("database", "default")
                            .tag("outcome", "committed").timer().count()).isEqualTo(1);
                });
    }

    @Test
    void configurationMetadataNamesTheMetricsProperty() throws Exception {
        try (InputStream metadata = getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
            assertThat(metadata).as("spring-configuration-metadata.json in the jar").isNotNull();
            String json = new String(metadata.readAllBytes(), StandardCharsets.UTF_8);
            assertThat(json).contains("\"atomic4j.metrics.enabled\"");
        }
    }

    // ---- the scripted workload, on every database ----

    static final int COMMITS_THROUGH_SERVICE = 3;
    static final int ROLLBACKS_THROUGH_SERVICE = 2;

    @ParameterizedTest
    @EnumSource(TestDatabase.class)
    void afterAScriptedWorkloadTheMetersHoldExactlyItsCounts(TestDatabase database) {
        withRegistry.withUserConfiguration(ShopConfig.class)
                .withPropertyValues("atomic4j.databases.default.url=" + database.newDatabaseUrl("metrics"),
                        "atomic4j.databases.default.username=" + database.user(),
                        "atomic4j.databases.default.password=" + database.password(),
                        "atomic4j.databases.reports.url=" + TestDatabase.H2.newDatabaseUrl("metrics_workload_reports"))
                .run(context -> {
                    Database db = context.getBean(Database.class);
                    Database reports = context.getBean(Databases.class).get("reports");
                    Orders orders = context.getBean(Orders.class);
                    JdbcTemplate jdbc = context.getBean(JdbcTemplate.class);
                    jdbc.execute("CREATE TABLE orders (id INT PRIMARY KEY)");   // autocommit: no transaction

                    for (int id = 1; id <= COMMITS_THROUGH_SERVICE; id++) {
                        orders.place(id);
                    }
                    for (int id = 10; id < 10 + ROLLBACKS_THROUGH_SERVICE; id++) {
                        int failing = id;
                        assertThatThrownBy(() -> orders.placeAndFail(failing)).isInstanceOf(IllegalStateException.class);
                    }
                    db.atomic(() -> {   // one commit through db.atomic, with a nested block rolled back to its savepoint
                        jdbc.update("INSERT INTO orders (id) VALUES (20)");
                        assertThatThrownBy(() -> db.atomic(() -> {
                            jdbc.update("INSERT INTO orders (id) VALUES (21)");
                            throw new IllegalStateException("inner block fails");
                        })).hasMessage("inner block fails");
                    });
                    assertThatThrownBy(() -> db.atomic(() -> {   // one rollback through db.atomic
                        jdbc.update("INSERT INTO orders (id) VALUES (30)");
                        throw new IllegalStateException("outer block fails");
                    })).hasMessage("outer block fails");
                    db.atomic(() -> { });   // runs no statement: no transaction, counted nowhere
                    reports.atomic(() -> {
                        try (Connection c = reports.connection(); Statement s = c.createStatement()) {
                            s.executeQuery("SELECT 1").close();
                        }
                    });

                    assertThat(jdbc.queryForList("SELECT id FROM orders ORDER BY id", Integer.class))
                            .containsExactly(1, 2, 3, 20);
                    MeterRegistry registry = context.getBean(MeterRegistry.class);
                    assertThat(meter(registry, "atomic4j.transactions", "default", "outcome", "committed").timer().count())
                            .isEqualTo(COMMITS_THROUGH_SERVICE + 1);
                    assertThat(meter(registry, "atomic4j.transactions", "default", "outcome", "rolled_back").timer().count())
                            .isEqualTo(ROLLBACKS_THROUGH_SERVICE + 1);
                    assertThat(meter(registry, "atomic4j.transaction.statements", "default").summary().count())
                            .isEqualTo(COMMITS_THROUGH_SERVICE + 1);
                    assertThat(meter(registry, "atomic4j.savepoints.rolled_back", "default").counter().count()).isEqualTo(1);
                    assertThat(meter(registry, "atomic4j.transactions.open", "default").gauge().value()).isZero();
                    assertThat(meter(registry, "atomic4j.retries", "default").counter().count()).isZero();
                    assertThat(meter(registry, "atomic4j.transactions", "reports", "outcome", "committed").timer().count())
                            .isEqualTo(1);
                    assertThat(meter(registry, "atomic4j.transactions", "reports", "outcome", "rolled_back").timer().count())
                            .isZero();
                });
    }

    private static Search meter(MeterRegistry registry, String name, String alias, String... tags) {
        return registry.find(name).tag("database", alias).tags(tags);
    }

    @Configuration(proxyBeanMethods = false)
    @EnableTransactionManagement
    static class ShopConfig {
        @Bean
        Orders orders(JdbcTemplate jdbc) {   // @Transactional, run by the auto-configured AtomicTransactionManager
            return new Orders(jdbc);
        }
    }
}
