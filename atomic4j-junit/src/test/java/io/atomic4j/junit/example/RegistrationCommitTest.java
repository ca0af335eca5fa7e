package io.atomic4j.junit.example;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.atomic4j.Database;
import io.atomic4j.junit.AtomicDatabase;
import io.atomic4j.junit.TransactionTest;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/** The README's example, verbatim: committing tests (Django's TransactionTestCase). */
@TransactionTest
@TestMethodOrder(MethodOrderer.MethodName.class)   // so the last test ("starts...") sees what the others left
class RegistrationCommitTest {
    @AtomicDatabase(emptyTables = {"users"})       // emptied after each test, in this order
    static final Database db = Schema.create(Database.open("jdbc:h2:mem:shop_commits;DB_CLOSE_DELAY=-1"));

    final List<String> mailbox = new ArrayList<>();
    final Registration registration = new Registration(db, mailbox::add);

    @Test
    void mailsAfterARealCommit() throws SQLException {
        registration.register("ada", null);
        assertEquals(List.of("welcome ada"), mailbox);
        assertEquals(1, Schema.count(db, "users"));
    }

    @Test
    void startsWithTheTableEmptied() throws SQLException {
        assertEquals(0, Schema.count(db, "users"));
    }
}
