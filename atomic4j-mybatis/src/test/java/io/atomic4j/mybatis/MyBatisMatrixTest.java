package io.atomic4j.mybatis;

import io.atomic4j.Database;
import io.atomic4j.librarytests.LibraryMatrix;
import io.atomic4j.testing.TestDatabase;
import java.util.ArrayDeque;
import java.util.Deque;
import org.apache.ibatis.mapping.Environment;
import org.apache.ibatis.session.Configuration;
import org.apache.ibatis.session.SqlSession;
import org.apache.ibatis.session.SqlSessionFactory;
import org.apache.ibatis.session.SqlSessionFactoryBuilder;

/**
 * The library matrix for MyBatis: a library transaction is a session opened with
 * {@code openSession()} and committed at the end (closed without commit when the body throws);
 * plain inserts use an autocommit session.
 */
class MyBatisMatrixTest extends LibraryMatrix {
    private SqlSessionFactory sessions;
    /** The sessions of the library transactions open on this thread, innermost first. */
    private final Deque<SqlSession> transactions = new ArrayDeque<>();

    static SqlSessionFactory sessions(Database db) {
        Configuration configuration = new Configuration(new Environment("test", new AtomicTransactionFactory(db), db.dataSource()));
        configuration.addMapper(ItemMapper.class);
        return new SqlSessionFactoryBuilder().build(configuration);
    }

    @Override
    protected void open(Database db, TestDatabase testDatabase) {
        sessions = sessions(db);
    }

    @Override
    protected void insert(int id) {
        if (transactions.isEmpty()) {
            try (SqlSession session = sessions.openSession(true)) {
                session.getMapper(ItemMapper.class).insert(id, "item " + id);
            }
        } else {
            transactions.peek().getMapper(ItemMapper.class).insert(id, "item " + id);
        }
    }

    @Override
    protected void libraryTransaction(Body body) throws Exception {
        try (SqlSession session = sessions.openSession()) {
            transactions.push(session);
            try {
                body.run();
            } finally {
                transactions.pop();
            }
            session.commit();
        }
    }
}
