// README example "Spring without Boot" (section "Spring and Spring Boot"); kept here so it compiles as printed.
package io.atomic4j.spring.readme;

import io.atomic4j.Database;
import io.atomic4j.spring.AtomicTransactionManager;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.annotation.EnableTransactionManagement;

@Configuration
@EnableTransactionManagement
public class PlainSpring {
    @Bean(destroyMethod = "close")
    public Database database() {
        return Database.open("jdbc:postgresql://localhost/shop");
    }

    @Bean
    public PlatformTransactionManager transactionManager(Database database) {
        return new AtomicTransactionManager(database);
    }

    @Bean
    public JdbcTemplate jdbcTemplate(Database database) {
        return new JdbcTemplate(database.dataSource());   // joins @Transactional and db.atomic blocks alike
    }
}
