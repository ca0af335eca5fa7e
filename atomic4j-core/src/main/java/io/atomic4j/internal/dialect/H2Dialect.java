package io.atomic4j.internal.dialect;

/** H2 2.x. */
public final class H2Dialect extends Dialect {
    @Override
    public String name() {
        return "H2";
    }

    /** A SAVEPOINT under a name still in use replaces the old savepoint, so it need not be released. */
    @Override
    public String rollbackToAndReleaseSavepointSql(String name) {
        return rollbackToSavepointSql(name);
    }

    /** H2 commits the open transaction before (and after) most DDL statements. */
    @Override
    public boolean ddlCommitsTransaction() {
        return true;
    }
}
