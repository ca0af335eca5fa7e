package io.atomic4j.examples.readme;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoCollection;
import io.atomic4j.Database;
import io.atomic4j.Databases;
import io.atomic4j.mongodb.MongoAtomic;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import org.bson.Document;

/**
 * The reader's own code that the README's fragments use ({@code db}, {@code mailer},
 * {@code insert(db, ...)}, ...): a fragment compiles as a method of a subclass, so only what a
 * fragment names from a library or the JDK has to be imported in the README. Never run.
 * See {@link ReadmeCompileTest}.
 */
@SuppressWarnings("unused")
public class ReadmeContext {
    protected static String url = "jdbc:h2:mem:readme";
    protected static String reportsUrl = "jdbc:h2:mem:readme_reports";

    protected Database db;
    protected Database reports;
    protected Databases databases;
    protected Path path;
    protected Mailer mailer;
    protected Orders orders;
    protected Cart cart;
    protected Queue queue;
    protected Account account;
    protected AccountStore accounts;
    protected Payments payments;
    protected Service service;
    protected MongoClient mongoClient;
    protected MongoAtomic mongo;
    protected MongoCollection<Document> users;
    protected String email;
    protected User user;

    protected long insertUser(Connection connection, String email) throws SQLException {
        return 0;
    }

    protected void insertUnpaid(Connection connection, String email) throws SQLException {
    }

    protected long insertUser(Database db, String name) throws SQLException {
        return 0;
    }

    protected String export(Database db) throws SQLException {
        return "";
    }

    protected void insert(Database db, String value) throws SQLException {
    }

    protected void insert(Database db, int value) throws SQLException {
    }

    public interface Mailer {
        void welcome(String email);

        /** With the outbox task's id as idempotency key. */
        default void welcome(String idempotencyKey, String email) {
            welcome(email);
        }
    }

    public interface Orders {
        Order create(Database db, Cart cart) throws SQLException;
    }

    public interface Order {
        long id();
    }

    public record OrderPlaced(long orderId) {
    }

    public interface Cart {
        void unlock();
    }

    public interface Queue {
        void publish(Object message);
    }

    public static class Account {
        public String status;
    }

    public interface AccountStore {
        void save(Database db, Account account) throws SQLException;
    }

    public interface Payments {
        void charge(Account account);

        void charge(User user);
    }

    public interface Service {
        void register(String name) throws SQLException;

        void report(String name) throws SQLException;
    }

    public static class User {
        public String email;
        public String status;
    }

}
