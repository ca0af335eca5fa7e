package io.atomic4j.testing;

/**
 * H2 in-memory databases in the JVM, regular mode, MVStore (H2 2.x default: row locks and
 * MVCC, so concurrent transactions behave like on a server). DB_CLOSE_DELAY=-1 keeps a database
 * alive between connections until the JVM exits; LOCK_TIMEOUT lets a blocked writer wait
 * {@link #LOCK_TIMEOUT_MILLIS} rather than H2's default one second.
 */
final class H2Memory implements TestBackend {
    static final int LOCK_TIMEOUT_MILLIS = 10_000;

    private static final class Holder {
        static final H2Memory INSTANCE = new H2Memory();
    }

    static H2Memory instance() {
        return Holder.INSTANCE;
    }

    private final String sharedUrl = urlFor("atomic4j");

    private static String urlFor(String name) {
        return "jdbc:h2:mem:" + name + ";DB_CLOSE_DELAY=-1;LOCK_TIMEOUT=" + LOCK_TIMEOUT_MILLIS;
    }

    @Override
    public String jdbcUrl() {
        return sharedUrl;
    }

    @Override
    public String user() {
        return "sa";
    }

    @Override
    public String password() {
        return "";
    }

    @Override
    public String newDatabaseUrl(String name) {
        return urlFor(name);
    }
}
