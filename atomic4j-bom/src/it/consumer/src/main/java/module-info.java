/** A user's application on the module path: every published atomic4j module by the name its jar declares. */
module com.example.consumer {
    requires java.sql;
    requires io.atomic4j;
    requires io.atomic4j.servlet;
    requires io.atomic4j.junit;
    requires io.atomic4j.mongodb;
    // Explicit modules that the signatures above expose (an automatic module cannot say `requires transitive`).
    requires jakarta.servlet;
    requires org.junit.jupiter.api;
}
