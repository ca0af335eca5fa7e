package io.atomic4j.mongodb;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/**
 * The behavioural suite against a real replica set or sharded cluster, e.g.
 * {@code ATOMIC4J_MONGODB_URI='mongodb://localhost:27017/?replicaSet=rs0' mvn -pl atomic4j-mongodb -am verify}.
 * The fault tests also need {@code --setParameter enableTestCommands=1}; without it they are skipped.
 * Uses (and drops) the database {@value MongoAtomicContract#DATABASE}.
 */
@EnabledIfEnvironmentVariable(named = "ATOMIC4J_MONGODB_URI", matches = ".+",
        disabledReason = "ATOMIC4J_MONGODB_URI is not set: no real MongoDB replica set to run the live suite against "
                + "(see the README's MongoDB section)")
class MongoAtomicLiveTest extends MongoAtomicContract {
    private static MongoClient client;

    @BeforeAll
    static void connect() {
        client = MongoClients.create(System.getenv("ATOMIC4J_MONGODB_URI"));
    }

    @AfterAll
    static void disconnect() {
        client.getDatabase(DATABASE).drop();
        client.close();
    }

    @Override
    protected MongoClient client() {
        return client;
    }

    @Override
    protected MongoClient newClient() {
        return MongoClients.create(System.getenv("ATOMIC4J_MONGODB_URI"));
    }
}
