package io.atomic4j.internal.dialect;

/** MariaDB and MySQL (mariadb-java-client, Connector/J). */
public final class MariaDbDialect extends Dialect {
    @Override
    public String name() {
        return "MariaDB";
    }
}
