package io.atomic4j.internal.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Which SQL text the guard refuses inside a block, and which it lets through. */
class TransactionControlSqlTest {
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "COMMIT | COMMIT", "commit work | COMMIT", "  Rollback | ROLLBACK", "ROLLBACK TO SAVEPOINT a | ROLLBACK",
        "/* c */ END | END", "-- note\\nABORT | ABORT", "# mysql comment\\nBEGIN | BEGIN", "begin; | BEGIN",
        "START TRANSACTION READ ONLY | START TRANSACTION", "SAVEPOINT x | SAVEPOINT", "RELEASE SAVEPOINT x | RELEASE",
        "SET autocommit=1 | SET autocommit", "set @@autocommit = 0 | SET autocommit",
        "SET SESSION autocommit=1 | SET autocommit", "SET @@session.autocommit=1 | SET autocommit",
        "SET AUTOCOMMIT TRUE | SET autocommit", "PREPARE TRANSACTION 'gid' | PREPARE TRANSACTION",
        "(COMMIT) | COMMIT", "/**/COMMIT | COMMIT", "--\\nCOMMIT | COMMIT", "#\\nROLLBACK | ROLLBACK",
        "/* a */ /* b */ -- c\\n# d\\n  COMMIT | COMMIT",
    })
    void transactionControlIsRecognised(String sql, String keyword) {
        assertThat(TransactionControlSql.keyword(sql.replace("\\n", "\n"))).isEqualTo(keyword);
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {
        "SELECT 1", "INSERT INTO commits VALUES (1)", "UPDATE t SET autocommit = 1", "SET search_path TO app",
        "SET @x = 1", "BEGIN NOT ATOMIC SELECT 1; END", "PREPARE stmt AS SELECT 1", "START SLAVE",
        "ENDPOINTS", "COMMITTED", "releases", "savepoints_view", "", "   ", "/* only a comment */",
        "WITH x AS (SELECT 1) SELECT * FROM x", "abortive", "settings",
        // Comment markers cut short at the end of the text, and comments that never end: all comment, no statement.
        "-", "/", " -", "  /", "#", "-- only a comment", "# COMMIT", "/* COMMIT", "/*/ COMMIT", "(",
    })
    void otherStatementsPass(String sql) {
        assertThat(TransactionControlSql.keyword(sql)).isNull();
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {"", "   ", "-", "/", "-- only a comment", "/* DROP TABLE t */", "/*/ DROP TABLE t"})
    void textWithNoStatementInItPassesWhereDdlCommitsToo(String sql) {
        assertThat(TransactionControlSql.keyword(sql, true)).isNull();
    }

    @org.junit.jupiter.api.Test
    void noSqlAtAllIsNotTransactionControl() {
        assertThat(TransactionControlSql.keyword(null)).isNull();
        assertThat(TransactionControlSql.keyword(null, true)).isNull();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"CREATE TABLE t (id INT)", "alter table t add c int", "DROP TABLE t", "TRUNCATE TABLE t",
        "RENAME TABLE a TO b", "GRANT SELECT ON t TO u", "REVOKE ALL ON t FROM u", "LOCK TABLES t WRITE",
        "UNLOCK TABLES", "ANALYZE TABLE t", "OPTIMIZE TABLE t", "REPAIR TABLE t", "FLUSH TABLES"})
    void ddlThatCommitsImplicitlyIsRecognisedWhereTheDatabaseDoesSo(String sql) {
        assertThat(TransactionControlSql.keyword(sql, true)).contains("commits the open transaction");
        assertThat(TransactionControlSql.keyword(sql, false)).isNull();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"CREATE TEMPORARY TABLE t (id INT)", "DROP TEMPORARY TABLE t",
        "CREATE LOCAL TEMPORARY TABLE t (id INT)", "UPDATE t SET c = 1", "DELETE FROM t", "REPLACE INTO t VALUES (1)",
        "analyse", "creates", "SELECT 1"})
    void temporaryTablesAndOrdinaryStatementsPassEvenWhereDdlCommits(String sql) {
        assertThat(TransactionControlSql.keyword(sql, true)).isNull();
    }
}
