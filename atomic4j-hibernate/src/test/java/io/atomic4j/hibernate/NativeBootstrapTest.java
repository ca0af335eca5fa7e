package io.atomic4j.hibernate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.atomic4j.Database;
import io.atomic4j.testing.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.hibernate.Session;
import org.hibernate.SessionFactory;
import org.hibernate.cfg.Configuration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** {@link AtomicHibernate#settings} in Hibernate's native bootstrap ({@code Configuration}). */
class NativeBootstrapTest {

    @ParameterizedTest
    @EnumSource(value = TestDatabase.class, names = {"H2", "POSTGRES"})
    void nativeSessionJoinsBlocksAndNestsAsSavepoints(TestDatabase testDatabase) throws Exception {
        String url = testDatabase.newDatabaseUrl("native");
        try (Database db = Database.builder(url).user(testDatabase.user()).password(testDatabase.password()).build()) {
            Configuration configuration = new Configuration().addAnnotatedClass(Item.class);
            configuration.getProperties().putAll(AtomicHibernate.settings(db));
            configuration.setProperty("hibernate.hbm2ddl.auto", "create");
            try (SessionFactory factory = configuration.buildSessionFactory(); Session session = factory.openSession()) {
                db.atomic(() -> {
                    session.persist(new Item(1, "one"));
                    assertThatThrownBy(() -> db.atomic(() -> {
                        session.persist(new Item(2, "two"));
                        throw new IllegalStateException("inner");
                    })).hasMessage("inner");
                });
                assertThatThrownBy(() -> db.atomic(() -> {
                    session.persist(new Item(3, "three"));
                    throw new IllegalStateException("outer");
                })).hasMessage("outer");
            }
            List<Integer> ids = new ArrayList<>();
            try (Connection connection = testDatabase.newPlainDataSource(url).getConnection();
                 Statement statement = connection.createStatement();
                 ResultSet rows = statement.executeQuery("SELECT id FROM hib_item ORDER BY id")) {
                while (rows.next()) {
                    ids.add(rows.getInt(1));
                }
            }
            assertThat(ids).containsExactly(1);
        }
    }
}
