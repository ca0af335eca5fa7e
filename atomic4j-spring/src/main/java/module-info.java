/**
 * Spring's {@code @Transactional} on atomic blocks ({@link io.atomic4j.spring.AtomicTransactionManager}) and
 * Spring Boot auto-configuration.
 */
module io.atomic4j.spring {
    requires transitive io.atomic4j;
    // AtomicTransactionManager is a Spring PlatformTransactionManager over a DataSource's connections; the
    // auto-configuration's public @Bean methods take ObjectProvider and return a JdbcTemplate.
    requires transitive spring.tx;
    requires transitive spring.jdbc;
    requires transitive spring.beans;
    requires transitive spring.context;
    requires spring.core;
    requires org.slf4j;

    // Only a Boot application (which brings these) reads the auto-configuration.
    requires static spring.boot;
    requires static spring.boot.autoconfigure;
    requires static io.atomic4j.servlet;
    requires static jakarta.servlet;
    // Metrics are auto-configured only when the application has atomic4j-micrometer.
    requires static io.atomic4j.micrometer;
    requires static micrometer.core;
    requires static micrometer.observation;

    exports io.atomic4j.spring;

    // Spring reflectively creates the auto-configuration's package-private nested configuration class and calls
    // its package-private @Bean method.
    opens io.atomic4j.spring to spring.core, spring.beans, spring.context, spring.boot;
}
