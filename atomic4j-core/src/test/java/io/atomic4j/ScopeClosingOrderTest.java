package io.atomic4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.atomic4j.testing.TestDatabase;
import java.sql.SQLException;

/** A scope cannot end under a lambda block that is still running inside it. */
class ScopeClosingOrderTest extends DatabaseTestBase {

    @EveryDatabase
    void closingAScopeFromInsideALambdaBlockOpenedInItIsRefusedAndChangesNothing(TestDatabase database)
            throws SQLException {
        use(database);
        try (AtomicScope scope = db.begin()) {
            insert(1);
            db.atomic(() -> {
                insert(2);
                assertThatThrownBy(scope::close).isInstanceOf(TransactionManagementException.class)
                        .hasMessageContaining("database '" + db.alias() + "'")
                        .hasMessageContaining("innermost first");
                assertThat(db.getRollback()).as("the refused close marks nothing").isFalse();
                insert(3);
            });
            scope.complete();
        }
        assertThat(committedIds()).containsExactly(1, 2, 3);
    }

    @EveryDatabase
    void closingAScopeWithAnInnerScopeOpenUnderALambdaBlockIsRefused(TestDatabase database) throws SQLException {
        use(database);
        try (AtomicScope outer = db.begin()) {
            db.atomic(() -> {
                try (AtomicScope inner = db.begin()) {
                    insert(1);
                    assertThatThrownBy(outer::close).isInstanceOf(TransactionManagementException.class)
                            .hasMessageContaining("innermost first");
                    inner.complete();
                }
            });
            outer.complete();
        }
        assertThat(committedIds()).containsExactly(1);
    }
}
