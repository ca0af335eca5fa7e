package io.atomic4j.internal.dialect;

/** PostgreSQL (pgjdbc). */
public final class PostgresDialect extends Dialect {
    @Override
    public String name() {
        return "PostgreSQL";
    }

    /** PGPROC_MAX_CACHED_SUBXIDS: past 64 subtransactions a transaction's snapshot overflows and slows every session. */
    @Override
    public int savepointWarningThreshold() {
        return 64;
    }
}
