package io.atomic4j.internal.engine;

import io.atomic4j.Database;
import java.util.function.Function;

/**
 * Lets atomic4j's own modules (servlet, junit) reach a {@link Database}'s engine without making
 * it public API. Not for application code.
 */
public final class Engines {
    private static volatile Function<Database, AtomicBlocks> access;

    private Engines() {
    }

    /** Called once by Database's static initializer. */
    public static void register(Function<Database, AtomicBlocks> databaseAccess) {
        access = databaseAccess;
    }

    /** The engine behind {@code database}. */
    public static AtomicBlocks of(Database database) {
        return access.apply(database);   // Database is initialized: the caller holds an instance
    }
}
