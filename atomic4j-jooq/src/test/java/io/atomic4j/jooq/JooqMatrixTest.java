package io.atomic4j.jooq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.jooq.impl.DSL.field;
import static org.jooq.impl.DSL.table;

import io.atomic4j.Database;
import io.atomic4j.librarytests.LibraryMatrix;
import io.atomic4j.testing.TestDatabase;
import java.util.ArrayDeque;
import java.util.Deque;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.exception.DataAccessException;
import org.jooq.impl.DSL;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The library matrix for jOOQ: DSLContext.transaction through {@link AtomicTransactionProvider}. */
class JooqMatrixTest extends LibraryMatrix {
    private DSLContext dsl;
    /** The DSLContexts of the jOOQ transactions open on this thread, innermost first. */
    private final Deque<DSLContext> transactions = new ArrayDeque<>();

    static SQLDialect dialect(TestDatabase kind) {
        return switch (kind) {
            case SQLITE -> SQLDialect.SQLITE;
            case H2 -> SQLDialect.H2;
            case POSTGRES -> SQLDialect.POSTGRES;
            case MARIADB -> SQLDialect.MARIADB;
        };
    }

    @Override
    protected void open(Database db, TestDatabase testDatabase) {
        dsl = DSL.using(db.dataSource(), dialect(testDatabase));
        dsl.configuration().set(new AtomicTransactionProvider(db));
    }

    @Override
    protected void insert(int id) {
        DSLContext current = transactions.isEmpty() ? dsl : transactions.peek();
        current.insertInto(table("item"), field("id", Integer.class), field("name", String.class))
                .values(id, "item " + id).execute();
    }

    @Override
    protected void libraryTransaction(Body body) {
        DSLContext current = transactions.isEmpty() ? dsl : transactions.peek();
        current.transaction(configuration -> {
            transactions.push(configuration.dsl());
            try {
                body.run();
            } finally {
                transactions.pop();
            }
        });
    }

    @ParameterizedTest @EnumSource(TestDatabase.class)
    void transactionResultReturnsTheValueAfterTheCommit(TestDatabase kind) throws Exception {
        use(kind);
        int inserted = dsl.transactionResult(configuration -> configuration.dsl()
                .insertInto(table("item"), field("id", Integer.class), field("name", String.class))
                .values(7, "seven").execute());
        assertThat(inserted).isEqualTo(1);
        assertThat(committedIds()).containsExactly(7);
    }

    @ParameterizedTest @EnumSource(TestDatabase.class)
    void aDslContextOverAnotherDataSourceIsRefusedBeforeAnyWork(TestDatabase kind) throws Exception {
        use(kind);
        DSLContext elsewhere = DSL.using(kind.newPlainDataSource(), dialect(kind));
        elsewhere.configuration().set(new AtomicTransactionProvider(db));
        assertThatThrownBy(() -> elsewhere.transaction(configuration -> configuration.dsl()
                .insertInto(table("item"), field("id", Integer.class), field("name", String.class)).values(8, "eight").execute()))
                .isInstanceOf(DataAccessException.class).hasMessageContaining("DSL.using(db.dataSource(), dialect)");
        assertThat(db.inAtomicBlock()).isFalse();
        assertThat(committedIds()).isEmpty();
    }
}
