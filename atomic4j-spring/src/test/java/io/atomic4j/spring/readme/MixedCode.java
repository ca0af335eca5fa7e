// README example "Mixing @Transactional and db.atomic" (section "Spring and Spring Boot"); kept here so it compiles as printed.
package io.atomic4j.spring.readme;

import io.atomic4j.Database;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

public class MixedCode {
    private final Database db;
    private final JdbcTemplate jdbc;
    private final Audit audit;

    public MixedCode(Database db, JdbcTemplate jdbc, Audit audit) {
        this.db = db;
        this.jdbc = jdbc;
        this.audit = audit;
    }

    @Transactional                                   // the transaction: an atomic block
    public void enroll(int userId, int procedureId) {
        jdbc.update("INSERT INTO procedure_user (user_id, procedure_id) VALUES (?, ?)", userId, procedureId);
        db.atomic(() -> {                            // a nested block: a savepoint, taken lazily
            jdbc.update("INSERT INTO procedure_state (user_id, state) VALUES (?, 'new')", userId);
            audit.record("enrolled " + userId);      // REQUIRES_NEW: commits on its own connection
        });
        db.onCommit(() -> System.out.println("welcome mail to user " + userId));
    }

    public static class Audit {
        private final JdbcTemplate jdbc;

        public Audit(JdbcTemplate jdbc) {
            this.jdbc = jdbc;
        }

        @Transactional(propagation = Propagation.REQUIRES_NEW)
        public void record(String event) {
            jdbc.update("INSERT INTO audit (event) VALUES (?)", event);
        }
    }
}
