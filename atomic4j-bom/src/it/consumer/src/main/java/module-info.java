/**
 * A user's application on the module path: every published atomic4j module by the name its jar declares. Nothing
 * else: java.sql, jakarta.servlet, JUnit's API and the
 * integrated libraries' modules come with the atomic4j modules (`requires transitive`).
 */
module com.example.consumer {
    requires io.atomic4j;
    requires io.atomic4j.servlet;
    requires io.atomic4j.junit;
    requires io.atomic4j.mongodb;
    requires io.atomic4j.micrometer;
    requires io.atomic4j.jooq;
    requires io.atomic4j.jdbi;
    requires io.atomic4j.mybatis;
    requires io.atomic4j.outbox;
    requires io.atomic4j.hibernate;
    requires io.atomic4j.spring;
}
