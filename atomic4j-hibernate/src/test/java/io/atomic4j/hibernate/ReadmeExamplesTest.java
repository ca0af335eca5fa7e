package io.atomic4j.hibernate;

import static org.assertj.core.api.Assertions.assertThat;

import io.atomic4j.Database;
import io.atomic4j.testing.TestDatabase;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import shop.Registrations;

/** Runs the README's example (src/test/java/shop, printed in the README's "JPA and Hibernate" section). */
class ReadmeExamplesTest {

    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = {"H2", "POSTGRES"})
    void registrationRefusesADuplicateAndWelcomesOnlyAfterCommit(TestDatabase testDatabase) throws Exception {
        try (Database db = Database.builder(testDatabase.newDatabaseUrl("readme")).user(testDatabase.user())
                .password(testDatabase.password()).build()) {
            Registrations registrations = new Registrations(db);
            assertThat(registrations.register("ada@example.com")).isTrue();
            assertThat(registrations.register("ada@example.com")).isFalse();
            assertThat(registrations.register("grace@example.com")).isTrue();
            assertThat(registrations.welcomed).containsExactly("ada@example.com", "grace@example.com");
        }
    }
}
