package io.atomic4j.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.atomic4j.Database;
import io.atomic4j.Databases;
import io.atomic4j.testing.TestDatabase;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/** The auto-configuration's beans, properties and back-offs, in a plain (non-web) context. */
class AutoConfigurationTest {
    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(AtomicAutoConfiguration.class));

    @Test
    void severalDatabasesFromProperties() {
        runner.withPropertyValues(
                        "atomic4j.databases.default.url=" + TestDatabase.H2.newDatabaseUrl("auto_default"),
                        "atomic4j.databases.reports.url=" + TestDatabase.H2.newDatabaseUrl("auto_reports"),
                        "atomic4j.databases.reports.max-pool-size=2")
                .run(context -> {
                    Databases databases = context.getBean(Databases.class);
                    assertThat(databases.all()).extracting(Database::alias).containsExactly("default", "reports");
                    assertThat(context.getBean(Database.class)).isSameAs(databases.get("default"));
                    assertThat(context.getBean("transactionManager")).isInstanceOf(AtomicTransactionManager.class);
                });
    }

    @Test
    void transactionalWorkThroughTheBeansCommits() {
        runner.withPropertyValues("atomic4j.databases.default.url=" + TestDatabase.H2.newDatabaseUrl("auto_work"))
                .run(context -> {
                    JdbcTemplate jdbc = context.getBean(JdbcTemplate.class);
                    Database db = context.getBean(Database.class);
                    jdbc.execute("CREATE TABLE t (id INT)");
                    new TransactionTemplate(context.getBean(PlatformTransactionManager.class)).executeWithoutResult(status -> {
                        jdbc.update("INSERT INTO t VALUES (1)");
                        assertThat(db.inAtomicBlock()).isTrue();
                    });
                    assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM t", Integer.class)).isEqualTo(1);
                });
    }

    @Test
    void wrapsTheApplicationsDataSourceAsDefault() {
        runner.withBean(javax.sql.DataSource.class, () -> SpringFixture.newPool(TestDatabase.H2, TestDatabase.H2.newDatabaseUrl("auto_pool")))
                .run(context -> {
                    assertThat(context.getBean(Database.class).alias()).isEqualTo("default");
                    assertThat(context.getBean(PlatformTransactionManager.class)).isInstanceOf(AtomicTransactionManager.class);
                });
    }

    @Test
    void anApplicationsOwnTransactionManagerWins() {
        runner.withPropertyValues("atomic4j.databases.default.url=" + TestDatabase.H2.newDatabaseUrl("auto_own"))
                .withBean("transactionManager", PlatformTransactionManager.class,
                        () -> new DataSourceTransactionManager(TestDatabase.H2.newPlainDataSource()))
                .run(context -> assertThat(context.getBean(PlatformTransactionManager.class))
                        .isInstanceOf(DataSourceTransactionManager.class));
    }

    @Test
    void withoutAnyDatabaseTheErrorSaysWhatToSet() {
        runner.run(context -> assertThat(context).getFailure().rootCause()
                .hasMessageContaining("spring.datasource.url").hasMessageContaining("atomic4j.databases.default.url"));
    }

    @Test
    void configurationMetadataNamesTheProperties() throws Exception {
        try (InputStream metadata = getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
            assertThat(metadata).as("spring-configuration-metadata.json in the jar").isNotNull();
            String json = new String(metadata.readAllBytes(), StandardCharsets.UTF_8);
            assertThat(json).contains("\"atomic4j.atomic-requests\"", "\"atomic4j.databases\"", "\"atomic4j.rollback-on-server-error\"");
        }
    }
}
