package io.atomic4j.spring.metricsapp;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** A Boot application with Actuator for {@code ActuatorMetricsTest}: atomic4j opens 'default' itself. */
@SpringBootApplication
public class MetricsApplication {

    /** Places orders in @Transactional methods: each call one transaction of 'default'. */
    @Service
    public static class Orders {
        private final JdbcTemplate jdbc;

        public Orders(JdbcTemplate jdbc) {
            this.jdbc = jdbc;
        }

        @Transactional
        public void place(int id) {
            jdbc.update("INSERT INTO orders (id) VALUES (?)", id);
        }

        @Transactional
        public void placeAndFail(int id) {
            jdbc.update("INSERT INTO orders (id) VALUES (?)", id);
            throw new IllegalStateException("payment refused for order " + id);
        }
    }
}
