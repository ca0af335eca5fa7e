package io.atomic4j.junit.example;

import io.atomic4j.Database;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.function.Consumer;

/** The code under test in the README example: stores a user, then mails them once the row is committed. */
final class Registration {
    private final Database db;
    private final Consumer<String> mailer;

    Registration(Database db, Consumer<String> mailer) {
        this.db = db;
        this.mailer = mailer;
    }

    void register(String user, String plan) throws SQLException {
        db.atomic(() -> {
            try (Connection connection = db.connection();
                 PreparedStatement insert = connection.prepareStatement("INSERT INTO users (name, plan) VALUES (?, ?)")) {
                insert.setString(1, user);
                insert.setString(2, plan);
                insert.executeUpdate();
            }
            db.onCommit(() -> mailer.accept("welcome " + user));
        });
    }
}
