// Printed in the README ("JPA and Hibernate"); keep the two identical. Run by ReadmeExamplesTest.
package shop;

import io.atomic4j.Database;
import io.atomic4j.hibernate.AtomicHibernate;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.hibernate.SessionFactory;

public class Registrations {
    private final Database db;
    private final SessionFactory factory;
    public final List<String> welcomed = new CopyOnWriteArrayList<>();   // stands in for a mailer

    public Registrations(Database db) {
        this.db = db;
        this.factory = AtomicHibernate.sessionFactory(db,
                Map.of("hibernate.hbm2ddl.auto", "create"), Customer.class);
    }

    /** False when the e-mail is already registered; the welcome mail goes out only after COMMIT. */
    public boolean register(String email) {
        return db.atomic(() -> {
            try (EntityManager em = factory.createEntityManager()) {
                try {
                    db.atomic(() -> em.persist(new Customer(email)));  // flushed before its savepoint is released
                } catch (PersistenceException alreadyRegistered) {
                    return false;                                      // only the nested block rolled back
                }
                db.onCommit(() -> welcomed.add(email));
                return true;
            }
        });
    }
}
