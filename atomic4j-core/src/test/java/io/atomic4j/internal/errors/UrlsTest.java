package io.atomic4j.internal.errors;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every URL form whose password atomic4j masks (README, "Credentials"). */
class UrlsTest {
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "jdbc:postgresql://db/app?user=app&password=s3cr/et;x&ssl=true | jdbc:postgresql://db/app?user=app&password=***&ssl=true",
        "jdbc:postgresql://db/app?password=a;b/c                       | jdbc:postgresql://db/app?password=***",
        "jdbc:mariadb://db/app?PWD=top/secret                          | jdbc:mariadb://db/app?PWD=***",
        "jdbc:h2:mem:x;USER=app;PASSWORD=s3cr/et;MODE=PostgreSQL        | jdbc:h2:mem:x;USER=app;PASSWORD=***;MODE=PostgreSQL",
        "jdbc:sqlserver://db;user=app;password=se/cret                 | jdbc:sqlserver://db;user=app;password=***",
        "jdbc:postgresql://app:s3cr/et:x@db:5432/app                    | jdbc:postgresql://app:***@db:5432/app",
        "jdbc:mysql://app:p@ss@db/app                                   | jdbc:mysql://app:***@db/app",
        "jdbc:oracle:thin:scott/tig/er@//db:1521/orcl                   | jdbc:oracle:thin:scott/***@//db:1521/orcl",
        "jdbc:oracle:thin:scott/tiger@db:1521:orcl                      | jdbc:oracle:thin:scott/***@db:1521:orcl",
    })
    void passwordsAreMaskedInEveryUrlForm(String url, String masked) {
        assertThat(Urls.redact(url)).isEqualTo(masked);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "jdbc:postgresql://db:5432/app?ssl=true",
        "jdbc:sqlite:data/app.db",
        "jdbc:h2:mem:x;DB_CLOSE_DELAY=-1",
        "jdbc:mariadb://db:3306/app?user=app",
    })
    void urlsWithoutAPasswordAreUnchanged(String url) {
        assertThat(Urls.redact(url)).isEqualTo(url);
    }

    @org.junit.jupiter.api.Test
    void aKnownPasswordIsRemovedFromADriversMessage() {
        assertThat(Urls.scrub("FATAL: password authentication failed for s3cr;et/x", "s3cr;et/x"))
                .doesNotContain("s3cr").contains("***");
    }
}
