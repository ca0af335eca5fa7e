/**
 * atomic4j's core: {@link io.atomic4j.Database}, atomic blocks, savepoints, hooks and retries over any JDBC
 * {@code DataSource}. Only {@code io.atomic4j} is API; the engine and the JDBC layer are exported to the
 * atomic4j modules built on them and to no one else, so {@code Engines.register} stays out of users' reach.
 */
// "module" lint: the qualified exports name modules that are not on this module's own path.
@SuppressWarnings("module")
module io.atomic4j {
    // Database.open takes a DataSource, Database.connection() returns a Connection, SqlErrors reads SQLExceptions.
    requires transitive java.sql;
    // Database.builder() pools with HikariCP; its types never appear in the API.
    requires com.zaxxer.hikari;
    requires org.slf4j;

    exports io.atomic4j;

    exports io.atomic4j.internal.engine to
            io.atomic4j.servlet,
            io.atomic4j.junit,
            io.atomic4j.mongodb,
            io.atomic4j.hibernate,
            io.atomic4j.spring;
    exports io.atomic4j.internal.errors to
            io.atomic4j.mongodb;
}
