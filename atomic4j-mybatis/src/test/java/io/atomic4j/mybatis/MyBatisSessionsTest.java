package io.atomic4j.mybatis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.atomic4j.Database;
import io.atomic4j.TransactionManagementException;
import io.atomic4j.librarytests.LibraryTestBase;
import io.atomic4j.testing.TestDatabase;
import org.apache.ibatis.mapping.Environment;
import org.apache.ibatis.session.Configuration;
import org.apache.ibatis.session.SqlSession;
import org.apache.ibatis.session.SqlSessionFactory;
import org.apache.ibatis.session.SqlSessionFactoryBuilder;
import org.apache.ibatis.transaction.jdbc.JdbcTransactionFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** SqlSession commit / rollback / close as blocks, and why JdbcTransactionFactory is not used, on every database. */
class MyBatisSessionsTest extends LibraryTestBase {
    private SqlSessionFactory sessions;

    @Override
    protected void open(Database db, TestDatabase testDatabase) {
        sessions = MyBatisMatrixTest.sessions(db);
    }

    @Override
    protected void insert(int id) {
        try (SqlSession session = sessions.openSession(true)) {
            insert(session, id);
        }
    }

    private static void insert(SqlSession session, int id) {
        session.getMapper(ItemMapper.class).insert(id, "item " + id);
    }

    @ParameterizedTest @EnumSource(TestDatabase.class)
    void commitEndsOneBlockAndTheNextStatementOpensAnother(TestDatabase kind) throws Exception {
        use(kind);
        try (SqlSession session = sessions.openSession()) {
            insert(session, 1);
            assertThat(committedIds()).isEmpty();
            session.commit();
            assertThat(committedIds()).containsExactly(1);
            insert(session, 2);
            session.rollback();
            insert(session, 3);
            session.commit();
            insert(session, 4);
        }                                                   // closed without commit: 4 rolled back
        assertThat(committedIds()).containsExactly(1, 3);
    }

    @ParameterizedTest @EnumSource(TestDatabase.class)
    void aSessionInsideABlockIsASavepoint(TestDatabase kind) throws Exception {
        use(kind);
        db.atomic(() -> {
            insert(1);
            try (SqlSession session = sessions.openSession()) {
                insert(session, 2);
                session.commit();
                assertThat(committedIds()).as("the session's commit only released a savepoint").isEmpty();
                insert(session, 3);
            }                                               // closed without commit: 3 rolled back
            insert(4);
        });
        assertThat(committedIds()).containsExactly(1, 2, 4);
    }

    @ParameterizedTest @EnumSource(TestDatabase.class)
    void anAutocommitSessionJoinsTheBlock(TestDatabase kind) throws Exception {
        use(kind);
        try (SqlSession session = sessions.openSession(true)) {
            insert(session, 1);
            assertThat(committedIds()).containsExactly(1);
            assertThatThrownBy(() -> db.atomic(() -> {
                insert(session, 2);
                throw new Boom();
            })).isInstanceOf(Boom.class);
            insert(session, 3);
        }
        assertThat(committedIds()).containsExactly(1, 3);
    }

    @ParameterizedTest @EnumSource(TestDatabase.class)
    void openSessionWithAConnectionIsRefused(TestDatabase kind) throws Exception {
        use(kind);
        try (var connection = db.connection()) {
            assertThatThrownBy(() -> sessions.openSession(connection)).hasMessageContaining("openSession()");
        }
    }

    /**
     * MyBatis's default factory in a block: its commit reaches Connection.commit(), which atomic4j
     * refuses; the block rolls back and nothing is committed, and the database stays usable.
     */
    @ParameterizedTest @EnumSource(TestDatabase.class)
    void theDefaultJdbcTransactionFactoryIsRefusedInsideABlock(TestDatabase kind) throws Exception {
        use(kind);
        Configuration configuration = new Configuration(new Environment("jdbc", new JdbcTransactionFactory(), db.dataSource()));
        configuration.addMapper(ItemMapper.class);
        SqlSessionFactory jdbcSessions = new SqlSessionFactoryBuilder().build(configuration);
        assertThatThrownBy(() -> db.atomic(() -> {
            insert(1);
            try (SqlSession session = jdbcSessions.openSession()) {
                insert(session, 2);
                session.commit();
            }
        })).satisfies(e -> assertThat(hasCause(e, TransactionManagementException.class)).as(e.toString()).isTrue());
        assertThat(committedIds()).isEmpty();
        assertThat(db.inAtomicBlock()).isFalse();
        db.atomic(() -> insert(5));
        assertThat(committedIds()).containsExactly(5);
    }
}
