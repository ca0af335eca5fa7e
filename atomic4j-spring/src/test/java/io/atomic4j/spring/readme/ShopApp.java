// README example "A Boot application in ten lines" (section "Spring and Spring Boot"); kept here so it compiles as printed.
package io.atomic4j.spring.readme;

import io.atomic4j.Database;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

@SpringBootApplication
public class ShopApp {
    public static void main(String[] args) {
        SpringApplication.run(ShopApp.class, args);
    }
}

@Service
class Orders {
    private final JdbcTemplate jdbc;
    private final Database db;

    Orders(JdbcTemplate jdbc, Database db) {
        this.jdbc = jdbc;
        this.db = db;
    }

    @Transactional
    public void place(int id, String email) {
        jdbc.update("INSERT INTO orders (id, email) VALUES (?, ?)", id, email);
        db.onCommit(() -> System.out.println("mail " + email + ": order " + id + " confirmed"));
    }
}
