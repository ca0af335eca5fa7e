// README example "AtomicDatabaseCustomizer" (section "Observability", "Spring Boot"); kept here so it compiles as printed.
package io.atomic4j.spring.readme;

import io.atomic4j.spring.AtomicDatabaseCustomizer;
import java.time.Duration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration
public class LongTransactions {
    @Bean
    public AtomicDatabaseCustomizer longTransactionThreshold() {   // every database the auto-configuration builds
        return (alias, builder) -> builder.longTransactionThreshold(Duration.ofSeconds(30));
    }
}
