package io.atomic4j.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The environment variables of the demo. */
class DemoConfigTest {
    @Test
    void withoutVariablesTheDemoUsesASqliteFileUnderDataOnPort8080() {
        DemoConfig config = DemoConfig.fromEnvironment(Map.of());

        assertThat(config.jdbcUrl()).startsWith("jdbc:sqlite:data/demo.db?").contains("transaction_mode=IMMEDIATE");
        assertThat(config.displayUrl()).isEqualTo("jdbc:sqlite:data/demo.db");
        assertThat(config.port()).isEqualTo(8080);
        assertThat(config.user()).isNull();
    }

    @Test
    void databaseUrlUserPasswordAndPortComeFromTheEnvironment() {
        DemoConfig config = DemoConfig.fromEnvironment(Map.of("DATABASE_URL", "jdbc:postgresql://db:5432/demo?ssl=false",
                "DATABASE_USER", "demo", "DATABASE_PASSWORD", "secret", "PORT", "9090"));

        assertThat(config).isEqualTo(new DemoConfig("jdbc:postgresql://db:5432/demo?ssl=false", "demo", "secret", 9090));
        assertThat(config.displayUrl()).isEqualTo("jdbc:postgresql://db:5432/demo");
    }

    @Test
    void aDatabaseUrlThatIsNotJdbcIsRefusedWithAnExample() {
        assertThatThrownBy(() -> DemoConfig.fromEnvironment(Map.of("DATABASE_URL", "postgres://db/demo")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("jdbc:postgresql://localhost:5432/demo");
    }

    @Test
    void aPortThatIsNotANumberIsRefused() {
        assertThatThrownBy(() -> DemoConfig.fromEnvironment(Map.of("PORT", "eighty")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("PORT must be a port number from 0 to 65535").hasMessageContaining("'eighty'");
    }
}
