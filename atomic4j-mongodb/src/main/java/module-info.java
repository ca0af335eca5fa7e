/** atomic4j's block model over MongoDB sessions: {@link io.atomic4j.mongodb.MongoAtomic}. */
module io.atomic4j.mongodb {
    requires transitive io.atomic4j;
    // MongoAtomic wraps a MongoClient and hands out MongoDatabase/MongoCollection views.
    requires transitive org.mongodb.driver.sync.client;
    requires transitive org.mongodb.driver.core;
    requires transitive org.mongodb.bson;

    exports io.atomic4j.mongodb;
}
