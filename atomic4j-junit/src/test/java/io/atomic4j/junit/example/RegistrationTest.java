package io.atomic4j.junit.example;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.atomic4j.Database;
import io.atomic4j.junit.AtomicDatabase;
import io.atomic4j.junit.AtomicTest;
import io.atomic4j.junit.OnCommitCapture;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/** The README's example, verbatim: rolled-back tests (Django's TestCase). */
@AtomicTest
@TestMethodOrder(MethodOrderer.MethodName.class)   // so the last test ("starts...") sees what the others left
class RegistrationTest {
    @AtomicDatabase
    static final Database db = Schema.create(Database.open("jdbc:h2:mem:shop;DB_CLOSE_DELAY=-1"));

    final List<String> mailbox = new ArrayList<>();
    final Registration registration = new Registration(db, mailbox::add);

    @BeforeAll
    static void plans() throws SQLException {       // set-up data: kept for the class, rolled back after it
        Schema.insertPlan(db, "basic");
    }

    @Test
    void queuesTheWelcomeMailForAfterTheCommit() throws SQLException {
        List<Runnable> hooks = OnCommitCapture.capture(db, () -> registration.register("ada", "basic"));
        assertEquals(1, hooks.size());              // queued for after the commit...
        assertEquals(List.of(), mailbox);           // ...which a rolled-back test never reaches
        assertEquals(1, Schema.count(db, "users"));
    }

    @Test
    void mailsWhenTheCapturedCallbacksRun() throws SQLException {
        OnCommitCapture.captureAndRun(db, () -> registration.register("grace", "basic"));
        assertEquals(List.of("welcome grace"), mailbox);
    }

    @Test
    void startsFromTheSetUpDataOnly() throws SQLException {
        assertEquals(0, Schema.count(db, "users"));   // the other tests' users were rolled back
        assertEquals(1, Schema.count(db, "plans"));   // the class's set-up data is there
    }
}
