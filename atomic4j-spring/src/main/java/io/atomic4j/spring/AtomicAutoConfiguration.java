package io.atomic4j.spring;

import io.atomic4j.Database;
import io.atomic4j.Databases;
import io.atomic4j.servlet.AtomicRequestsFilter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;
import org.springframework.core.Ordered;
import org.springframework.jdbc.core.JdbcOperations;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.TransactionManager;

/**
 * Spring Boot auto-configuration: the {@link Databases} and the primary {@link Database} bean
 * ("default": from {@code atomic4j.databases.default}, else wrapping the application's
 * {@code DataSource}), an {@link AtomicTransactionManager} named {@code transactionManager}, a
 * {@link JdbcTemplate} over the block-aware {@code database.dataSource()}, and with
 * {@code atomic4j.atomic-requests=true} the {@link AtomicRequestsFilter}. Each bean backs off
 * when the application defines its own. Every {@link AtomicDatabaseCustomizer} bean adjusts every
 * database it builds, the wrapped "default" included; metrics are {@link AtomicMetricsAutoConfiguration}'s.
 */
@AutoConfiguration(
        afterName = "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
        beforeName = {"org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration",
                "org.springframework.boot.jdbc.autoconfigure.JdbcTemplateAutoConfiguration",
                "org.springframework.boot.transaction.autoconfigure.TransactionAutoConfiguration"})
@ConditionalOnClass({Database.class, TransactionManager.class})
@EnableConfigurationProperties(AtomicProperties.class)
public class AtomicAutoConfiguration {
    static final String DEFAULT = "default";

    /** Every database of the application, closed with the context (a wrapped DataSource stays the application's). */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    public Databases atomicDatabases(AtomicProperties properties, ObjectProvider<DataSource> dataSource,
                                     ObjectProvider<AtomicDatabaseCustomizer> customizers) {
        List<Database> databases = new ArrayList<>();
        List<AtomicDatabaseCustomizer> ordered = customizers.orderedStream().toList();
        if (!properties.getDatabases().containsKey(DEFAULT)) {
            DataSource pool = dataSource.getIfUnique();
            if (pool == null) {
                throw new IllegalStateException("atomic4j needs the database 'default': set spring.datasource.url, "
                        + "define one DataSource bean, or set atomic4j.databases.default.url");
            }
            // The application's pool: customizers get atomic4j's own options (a pool option is refused, with a clear message).
            databases.add(customized(DEFAULT, Database.builder(pool).alias(DEFAULT), ordered));
        }
        for (Map.Entry<String, AtomicProperties.DatabaseProperties> entry : properties.getDatabases().entrySet()) {
            AtomicProperties.DatabaseProperties database = entry.getValue();
            if (database.getUrl() == null) {
                throw new IllegalStateException("atomic4j.databases." + entry.getKey() + ".url is not set");
            }
            Database.Builder builder = Database.builder(database.getUrl()).alias(entry.getKey())
                    .maxPoolSize(database.getMaxPoolSize()).atomicRequests(database.isAtomicRequests());
            if (database.getUsername() != null) {
                builder.user(database.getUsername());
            }
            if (database.getPassword() != null) {
                builder.password(database.getPassword());
            }
            databases.add(customized(entry.getKey(), builder, ordered));
        }
        return Databases.of(databases.toArray(new Database[0]));
    }

    private static Database customized(String alias, Database.Builder builder, List<AtomicDatabaseCustomizer> customizers) {
        for (AtomicDatabaseCustomizer customizer : customizers) {
            customizer.customize(alias, builder);
        }
        return builder.build();
    }

    /** The database "default", the one {@code @Transactional} runs on. */
    @Bean
    @Primary
    @ConditionalOnMissingBean(Database.class)
    public Database atomicDatabase(Databases databases) {
        return databases.get(DEFAULT);
    }

    /** Spring's transactions as atomic blocks of the primary database. */
    @Bean(name = "transactionManager")
    @ConditionalOnMissingBean(TransactionManager.class)
    public AtomicTransactionManager transactionManager(Database database, AtomicProperties properties,
                                                       ObjectProvider<DataSource> dataSource) {
        // Only when 'default' wraps the DataSource bean is that bean the same database.
        DataSource pool = properties.getDatabases().containsKey(DEFAULT) ? null : dataSource.getIfUnique();
        // Spring code handed the DataSource bean (rather than database.dataSource()) then joins the block too.
        return pool == null ? new AtomicTransactionManager(database) : new AtomicTransactionManager(database, pool);
    }

    /** A JdbcTemplate over the block-aware DataSource, so it works in both @Transactional and db.atomic. */
    @Bean
    @ConditionalOnMissingBean(JdbcOperations.class)
    public JdbcTemplate jdbcTemplate(Database database) {
        return new JdbcTemplate(database.dataSource());
    }

    /** {@code atomic4j.atomic-requests=true}: Django's ATOMIC_REQUESTS for the servlet container. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass({AtomicRequestsFilter.class, FilterRegistrationBean.class})
    @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
    @ConditionalOnProperty(prefix = "atomic4j", name = "atomic-requests", havingValue = "true")
    static class AtomicRequestsConfiguration {
        @Bean
        @ConditionalOnMissingBean(name = "atomicRequestsFilter")
        FilterRegistrationBean<AtomicRequestsFilter> atomicRequestsFilter(Databases databases, AtomicProperties properties) {
            List<String> aliases = new ArrayList<>();
            aliases.add(DEFAULT);
            properties.getDatabases().forEach((alias, database) -> {
                if (database.isAtomicRequests() && !alias.equals(DEFAULT)) {
                    aliases.add(alias);
                }
            });
            AtomicRequestsFilter filter = AtomicRequestsFilter.builder(databases)
                    .aliases(aliases.toArray(new String[0]))
                    .rollbackOnServerError(properties.isRollbackOnServerError())
                    .build();
            FilterRegistrationBean<AtomicRequestsFilter> registration = new FilterRegistrationBean<>(filter);
            registration.setName("atomicRequestsFilter");
            // Inside Boot's own early filters (character encoding, request context), around everything else.
            registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 1000);
            return registration;
        }
    }
}
