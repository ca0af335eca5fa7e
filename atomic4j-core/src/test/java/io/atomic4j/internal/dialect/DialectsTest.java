package io.atomic4j.internal.dialect;

import static org.assertj.core.api.Assertions.assertThat;

import io.atomic4j.Isolation;
import java.sql.Connection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Which dialect a URL or a driver's product name gets, and what it says it is. */
class DialectsTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "jdbc:postgresql://localhost/app, PostgreSQL", "JDBC:PostgreSQL://localhost/app, PostgreSQL",
        "jdbc:mariadb://localhost/app, MariaDB", "jdbc:mysql://localhost/app, MariaDB",
        "jdbc:sqlite:app.db, SQLite", "jdbc:h2:mem:app, H2",
    })
    void theUrlPicksTheDialect(String url, String name) {
        assertThat(Dialects.forUrl(url).name()).isEqualTo(name);
        assertThat(Dialects.forUrl(url)).hasToString(name);
    }

    @Test
    void anUnknownUrlHasNoDialectUntilTheDriverSaysWhatItIs() {
        assertThat(Dialects.forUrl("jdbc:oracle:thin:@localhost:1521/app")).isNull();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "PostgreSQL, PostgreSQL", "MariaDB, MariaDB", "MySQL, MariaDB", "SQLite, SQLite", "H2, H2",
        "Oracle, Oracle",
    })
    void theProductNamePicksTheDialect(String product, String name) {
        assertThat(Dialects.forProductName(product).name()).isEqualTo(name);
    }

    @Test
    void aDriverThatGivesNoProductNameGetsTheGenericDialect() {
        assertThat(Dialects.forProductName(null).name()).isEqualTo("JDBC");
    }

    @Test
    void sqliteRunsEveryLevelButReadUncommittedAsSerializable() {
        Dialect sqlite = Dialects.forUrl("jdbc:sqlite:x.db");
        assertThat(sqlite.isolationLevel(Isolation.READ_UNCOMMITTED)).isEqualTo(Connection.TRANSACTION_READ_UNCOMMITTED);
        assertThat(sqlite.isolationLevel(Isolation.READ_COMMITTED)).isEqualTo(Connection.TRANSACTION_SERIALIZABLE);
        assertThat(sqlite.isolationLevel(Isolation.REPEATABLE_READ)).isEqualTo(Connection.TRANSACTION_SERIALIZABLE);
        assertThat(sqlite.isolationLevel(Isolation.SERIALIZABLE)).isEqualTo(Connection.TRANSACTION_SERIALIZABLE);
        assertThat(Dialects.forUrl("jdbc:h2:mem:x").isolationLevel(Isolation.READ_COMMITTED))
                .isEqualTo(Connection.TRANSACTION_READ_COMMITTED);
    }

    @Test
    void ddlCommitsImplicitlyOnlyOnMariaDbAndH2() {
        assertThat(Dialects.forUrl("jdbc:mariadb://h/app").ddlCommitsTransaction()).isTrue();
        assertThat(Dialects.forUrl("jdbc:h2:mem:x").ddlCommitsTransaction()).isTrue();
        assertThat(Dialects.forUrl("jdbc:postgresql://h/app").ddlCommitsTransaction()).isFalse();
        assertThat(Dialects.forUrl("jdbc:sqlite:x.db").ddlCommitsTransaction()).isFalse();
        assertThat(Dialects.forProductName("Oracle").ddlCommitsTransaction()).isFalse();
    }
}
