// The MyBatis example of README.md ("### MyBatis"), kept here so that it compiles exactly as printed.
import io.atomic4j.Database;
import io.atomic4j.mybatis.AtomicTransactionFactory;
import org.apache.ibatis.annotations.Insert;
import org.apache.ibatis.mapping.Environment;
import org.apache.ibatis.session.Configuration;
import org.apache.ibatis.session.SqlSession;
import org.apache.ibatis.session.SqlSessionFactory;
import org.apache.ibatis.session.SqlSessionFactoryBuilder;

class MyBatisReadme {
    interface Users {
        @Insert("INSERT INTO users (email) VALUES (#{email})")
        void insert(String email);
    }

    static SqlSessionFactory sessions(Database db) {
        Configuration configuration = new Configuration(
                new Environment("app", new AtomicTransactionFactory(db), db.dataSource()));
        configuration.addMapper(Users.class);
        return new SqlSessionFactoryBuilder().build(configuration);
    }

    static void signUp(SqlSessionFactory sessions, String email) {
        try (SqlSession session = sessions.openSession()) {   // a block from its first statement
            session.getMapper(Users.class).insert(email);
            session.commit();               // COMMIT; inside db.atomic: RELEASE SAVEPOINT
        }                                   // closed without commit(): rolled back
    }
}
