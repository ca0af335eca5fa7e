// The JDBI example of README.md ("### JDBI"), kept here so that it compiles exactly as printed.
import io.atomic4j.Database;
import io.atomic4j.jdbi.AtomicTransactionHandler;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;

class JdbiReadme {
    static void signUp(Database db, String email) {
        Jdbi jdbi = AtomicTransactionHandler.jdbi(db);

        jdbi.useTransaction(handle -> {                // outermost: one transaction
            handle.execute("INSERT INTO users (email) VALUES (?)", email);
            try {
                handle.useTransaction(nested ->        // a savepoint, even on the same handle
                        nested.execute("INSERT INTO newsletter (email) VALUES (?)", email));
            } catch (UnableToExecuteStatementException alreadySubscribed) {
                // only the nested insert is rolled back; the user row stays
            }
            db.onCommit(() -> System.out.println("welcome " + email));   // after the COMMIT
        });
    }
}
