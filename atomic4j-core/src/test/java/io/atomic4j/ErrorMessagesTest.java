package io.atomic4j;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.atomic4j.testing.FaultProxy;
import io.atomic4j.testing.TestDatabase;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Errors say which database alias, what happened and what to do, and never show a password:
 * not in the exception (its message, its causes' and suppressed exceptions' messages), not in
 * anything logged while it happened (atomic4j's, the pool's or the driver's log lines).
 */
class ErrorMessagesTest {
    private static final String PASSWORD = "Sw0rdf1sh-Not-For-Logs";

    /** Everything written to System.out and System.err while {@code action} runs (slf4j-simple logs to System.err). */
    private static Captured capture(FaultTestBase.ThrowingRunnable action) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        PrintStream both = new PrintStream(buffer, true, StandardCharsets.UTF_8);
        Throwable thrown = null;
        System.setOut(both);
        System.setErr(both);
        try {
            action.run();
        } catch (Throwable e) {
            thrown = e;
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
        return new Captured(thrown, buffer.toString(StandardCharsets.UTF_8));
    }

    private record Captured(Throwable thrown, String output) {
    }

    /** Every message in the exception's graph: causes, next exceptions, suppressed, and their toString(). */
    private static String allText(Throwable root) {
        StringBuilder text = new StringBuilder();
        List<Throwable> pending = new ArrayList<>(List.of(root));
        Map<Throwable, Boolean> seen = new IdentityHashMap<>();
        while (!pending.isEmpty()) {
            Throwable current = pending.remove(pending.size() - 1);
            if (current == null || seen.put(current, Boolean.TRUE) != null) {
                continue;
            }
            text.append(current).append('\n');
            pending.add(current.getCause());
            pending.addAll(List.of(current.getSuppressed()));
            if (current instanceof SQLException) {
                pending.add(((SQLException) current).getNextException());
            }
        }
        return text.toString();
    }

    private static void assertNoPassword(Captured captured) {
        assertThat(captured.thrown()).as("an exception").isNotNull();
        assertThat(allText(captured.thrown())).doesNotContain(PASSWORD);
        assertThat(captured.output()).as("log output").doesNotContain(PASSWORD);
    }

    @Test
    void wrongPasswordNamesTheAliasAndSaysWhatToCheckButNotThePassword() throws SQLException {
        String url = "jdbc:h2:mem:messages_wrong_password;DB_CLOSE_DELAY=-1";
        try (Connection creator = DriverManager.getConnection(url, "app", "the-right-one");
             Statement statement = creator.createStatement()) {
            statement.execute("SELECT 1");   // the first connection creates the database with this user
        }

        Captured captured = capture(() -> Database.builder(url).alias("billing").user("app").password(PASSWORD).build());

        assertNoPassword(captured);
        assertThat(captured.thrown()).isInstanceOf(DatabaseException.class)
                .hasMessageContaining("'billing'")
                .hasMessageContaining("Could not open database")
                .hasMessageContaining("Check that the server is running and the URL, user and password are right");
    }

    @Test
    void passwordInsideTheUrlIsMaskedInTheMessage() {
        String url = "jdbc:h2:mem:messages_url_password;DB_CLOSE_DELAY=-1;USER=app;PASSWORD=" + PASSWORD
                + ";IFEXISTS=TRUE";

        Captured captured = capture(() -> Database.builder(url).alias("reports").build());

        assertNoPassword(captured);
        assertThat(captured.thrown()).isInstanceOf(DatabaseException.class)
                .hasMessageContaining("'reports'").hasMessageContaining("PASSWORD=***");
    }

    @Test
    void poolNeverHoldsTheUrlSoItCannotLogIt() throws SQLException {
        // HikariCP logs its configuration at DEBUG, URL included, and masks only a lower-case "password=".
        String url = "jdbc:h2:mem:messages_pool_url;DB_CLOSE_DELAY=-1;USER=app;PASSWORD=" + PASSWORD;
        try (Database db = Database.builder(url).alias("audit").build()) {
            HikariDataSource pool = db.dataSource().unwrap(HikariDataSource.class);
            assertThat(pool.getJdbcUrl()).isNull();
            assertThat(pool.getPassword()).isNull();
            assertThat(String.valueOf(pool.getDataSource())).doesNotContain(PASSWORD).contains("PASSWORD=***");
            assertThat(db.toString()).doesNotContain(PASSWORD);
            db.atomic(() -> FaultTestBase.execute(db, "SELECT 1"));
        }
    }

    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = {"POSTGRES", "MARIADB"})
    void unreachableServerNamesTheAliasButNotThePasswordInTheUrl(TestDatabase testDatabase) {
        try (FaultProxy proxy = testDatabase.newFaultProxy()) {
            proxy.refuseNew(true);
            String url = testDatabase.jdbcUrlThrough(proxy) + "&password=" + PASSWORD;

            Captured captured = capture(() -> Database.builder(url).alias("orders").build());

            assertNoPassword(captured);
            assertThat(captured.thrown()).isInstanceOf(DatabaseException.class)
                    .hasMessageContaining("'orders'").hasMessageContaining("password=***");
            assertThat(((DatabaseException) captured.thrown()).kind()).isEqualTo(ErrorKind.CONNECTION);
        }
    }

    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = {"POSTGRES", "MARIADB"})
    void connectionLostInABlockNamesTheAliasAndNoPassword(TestDatabase testDatabase) {
        try (FaultProxy proxy = testDatabase.newFaultProxy()) {
            String url = testDatabase.jdbcUrlThrough(proxy);
            Captured captured = capture(() -> {
                try (Database db = Database.builder(url).alias("ledger").password(PASSWORD).maxPoolSize(1).build()) {
                    db.atomic(() -> {
                        FaultTestBase.execute(db, "SELECT 1");
                        proxy.cutAll();
                        try {
                            FaultTestBase.execute(db, "SELECT 2");
                        } catch (SQLException swallowed) {
                            // carry on: the block must still fail, and say why
                        }
                    });
                }
            });

            assertNoPassword(captured);
            assertThat(captured.output()).as("the pool's warning was captured").contains("atomic4j-ledger");
            assertThat(captured.thrown()).isInstanceOf(TransactionManagementException.class)
                    .hasMessageContaining("database 'ledger'").hasMessageContaining("was lost");
        }
    }
}
