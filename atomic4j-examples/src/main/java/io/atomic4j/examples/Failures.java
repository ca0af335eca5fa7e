package io.atomic4j.examples;

import io.atomic4j.ErrorKind;
import io.atomic4j.SqlErrors;
import java.sql.SQLException;

/** Reading exceptions that JDBI wrapped around a driver's SQLException. */
final class Failures {
    private Failures() {
    }

    /** The first SQLException in the cause chain, or null. */
    static SQLException sqlException(Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof SQLException) {
                return (SQLException) cause;
            }
        }
        return null;
    }

    /** True when a constraint (unique key, foreign key) refused the statement. */
    static boolean isIntegrityViolation(Throwable error) {
        SQLException sql = sqlException(error);
        return sql != null && SqlErrors.classify(sql) == ErrorKind.INTEGRITY;
    }

    /** The fault-switch failure in the cause chain (suppressed ones included), or null. */
    static FaultSwitch.InjectedFault injectedFault(Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof FaultSwitch.InjectedFault) {
                return (FaultSwitch.InjectedFault) cause;
            }
            for (Throwable suppressed : cause.getSuppressed()) {
                FaultSwitch.InjectedFault fault = injectedFault(suppressed);
                if (fault != null) {
                    return fault;
                }
            }
        }
        return null;
    }
}
