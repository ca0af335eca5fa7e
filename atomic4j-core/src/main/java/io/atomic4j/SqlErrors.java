package io.atomic4j;

import io.atomic4j.internal.errors.SqlStateTable;
import java.sql.SQLException;

/**
 * Classifies database errors by SQLSTATE and vendor code for SQLite, H2, PostgreSQL and
 * MariaDB/MySQL. Total: any exception, even null, gets a kind ({@link ErrorKind#OTHER} when
 * nothing is known). Thread-safe and allocation-free.
 * <pre>{@code
 * try { insert(user); } catch (SQLException e) {
 *     if (SqlErrors.classify(e) == ErrorKind.INTEGRITY) return Response.conflict("name taken");
 *     throw e;
 * }
 * }</pre>
 */
public final class SqlErrors {
    private SqlErrors() {
    }

    /** The kind of failure {@code e} reports; its cause chain is consulted when {@code e} itself says nothing. */
    public static ErrorKind classify(SQLException e) {
        return SqlStateTable.classify(e);
    }

    /**
     * True for failures that a re-run of the whole transaction may not hit again: serialization
     * failure, deadlock, lock timeout (SQLITE_BUSY included) and connection loss.
     */
    public static boolean isTransient(SQLException e) {
        return SqlStateTable.isTransient(classify(e));
    }
}
