package io.atomic4j.servlet;

import io.atomic4j.Database;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;

/**
 * Reads the {@code atomicRequests(true)} builder flag of a {@link Database}.
 * <p>TEMPORARY: the core has no public accessor for the flag yet (DESIGN.md names only the
 * builder side). This looks up {@code boolean atomicRequests()} once and, until the core has it,
 * tells the user to name the aliases with {@link AtomicRequestsFilter.Builder#aliases}. Replace
 * with a direct call when the accessor lands.
 */
final class AtomicRequestsFlag {
    private static final Method ACCESSOR = find();

    private AtomicRequestsFlag() {
    }

    static boolean isSet(Database database) {
        if (ACCESSOR == null) {
            throw new IllegalStateException("This atomic4j-core has no way to read atomicRequests(true) from "
                    + "database '" + database.alias() + "'. Name the databases that wrap requests with "
                    + "AtomicRequestsFilter.builder(databases).aliases(...).build().");
        }
        try {
            return (Boolean) ACCESSOR.invoke(database);
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("Cannot read atomicRequests of database '" + database.alias() + "'", e);
        }
    }

    private static Method find() {
        try {
            Method method = Database.class.getMethod("atomicRequests");
            return method.getReturnType() == boolean.class ? method : null;
        } catch (NoSuchMethodException e) {
            return null;
        }
    }
}
