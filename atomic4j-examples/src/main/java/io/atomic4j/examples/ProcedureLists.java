package io.atomic4j.examples;

import io.atomic4j.Database;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.jdbi.v3.core.statement.Query;

/**
 * Seed 000: a {@code ProcedureList} has many procedures; enrolling a user writes one
 * {@code procedure_user} row and one {@code procedure_state} row per procedure (one JDBC batch,
 * like Django's {@code bulk_create}). Plain JDBI over {@code db.dataSource()}: inside a request
 * every handle gets the request's connection, so nothing here mentions transactions except where
 * a savepoint is wanted on purpose. Thread-safe.
 */
final class ProcedureLists {
    record Procedure(long id, String name) {
    }

    record ProcedureList(long id, String name, List<Procedure> procedures) {
    }

    record Enrollment(long procedureUserId, String user, String list, int states) {
    }

    record State(String procedure, String state) {
    }

    record UserEnrollment(long procedureUserId, String list, List<State> states) {
    }

    private final Database db;
    private final Jdbi jdbi;

    ProcedureLists(Database db, Jdbi jdbi) {
        this.db = db;
        this.jdbi = jdbi;
    }

    List<ProcedureList> all() {
        return load(null);
    }

    /** One statement: the list and its procedures. */
    ProcedureList find(long listId) {
        List<ProcedureList> found = load(listId);
        if (found.isEmpty()) {
            throw ApiError.notFound("There is no procedure list " + listId + ". GET /procedure-lists shows the lists.");
        }
        return found.get(0);
    }

    /** The lists (all, or the one with {@code listId}) with their procedures, in one statement. */
    private List<ProcedureList> load(Long listId) {
        return jdbi.withHandle(handle -> {
            Map<Long, ProcedureList> lists = new LinkedHashMap<>();
            Query query = handle.createQuery("SELECT l.id AS list_id, l.name AS list_name, p.id AS procedure_id, "
                    + "p.name AS procedure_name FROM procedure_list l JOIN procedures p ON p.procedure_list_id = l.id"
                    + (listId == null ? "" : " WHERE l.id = :id") + " ORDER BY l.id, p.position");
            if (listId != null) {
                query.bind("id", listId);
            }
            query.map((rows, context) -> {
                ProcedureList list = lists.computeIfAbsent(rows.getLong("list_id"),
                        id -> new ProcedureList(id, stringOf(rows, "list_name"), new ArrayList<>()));
                list.procedures().add(new Procedure(rows.getLong("procedure_id"), rows.getString("procedure_name")));
                return list;
            }).list();
            return new ArrayList<>(lists.values());
        });
    }

    /**
     * Enrolls {@code user}: statement 1 reads the list, statement 2 inserts the procedure_user
     * row, statement 3 is the batch of procedure_state rows.
     */
    Enrollment enroll(long listId, String user, Steps steps) {
        ProcedureList list = find(listId);
        steps.add("read procedure list " + listId + " '" + list.name() + "' with " + list.procedures().size() + " procedures");
        long procedureUserId;
        try {
            // A nested block (a savepoint): if the insert fails on the unique key, only it is undone
            // and the request can still answer 409 and commit. Without it, the failed statement would
            // mark the whole request for rollback, as in Django.
            procedureUserId = db.atomic(() -> jdbi.withHandle(handle -> handle
                    .createUpdate("INSERT INTO procedure_user (procedure_list_id, user_name) VALUES (:list, :user)")
                    .bind("list", listId).bind("user", user)
                    .executeAndReturnGeneratedKeys("id").mapTo(Long.class).one()));
        } catch (JdbiException e) {
            if (Failures.isIntegrityViolation(e)) {
                throw ApiError.conflict(user + " is already enrolled in '" + list.name() + "'.");
            }
            throw e;
        }
        steps.add("inserted procedure_user #" + procedureUserId + " (" + user + " in '" + list.name() + "')");
        jdbi.useHandle(handle -> {
            PreparedBatch batch = handle.prepareBatch("INSERT INTO procedure_state (procedure_user_id, procedure_id, state) "
                    + "VALUES (:procedureUser, :procedure, 'todo')");
            for (Procedure procedure : list.procedures()) {
                batch.bind("procedureUser", procedureUserId).bind("procedure", procedure.id()).add();
            }
            batch.execute();
        });
        steps.add("inserted " + list.procedures().size() + " procedure_state rows in one JDBC batch");
        return new Enrollment(procedureUserId, user, list.name(), list.procedures().size());
    }

    /** Every enrollment of {@code user} with the state of each procedure. */
    List<UserEnrollment> enrollmentsOf(String user) {
        return jdbi.withHandle(handle -> {
            Map<Long, UserEnrollment> enrollments = new LinkedHashMap<>();
            handle.createQuery("SELECT pu.id AS procedure_user_id, l.name AS list_name, p.name AS procedure_name, s.state "
                            + "FROM procedure_user pu "
                            + "JOIN procedure_list l ON l.id = pu.procedure_list_id "
                            + "JOIN procedure_state s ON s.procedure_user_id = pu.id "
                            + "JOIN procedures p ON p.id = s.procedure_id "
                            + "WHERE pu.user_name = :user ORDER BY pu.id, p.position")
                    .bind("user", user)
                    .map((rows, context) -> {
                        UserEnrollment enrollment = enrollments.computeIfAbsent(rows.getLong("procedure_user_id"),
                                id -> new UserEnrollment(id, stringOf(rows, "list_name"), new ArrayList<>()));
                        enrollment.states().add(new State(rows.getString("procedure_name"), rows.getString("state")));
                        return enrollment;
                    })
                    .list();
            return new ArrayList<>(enrollments.values());
        });
    }

    /** A column read inside computeIfAbsent, which cannot throw SQLException. */
    private static String stringOf(ResultSet rows, String column) {
        try {
            return rows.getString(column);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
