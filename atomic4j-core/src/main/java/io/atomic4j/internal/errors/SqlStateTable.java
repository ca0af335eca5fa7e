package io.atomic4j.internal.errors;

import io.atomic4j.ErrorKind;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTimeoutException;
import java.sql.SQLTransientConnectionException;
import java.util.HashMap;
import java.util.Map;

/**
 * SQLSTATE and vendor codes to {@link ErrorKind}. Vendor codes are checked before the SQLSTATE
 * because MariaDB reports both deadlocks and serialization failures as 40001, and lock timeouts
 * as the catch-all HY000. Tables are built once; lookups allocate nothing but boxing of small ints
 * (cached by the JDK for the SQLite range).
 */
public final class SqlStateTable {
    /** Exact SQLSTATEs that override their class. */
    private static final Map<String, ErrorKind> STATES = new HashMap<>();
    /** Two-character SQLSTATE classes. */
    private static final Map<String, ErrorKind> CLASSES = new HashMap<>();
    /** MariaDB/MySQL server and client error numbers (always >= 1000). */
    private static final Map<Integer, ErrorKind> MARIADB_CODES = new HashMap<>();
    /** H2 error codes whose SQLSTATE is not enough. */
    private static final Map<Integer, ErrorKind> H2_CODES = new HashMap<>();

    static {
        CLASSES.put("08", ErrorKind.CONNECTION);     // connection exception
        CLASSES.put("22", ErrorKind.DATA);           // data exception
        CLASSES.put("23", ErrorKind.INTEGRITY);      // integrity constraint violation
        CLASSES.put("40", ErrorKind.SERIALIZATION);  // transaction rollback
        CLASSES.put("42", ErrorKind.SYNTAX);         // syntax error or access rule violation

        STATES.put("40P01", ErrorKind.DEADLOCK);       // PostgreSQL deadlock_detected
        STATES.put("55P03", ErrorKind.LOCK_TIMEOUT);   // PostgreSQL lock_not_available (lock_timeout, NOWAIT)
        STATES.put("57014", ErrorKind.QUERY_CANCELED); // query_canceled (statement_timeout, cancel request)
        STATES.put("57P01", ErrorKind.CONNECTION);     // PostgreSQL admin_shutdown (pg_terminate_backend)
        STATES.put("57P02", ErrorKind.CONNECTION);     // PostgreSQL crash_shutdown
        STATES.put("57P03", ErrorKind.CONNECTION);     // PostgreSQL cannot_connect_now (starting up)
        STATES.put("57P05", ErrorKind.CONNECTION);     // PostgreSQL idle_session_timeout
        STATES.put("25P03", ErrorKind.CONNECTION);     // PostgreSQL idle_in_transaction_session_timeout
        STATES.put("25P04", ErrorKind.CONNECTION);     // PostgreSQL 17 transaction_timeout
        STATES.put("HYT00", ErrorKind.LOCK_TIMEOUT);   // H2 lock timeout (code 50200)
        STATES.put("HYT01", ErrorKind.QUERY_CANCELED); // timeout expired (JDBC)
        STATES.put("70100", ErrorKind.QUERY_CANCELED); // MariaDB query interrupted (1317)

        MARIADB_CODES.put(1213, ErrorKind.DEADLOCK);        // ER_LOCK_DEADLOCK (SQLSTATE 40001)
        MARIADB_CODES.put(1205, ErrorKind.LOCK_TIMEOUT);    // ER_LOCK_WAIT_TIMEOUT (SQLSTATE HY000)
        MARIADB_CODES.put(1020, ErrorKind.SERIALIZATION);   // ER_CHECKREAD: record changed since last read
        MARIADB_CODES.put(1317, ErrorKind.QUERY_CANCELED);  // ER_QUERY_INTERRUPTED
        MARIADB_CODES.put(1969, ErrorKind.QUERY_CANCELED);  // ER_STATEMENT_TIMEOUT (max_statement_time)
        MARIADB_CODES.put(3024, ErrorKind.QUERY_CANCELED);  // MySQL ER_QUERY_TIMEOUT (max_execution_time)
        MARIADB_CODES.put(1927, ErrorKind.CONNECTION);      // ER_CONNECTION_KILLED
        MARIADB_CODES.put(1053, ErrorKind.CONNECTION);      // ER_SERVER_SHUTDOWN
        MARIADB_CODES.put(2002, ErrorKind.CONNECTION);      // CR_CONNECTION_ERROR
        MARIADB_CODES.put(2003, ErrorKind.CONNECTION);      // CR_CONN_HOST_ERROR
        MARIADB_CODES.put(2006, ErrorKind.CONNECTION);      // CR_SERVER_GONE_ERROR
        MARIADB_CODES.put(2013, ErrorKind.CONNECTION);      // CR_SERVER_LOST
        MARIADB_CODES.put(1062, ErrorKind.INTEGRITY);       // ER_DUP_ENTRY
        MARIADB_CODES.put(1451, ErrorKind.INTEGRITY);       // ER_ROW_IS_REFERENCED_2
        MARIADB_CODES.put(1452, ErrorKind.INTEGRITY);       // ER_NO_REFERENCED_ROW_2
        MARIADB_CODES.put(1048, ErrorKind.INTEGRITY);       // ER_BAD_NULL_ERROR
        MARIADB_CODES.put(4025, ErrorKind.INTEGRITY);       // ER_CONSTRAINT_FAILED (CHECK)
        MARIADB_CODES.put(1406, ErrorKind.DATA);            // ER_DATA_TOO_LONG
        MARIADB_CODES.put(1264, ErrorKind.DATA);            // ER_WARN_DATA_OUT_OF_RANGE

        H2_CODES.put(40001, ErrorKind.DEADLOCK);       // DEADLOCK_1
        H2_CODES.put(90131, ErrorKind.SERIALIZATION);  // CONCURRENT_UPDATE_1
        H2_CODES.put(50200, ErrorKind.LOCK_TIMEOUT);   // LOCK_TIMEOUT_1
        H2_CODES.put(90067, ErrorKind.CONNECTION);     // CONNECTION_BROKEN_1
        H2_CODES.put(90098, ErrorKind.CONNECTION);     // DATABASE_IS_CLOSED
        H2_CODES.put(90121, ErrorKind.CONNECTION);     // DATABASE_CALLED_AT_SHUTDOWN
    }

