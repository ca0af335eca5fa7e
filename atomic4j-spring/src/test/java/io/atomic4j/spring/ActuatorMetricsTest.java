package io.atomic4j.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.atomic4j.spring.metricsapp.MetricsApplication;
import io.atomic4j.testing.TestDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** A real Boot application with Actuator: atomic4j's meters appear in {@code /actuator/metrics} with the counts made. */
@SpringBootTest(classes = MetricsApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "management.endpoints.web.exposure.include=metrics")
class ActuatorMetricsTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        registry.add("atomic4j.databases.default.url", () -> TestDatabase.H2.newDatabaseUrl("actuator"));
    }

    @LocalServerPort
    int port;
    @Autowired
    MetricsApplication.Orders orders;
    @Autowired
    JdbcTemplate jdbc;

    private String get(String path) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("GET %s: %s", path, response.body()).isEqualTo(200);
        return response.body();
    }

    /** The value of {@code statistic} in a {@code /actuator/metrics/<name>} answer. */
    private static double statistic(String body, String statistic) {
        Matcher matcher = Pattern.compile("\\{\"statistic\":\"" + statistic + "\",\"value\":([0-9.E]+)}").matcher(body);
        assertThat(matcher.find()).as("%s in %s", statistic, body).isTrue();
        return Double.parseDouble(matcher.group(1));
    }

    @Test
    void theActuatorShowsAtomic4jMetersWithTheTransactionsMade() throws Exception {
        jdbc.execute("CREATE TABLE orders (id INT PRIMARY KEY)");
        for (int id = 1; id <= 3; id++) {
            orders.place(id);
        }
        assertThatThrownBy(() -> orders.placeAndFail(4)).hasMessageContaining("payment refused");

        assertThat(get("/actuator/metrics")).contains("\"atomic4j.transactions\"", "\"atomic4j.transactions.open\"",
                "\"atomic4j.retries\"");
        String committed = get("/actuator/metrics/atomic4j.transactions?tag=database:default&tag=outcome:committed");
        assertThat(statistic(committed, "COUNT")).isEqualTo(3.0);
        String rolledBack = get("/actuator/metrics/atomic4j.transactions?tag=database:default&tag=outcome:rolled_back");
        assertThat(statistic(rolledBack, "COUNT")).isEqualTo(1.0);
        assertThat(statistic(get("/actuator/metrics/atomic4j.transactions.open"), "VALUE")).isZero();
    }
}
