package io.atomic4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.atomic4j.testing.TestDatabase;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;

/** Every misuse is refused with a message naming the database and what to do. */
class MisuseTest extends DatabaseTestBase {

    @EveryDatabase
    void rollbackFlagOutsideABlockIsRefused(TestDatabase database) throws SQLException {
        use(database);
        assertThatThrownBy(db::getRollback).isInstanceOf(TransactionManagementException.class)
                .hasMessageContaining("The rollback flag doesn't work outside of an 'atomic' block");
        assertThatThrownBy(() -> db.setRollback(true)).isInstanceOf(TransactionManagementException.class);
    }

    @EveryDatabase
    void everyUseOfAClosedDatabaseNamesTheAlias(TestDatabase database) throws SQLException {
        use(database);
        Database closed = Database.builder(database.jdbcUrl()).user(database.user()).password(database.password())
                .alias("reports").maxPoolSize(1).build();
        closed.close();
        closed.close();
        assertThatThrownBy(() -> closed.atomic(() -> { })).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("Database 'reports' is closed");
        assertThatThrownBy(closed::connection).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(closed::dataSource).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> closed.onCommit(() -> { })).isInstanceOf(IllegalStateException.class);
    }

    @EveryDatabase
    void closingAScopeWithAnInnerScopeOpenRollsBothBackAndSaysSo(TestDatabase database) throws SQLException {
        use(database);
        AtomicScope outer = db.begin();
        insert(1);
        AtomicScope inner = db.begin();
        insert(2);
        outer.complete();
        assertThatThrownBy(outer::close).isInstanceOf(TransactionManagementException.class)
                .hasMessageContaining("was still open");
        assertThat(db.inAtomicBlock()).isFalse();
        inner.close();   // already rolled back with the outer scope: nothing left to do
        outer.close();   // idempotent
        assertThat(committedIds()).isEmpty();
    }

    @EveryDatabase
    void scopeClosedOnAnotherThreadIsRefused(TestDatabase database) throws Exception {
        use(database);
        AtomicScope scope = db.begin();
        Throwable[] failure = new Throwable[1];
        Thread other = new Thread(() -> {
            try {
                scope.close();
            } catch (Throwable e) {
                failure[0] = e;
            }
        });
        other.start();
        other.join();
        scope.close();
        assertThat(failure[0]).isInstanceOf(TransactionManagementException.class).hasMessageContaining("thread");
    }

    @EveryDatabase
    void retryIsRefusedOnTheScopeForm(TestDatabase database) throws SQLException {
        use(database);
        assertThatThrownBy(() -> db.begin(AtomicOptions.defaults().retry(RetryPolicy.transientErrors(2))))
                .isInstanceOf(TransactionManagementException.class).hasMessageContaining("lambda form");
    }

    @Test
    void unknownAliasNamesTheKnownOnes() {
        try (Database main = Database.builder("jdbc:h2:mem:misuse_main").build();
             Database analytics = Database.builder("jdbc:h2:mem:misuse_analytics").alias("analytics").build()) {
            Databases databases = Databases.of(main, analytics);
            assertThat(databases.get("analytics")).isSameAs(analytics);
            assertThat(databases.all()).containsExactly(main, analytics);
            assertThatThrownBy(() -> databases.get("reports")).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("No database 'reports'. Known aliases: default, analytics.");
        }
    }

    @Test
    void twoDatabasesWithOneAliasAreRefused() {
        try (Database first = Database.builder("jdbc:h2:mem:misuse_a").build();
             Database second = Database.builder("jdbc:h2:mem:misuse_b").build()) {
            assertThatThrownBy(() -> Databases.of(first, second)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("Two databases have the alias 'default'");
        }
    }

    @Test
    void databasesCloseClosesEveryDatabase() {
        Database first = Database.builder("jdbc:h2:mem:misuse_c").alias("c").build();
        Database second = Database.builder("jdbc:h2:mem:misuse_d").alias("d").build();
        Databases.of(first, second).close();
        assertThatThrownBy(first::inAtomicBlock).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(second::inAtomicBlock).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void badUrlIsRefusedWithAnExampleAndWithoutThePassword() {
        assertThatThrownBy(() -> Database.open("postgres://app:secret@localhost/app"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("needs a JDBC URL starting with 'jdbc:'")
                .hasMessageNotContaining("secret");
    }

    @Test
    void unreachableDatabaseNamesTheAliasButNotThePassword() {
        assertThatThrownBy(() -> Database.builder("jdbc:postgresql://127.0.0.1:1/app?password=hunter2&connectTimeout=2")
                .alias("billing").user("app").password("s3cret-pw").build())
                .isInstanceOf(DatabaseException.class)
                .hasMessageContaining("Could not open database 'billing'")
                .hasMessageContaining("password=***")
                .hasMessageNotContaining("hunter2")
                .hasMessageNotContaining("s3cret-pw")
                .satisfies(e -> assertThat(((DatabaseException) e).kind()).isEqualTo(ErrorKind.CONNECTION));
    }

    @Test
    void nullArgumentsAreRefusedClearly() {
        try (Database h2 = Database.open("jdbc:h2:mem:misuse_null")) {
            assertThatThrownBy(() -> h2.atomic((AtomicOptions) null, () -> { })).isInstanceOf(NullPointerException.class)
                    .hasMessageContaining("AtomicOptions.defaults()");
            assertThatThrownBy(() -> RetryPolicy.transientErrors(0)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> Database.builder("jdbc:h2:mem:x").maxPoolSize(0)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> Database.builder("jdbc:h2:mem:x").alias(" ")).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
