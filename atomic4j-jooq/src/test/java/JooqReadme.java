// The jOOQ example of README.md ("### jOOQ"), kept here so that it compiles exactly as printed.
import static org.jooq.impl.DSL.field;
import static org.jooq.impl.DSL.table;

import io.atomic4j.Database;
import io.atomic4j.jooq.AtomicTransactionProvider;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.exception.DataAccessException;
import org.jooq.impl.DSL;

class JooqReadme {
    static void signUp(Database db, String email) {
        DSLContext dsl = DSL.using(db.dataSource(), SQLDialect.POSTGRES);
        dsl.configuration().set(new AtomicTransactionProvider(db));

        dsl.transaction(tx -> {                        // outermost: one transaction
            tx.dsl().insertInto(table("users"), field("email")).values(email).execute();
            try {
                tx.dsl().transaction(nested ->         // a savepoint, taken at its first query
                        nested.dsl().insertInto(table("newsletter"), field("email")).values(email).execute());
            } catch (DataAccessException alreadySubscribed) {
                // only the nested insert is rolled back; the user row stays
            }
            db.onCommit(() -> System.out.println("welcome " + email));   // after the COMMIT
        });
    }
}
