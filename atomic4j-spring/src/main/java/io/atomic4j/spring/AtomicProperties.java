package io.atomic4j.spring;

import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code atomic4j.*} properties of a Spring Boot application.
 * <pre>
 * atomic4j.atomic-requests=true                        # each HTTP request in a block on 'default'
 * atomic4j.databases.analytics.url=jdbc:postgresql://db/analytics
 * atomic4j.databases.analytics.username=app
 * atomic4j.databases.analytics.password=secret
 * atomic4j.metrics.enabled=false                       # no transaction metrics even with atomic4j-micrometer
 * </pre>
 * Without {@code atomic4j.databases.default}, the database "default" wraps the application's
 * {@code DataSource} bean (from {@code spring.datasource.*} or your own).
 */
@ConfigurationProperties("atomic4j")
public class AtomicProperties {
    /** Wrap each HTTP request in an atomic block on the database "default" (Django's ATOMIC_REQUESTS); needs atomic4j-servlet. */
    private boolean atomicRequests;
    /** With atomic requests: also roll back when a request ends normally with a status of 500 or more (an exception handler rendered the error). */
    private boolean rollbackOnServerError;
    /** Databases by alias, each opened and pooled by atomic4j. */
    private Map<String, DatabaseProperties> databases = new LinkedHashMap<>();
    /** Transaction metrics (needs atomic4j-micrometer and a MeterRegistry, e.g. from Actuator). */
    private final Metrics metrics = new Metrics();

    public boolean isAtomicRequests() {
        return atomicRequests;
    }

    public void setAtomicRequests(boolean atomicRequests) {
        this.atomicRequests = atomicRequests;
    }

    public boolean isRollbackOnServerError() {
        return rollbackOnServerError;
    }

    public void setRollbackOnServerError(boolean rollbackOnServerError) {
        this.rollbackOnServerError = rollbackOnServerError;
    }

    public Map<String, DatabaseProperties> getDatabases() {
        return databases;
    }

    public void setDatabases(Map<String, DatabaseProperties> databases) {
        this.databases = databases;
    }

    public Metrics getMetrics() {
        return metrics;
    }

    /** The {@code atomic4j.metrics.*} properties. */
    public static class Metrics {
        /** Record atomic4j's transaction metrics in the application's MeterRegistry, when atomic4j-micrometer is on the classpath. */
        private boolean enabled = true;

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }
    }

    /** One {@code atomic4j.databases.<alias>} entry. */
    public static class DatabaseProperties {
        /** JDBC URL of the database. */
        private String url;
        /** Login user of the database. */
        private String username;
        /** Login password of the database. */
        private String password;
        /** Maximum number of pooled connections. */
        private int maxPoolSize = 10;
        /** Wrap each HTTP request in an atomic block on this database (needs atomic4j-servlet). */
        private boolean atomicRequests;

        public String getUrl() {
            return url;
        }

        public void setUrl(String url) {
            this.url = url;
        }

        public String getUsername() {
            return username;
        }

        public void setUsername(String username) {
            this.username = username;
        }

        public String getPassword() {
            return password;
        }

        public void setPassword(String password) {
            this.password = password;
        }

        public int getMaxPoolSize() {
            return maxPoolSize;
        }

        public void setMaxPoolSize(int maxPoolSize) {
            this.maxPoolSize = maxPoolSize;
        }

        public boolean isAtomicRequests() {
            return atomicRequests;
        }

        public void setAtomicRequests(boolean atomicRequests) {
            this.atomicRequests = atomicRequests;
        }
    }
}
