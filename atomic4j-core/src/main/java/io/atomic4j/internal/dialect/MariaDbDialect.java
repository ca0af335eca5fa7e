package io.atomic4j.internal.dialect;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/** MariaDB and MySQL (mariadb-java-client, Connector/J). */
public final class MariaDbDialect extends Dialect {
    @Override
    public String name() {
        return "MariaDB";
    }

    /** A SAVEPOINT under a name still in use replaces the old savepoint, so it need not be released. */
    @Override
    public String rollbackToAndReleaseSavepointSql(String name) {
        return rollbackToSavepointSql(name);
    }

    /**
     * The drivers send SET autocommit=1, which commits the open transaction (or fails and leaves
     * autocommit off). Starting transactions with START TRANSACTION instead would also spare
     * SET autocommit=0, but a statement that commits implicitly (DDL, LOCK TABLES) would then
     * leave the rest of the block in autocommit, out of reach of its rollback and savepoints.
     */
    @Override
    public boolean commitsBySwitchingAutocommitOn() {
        return true;
    }

    /**
     * mariadb-java-client 3.x keeps setReadOnly for replication routing only; SET TRANSACTION
     * applies to the next transaction alone, so nothing needs undoing.
     */
    @Override
    public void beginReadOnly(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute("SET TRANSACTION READ ONLY");
        }
    }

    @Override
    public void endReadOnly(Connection connection) {
    }

    /** MariaDB commits the open transaction before (and after) most DDL statements. */
    @Override
    public boolean ddlCommitsTransaction() {
        return true;
    }
}
