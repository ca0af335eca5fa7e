/**
 * A user's application on the module path: every published atomic4j module by the name its jar declares. Nothing
 * else: java.sql, jakarta.servlet and JUnit's API come with the atomic4j modules (`requires transitive`).
 */
module com.example.consumer {
    requires io.atomic4j;
    requires io.atomic4j.servlet;
    requires io.atomic4j.junit;
    requires io.atomic4j.mongodb;
}
