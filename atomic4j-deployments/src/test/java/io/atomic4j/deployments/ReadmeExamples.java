package io.atomic4j.deployments;

import io.atomic4j.Database;
import io.atomic4j.ReplicaRouting;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;

/** The README's "Deployments" example, compiled as printed there (keep the two in step). */
final class ReadmeExamples {
    private ReadmeExamples() {
    }

    static int placeOrderAndCount(String primaryUrl, String replicaUrl) throws Exception {
        try (Database primary = Database.open(primaryUrl);
             Database replica = Database.builder(replicaUrl).alias("replica").build();
             ReplicaRouting routing = ReplicaRouting.builder(primary).replica(replica)
                     .maxLag(Duration.ofSeconds(2)).build()) {
            routing.write(() -> {                       // on the primary
                try (Connection connection = routing.current().connection();
                     Statement statement = connection.createStatement()) {
                    statement.execute("INSERT INTO orders (item) VALUES ('book')");
                }
            });
            return routing.read(() -> {                 // read-only, on a replica that has the order, else the primary
                try (Connection connection = routing.current().connection();
                     Statement statement = connection.createStatement();
                     ResultSet rows = statement.executeQuery("SELECT count(*) FROM orders")) {
                    rows.next();
                    return rows.getInt(1);
                }
            });
        }
    }
}