    private SqlStateTable() {
    }

    /** Classifies {@code e}, then up to 10 causes or next-exceptions while the answer is OTHER. */
    public static ErrorKind classify(SQLException e) {
        Throwable current = e;
        for (int depth = 0; current != null && depth < 10; depth++) {
            if (current instanceof SQLException) {
                ErrorKind kind = classifyOne((SQLException) current);
                if (kind != ErrorKind.OTHER) {
                    return kind;
                }
                SQLException next = ((SQLException) current).getNextException();
                current = next != null ? next : current.getCause();
            } else {
                current = current.getCause();
            }
        }
        return ErrorKind.OTHER;
    }

    /** Serialization failures, deadlocks, lock timeouts and connection loss may pass on a re-run. */
    public static boolean isTransient(ErrorKind kind) {
        return kind == ErrorKind.SERIALIZATION || kind == ErrorKind.DEADLOCK
                || kind == ErrorKind.LOCK_TIMEOUT || kind == ErrorKind.CONNECTION;
    }

    private static ErrorKind classifyOne(SQLException e) {
        String state = e.getSQLState();
        int code = e.getErrorCode();
        if (e.getClass().getName().startsWith("org.sqlite.")) {
            return classifySqlite(code);
        }
        if (code >= 1000 && code < 5000) {
            ErrorKind kind = MARIADB_CODES.get(code);
            if (kind != null) {
                return kind;
            }
        } else if (code >= 5000) {
            ErrorKind kind = H2_CODES.get(code);
            if (kind != null) {
                return kind;
            }
        }
        if (state != null && state.length() == 5) {
            ErrorKind kind = STATES.get(state);
            if (kind != null) {
                return kind;
            }
            kind = CLASSES.get(state.substring(0, 2));
            if (kind != null) {
                return kind;
            }
        }
        if (e instanceof SQLNonTransientConnectionException || e instanceof SQLTransientConnectionException
                || e instanceof SQLRecoverableException) {
            return ErrorKind.CONNECTION;
        }
        if (e instanceof SQLTimeoutException) {
            return ErrorKind.QUERY_CANCELED;
        }
        return ErrorKind.OTHER;
    }

    /** sqlite-jdbc reports the (possibly extended) SQLite result code as the error code and no SQLSTATE. */
    private static ErrorKind classifySqlite(int code) {
        switch (code & 0xFF) {              // extended codes keep the primary code in the low byte
            case 5:  return ErrorKind.LOCK_TIMEOUT;   // SQLITE_BUSY (incl. BUSY_SNAPSHOT, BUSY_RECOVERY)
            case 6:  return ErrorKind.LOCK_TIMEOUT;   // SQLITE_LOCKED
            case 9:  return ErrorKind.QUERY_CANCELED; // SQLITE_INTERRUPT
            case 19: return ErrorKind.INTEGRITY;      // SQLITE_CONSTRAINT (unique, foreign key, not null, check)
            case 18: return ErrorKind.DATA;           // SQLITE_TOOBIG
            case 20: return ErrorKind.DATA;           // SQLITE_MISMATCH
            case 25: return ErrorKind.DATA;           // SQLITE_RANGE
            case 1:  return ErrorKind.SYNTAX;         // SQLITE_ERROR: SQL error or missing table/column
            default: return ErrorKind.OTHER;
        }
    }
}
