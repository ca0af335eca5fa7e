package io.atomic4j.internal.jdbc;

/**
 * Recognises SQL text that would end, start or split the block's transaction behind the
 * engine's back ({@code COMMIT}, {@code ROLLBACK}, {@code END}, {@code ABORT}, {@code BEGIN},
 * {@code START TRANSACTION}, {@code SAVEPOINT}, {@code RELEASE}, {@code SET autocommit},
 * {@code PREPARE TRANSACTION}). Only the first keyword is read, after whitespace and comments,
 * so the check runs on every statement for the cost of a few character reads; most statements
 * are rejected at their first letter.
 */
final class TransactionControlSql {
    private TransactionControlSql() {
    }

    /** The statement's transaction-control keyword(s) as written for a message, or null for any other statement. */
    static String keyword(String sql) {
        return keyword(sql, false);
    }

    /**
     * As {@link #keyword(String)}; with {@code ddlCommits} (MariaDB, H2) also the statements that
     * commit the open transaction implicitly: CREATE, ALTER, DROP, RENAME, TRUNCATE, GRANT,
     * REVOKE, LOCK/UNLOCK TABLES, ANALYZE/OPTIMIZE/REPAIR TABLE, FLUSH. Temporary tables
     * (CREATE/DROP TEMPORARY, H2's CREATE LOCAL TEMPORARY) commit nothing and pass.
     */
    static String keyword(String sql, boolean ddlCommits) {
        String control = controlKeyword(sql);
        if (control != null || !ddlCommits || sql == null) {
            return control;
        }
        return implicitCommitKeyword(sql, skipSpaceAndComments(sql, 0));
    }

    private static String implicitCommitKeyword(String sql, int start) {
        if (start >= sql.length()) {
            return null;
        }
        String word;
        switch (sql.charAt(start) | 0x20) {   // most statements (SELECT, INSERT, WITH...) end here
            case 'a':
                word = first(sql, start, "alter", "analyze");
                break;
            case 'c':
                word = first(sql, start, "create", null);
                break;
            case 'd':
                word = first(sql, start, "drop", null);
                break;
            case 'f':
                word = first(sql, start, "flush", null);
                break;
            case 'g':
                word = first(sql, start, "grant", null);
                break;
            case 'l':
                word = first(sql, start, "lock", null);
                break;
            case 'o':
                word = first(sql, start, "optimize", null);
                break;
            case 'r':
                word = first(sql, start, "rename", first(sql, start, "revoke", "repair"));
                break;
            case 't':
                word = first(sql, start, "truncate", null);
                break;
            case 'u':
                word = first(sql, start, "unlock", null);
                break;
            default:
                return null;
        }
        if (word == null) {
            return null;
        }
        int next = next(sql, start, word.length());
        if ((word.equals("create") || word.equals("drop"))
                && (word(sql, next, "temporary") || (word(sql, next, "local") && word(sql, next(sql, next, 5), "temporary")))) {
            return null;   // temporary tables commit nothing
        }
        return word.toUpperCase(java.util.Locale.ROOT) + " (it commits the open transaction on this database)";
    }

    /** {@code candidate} if it is the word at {@code at}, else {@code otherwise} if that is, else null. */
    private static String first(String sql, int at, String candidate, String otherwise) {
        if (word(sql, at, candidate)) {
            return candidate;
        }
        return otherwise != null && word(sql, at, otherwise) ? otherwise : null;
    }

    private static String controlKeyword(String sql) {
        if (sql == null) {
            return null;
        }
        int start = skipSpaceAndComments(sql, 0);
        if (start >= sql.length()) {
            return null;
        }
        switch (sql.charAt(start) | 0x20) {   // lower case for ASCII letters
            case 'a':
                return word(sql, start, "abort") ? "ABORT" : null;
            case 'b':
                // MariaDB's compound statement BEGIN NOT ATOMIC is not a transaction.
                return word(sql, start, "begin") && !word(sql, next(sql, start, 5), "not") ? "BEGIN" : null;
            case 'c':
                return word(sql, start, "commit") ? "COMMIT" : null;
            case 'e':
                return word(sql, start, "end") ? "END" : null;
            case 'p':
                return word(sql, start, "prepare") && word(sql, next(sql, start, 7), "transaction")
                        ? "PREPARE TRANSACTION" : null;
            case 'r':
                return word(sql, start, "rollback") ? "ROLLBACK" : word(sql, start, "release") ? "RELEASE" : null;
            case 's':
                if (word(sql, start, "savepoint")) {
                    return "SAVEPOINT";
                }
                if (word(sql, start, "start")) {
                    return word(sql, next(sql, start, 5), "transaction") ? "START TRANSACTION" : null;
                }
                return word(sql, start, "set") && setsAutocommit(sql, next(sql, start, 3)) ? "SET autocommit" : null;
            default:
                return null;
        }
    }

    /** After SET: [SESSION|LOCAL] [@@[session.]]autocommit (MariaDB/MySQL, H2). */
    private static boolean setsAutocommit(String sql, int at) {
        if (word(sql, at, "session") || word(sql, at, "local")) {
            at = next(sql, at, word(sql, at, "local") ? 5 : 7);
        }
        if (sql.startsWith("@@", at)) {
            at += 2;
            if (sql.regionMatches(true, at, "session.", 0, 8)) {
                at += 8;
            }
        }
        return word(sql, at, "autocommit");
    }

    /** The start of the word after the {@code length}-character word at {@code at}. */
    private static int next(String sql, int at, int length) {
        return skipSpaceAndComments(sql, at + length);
    }

    /** True if {@code lower} is at {@code at}, case-insensitively, as a whole word. */
    private static boolean word(String sql, int at, String lower) {
        int end = at + lower.length();
        if (at >= sql.length() || !sql.regionMatches(true, at, lower, 0, lower.length())) {
            return false;
        }
        return end == sql.length() || !Character.isJavaIdentifierPart(sql.charAt(end));
    }

    private static int skipSpaceAndComments(String sql, int at) {
        int length = sql.length();
        while (at < length) {
            char c = sql.charAt(at);
            if (Character.isWhitespace(c)) {
                at++;
            } else if (c == '-' && at + 1 < length && sql.charAt(at + 1) == '-') {
                int newline = sql.indexOf('\n', at);
                at = newline < 0 ? length : newline + 1;
            } else if (c == '#' ) {
                // MariaDB/MySQL line comment
                int newline = sql.indexOf('\n', at);
                at = newline < 0 ? length : newline + 1;
            } else if (c == '/' && at + 1 < length && sql.charAt(at + 1) == '*') {
                int close = sql.indexOf("*/", at + 2);
                at = close < 0 ? length : close + 2;
            } else if (c == '(' ) {
                at++;   // a parenthesised statement starts with its first keyword all the same
            } else {
                return at;
            }
        }
        return at;
    }
}
