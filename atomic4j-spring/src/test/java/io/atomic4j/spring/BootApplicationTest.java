package io.atomic4j.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.atomic4j.Database;
import io.atomic4j.Databases;
import io.atomic4j.spring.bootapp.ShopApplication;
import io.atomic4j.testing.TestDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.transaction.PlatformTransactionManager;

/** A real Boot application on a random port with {@code atomic4j.atomic-requests=true}, called over HTTP. */
@SpringBootTest(classes = ShopApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "atomic4j.atomic-requests=true")
class BootApplicationTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        registry.add("spring.datasource.url", () -> TestDatabase.H2.newDatabaseUrl("boot"));
        registry.add("spring.datasource.username", TestDatabase.H2::user);
        registry.add("spring.datasource.password", TestDatabase.H2::password);
    }

    @LocalServerPort
    int port;
    @Autowired
    Database db;
    @Autowired
    Databases databases;
    @Autowired
    PlatformTransactionManager transactionManager;
    @Autowired
    JdbcTemplate jdbc;

    @BeforeEach
    void emptyTable() {
        jdbc.execute("CREATE TABLE IF NOT EXISTS orders (id INT PRIMARY KEY)");
        jdbc.update("DELETE FROM orders");
        ShopApplication.EVENTS.clear();
    }

    private HttpResponse<String> post(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void autoConfigurationProvidesTheDatabaseAndTheTransactionManager() {
        assertThat(transactionManager).isInstanceOf(AtomicTransactionManager.class);
        assertThat(((AtomicTransactionManager) transactionManager).getDatabase()).isSameAs(db);
        assertThat(databases.get("default")).isSameAs(db);
    }

    @Test
    void eachRequestRunsInABlockThatCommitsBeforeItsOnCommitHooks() throws Exception {
        HttpResponse<String> response = post("/orders/1");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("in block true");
        assertThat(jdbc.queryForList("SELECT id FROM orders", Integer.class)).containsExactly(1);
        assertThat(ShopApplication.awaitEvents(1)).containsExactly("committed 1, in block false, visible to others 1");
    }

    @Test
    void aFailingRequestRollsBackAndRunsNoOnCommitHook() throws Exception {
        HttpResponse<String> response = post("/orders/2/fail");

        assertThat(response.statusCode()).isEqualTo(500);
        assertThat(jdbc.queryForList("SELECT id FROM orders", Integer.class)).isEmpty();
        assertThat(ShopApplication.EVENTS).isEmpty();
    }

    @Test
    void aTransactionalServiceJoinsTheRequestsBlockAndSynchronizesWithItsCommit() throws Exception {
        HttpResponse<String> response = post("/orders/4/service");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(jdbc.queryForList("SELECT id FROM orders", Integer.class)).containsExactly(4);
        assertThat(ShopApplication.awaitEvents(2))
                .containsExactly("service in request block true", "service order 4 committed, in block false");
    }

    @Test
    void aNonAtomicServletCommitsEachStatement() throws Exception {
        HttpResponse<String> response = post("/plain/3");

        assertThat(response.statusCode()).isEqualTo(500);
        assertThat(jdbc.queryForList("SELECT id FROM orders", Integer.class)).containsExactly(3);
    }
}
