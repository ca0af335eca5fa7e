// README example "Your own Databases bean" (section "Observability", "Spring Boot"); kept here so it compiles as printed.
package io.atomic4j.spring.readme;

import io.atomic4j.Database;
import io.atomic4j.Databases;
import io.atomic4j.micrometer.AtomicMetrics;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration
public class OwnDatabases {
    @Bean(destroyMethod = "close")
    public Databases databases(AtomicMetrics metrics) {   // the auto-configured AtomicMetrics bean
        Database shop = Database.builder("jdbc:postgresql://localhost/shop").listener(metrics).build();
        return Databases.of(shop);                        // its "default" is also the Database bean
    }
}
