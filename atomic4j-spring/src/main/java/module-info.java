/**
 * Spring's {@code @Transactional} on atomic blocks ({@link io.atomic4j.spring.AtomicTransactionManager}) and
 * Spring Boot auto-configuration.
 */
module io.atomic4j.spring {
    requires transitive io.atomic4j;
    // AtomicTransactionManager is a Spring PlatformTransactionManager over a DataSource's connections.
    requires transitive spring.tx;
    requires transitive spring.jdbc;
    requires spring.beans;
    requires spring.context;
    requires spring.core;
    requires org.slf4j;

    // Only a Boot application (which brings these) reads the auto-configuration.
    requires static spring.boot;
    requires static spring.boot.autoconfigure;
    requires static io.atomic4j.servlet;
    requires static jakarta.servlet;

    exports io.atomic4j.spring;

    // Spring instantiates the auto-configuration and calls its package-private @Bean methods reflectively.
    opens io.atomic4j.spring to spring.core, spring.beans, spring.context;
}
