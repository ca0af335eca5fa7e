package io.atomic4j.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import io.atomic4j.Database;
import io.atomic4j.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * The Java examples of the README's outbox section, compiled (and run) here so they stay true:
 * keep the two in step. Also checks that the README shows the DDL the code runs.
 */
class ReadmeExamples {

    /** Stands in for a mail API that accepts an idempotency key. */
    static final class Mailer {
        final List<String> sent = new CopyOnWriteArrayList<>();

        void welcome(String idempotencyKey, String email) {
            sent.add(idempotencyKey + " " + email);
        }
    }

    static void insertUser(Database db, String email) throws SQLException {
        try (Connection c = db.connection();
             PreparedStatement insert = c.prepareStatement("INSERT INTO users (email) VALUES (?)")) {
            insert.setString(1, email);
            insert.executeUpdate();
        }
    }

    // README: "Durable after-commit work" -- the first example, as printed.
    static void register(Database db, Mailer mailer) throws SQLException {
        Outbox outbox = Outbox.builder(db)
                .handler("welcome-mail", (OutboxTask task) -> mailer.welcome(task.id(), task.payload()))
                .start();

        db.atomic(() -> {
            insertUser(db, "ada@example.com");
            outbox.enqueue("welcome-mail", "ada@example.com");   // in this transaction
        });                                                      // committed: the mail goes out now
        outbox.close();
    }

    // README: "Failures" -- options and the failed-task API, as printed.
    static Outbox configured(Database db, Mailer mailer) {
        Outbox outbox = Outbox.builder(db)
                .handler("welcome-mail", task -> mailer.welcome(task.id(), task.payload()))
                .workers(8)                                         // handlers at once in this instance
                .maxAttempts(5)                                     // then FAILED, kept in the table
                .backoff(Duration.ofSeconds(2), Duration.ofMinutes(5))
                .lease(Duration.ofSeconds(30))                      // a dead instance's tasks wait this long
                .start();
        for (OutboxTask task : outbox.failed(100)) {
            System.out.println(task + " failed: " + task.lastError());
            outbox.requeue(task.id());                          // after fixing the cause
        }
        return outbox;
    }

    @Test
    void readmeExampleSendsTheMailAfterTheCommit() throws Exception {
        Mailer mailer = new Mailer();
        try (Database db = Database.open(TestDatabase.SQLITE.newDatabaseUrl("readme"))) {
            OutboxTestSupport.execute(db, "CREATE TABLE users (email VARCHAR(100) PRIMARY KEY)");
            register(db, mailer);
            // close() lets the task handed over at the commit run, and waits for it.
            assertThat(mailer.sent).hasSize(1).allMatch(line -> line.endsWith(" ada@example.com"));
            assertThat(OutboxTestSupport.count(db, "SELECT COUNT(*) FROM atomic4j_outbox WHERE status = 'DONE'")).isEqualTo(1);
            try (Outbox outbox = configured(db, mailer)) {
                assertThat(outbox.failed(100)).isEmpty();
            }
        }
    }

    @Test
    void readmeShowsTheDdlOfEveryDatabase() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        for (Store.Kind kind : Store.Kind.values()) {
            for (String statement : Store.ddl(Outbox.DEFAULT_TABLE, kind)) {
                assertThat(readme).as("README shows the " + kind + " DDL").contains(statement + ";");
            }
        }
    }
}
