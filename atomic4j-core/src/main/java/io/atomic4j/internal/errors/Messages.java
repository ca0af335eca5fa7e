package io.atomic4j.internal.errors;

import io.atomic4j.CommitOutcomeUnknownException;
import io.atomic4j.DatabaseException;
import io.atomic4j.TransactionManagementException;
import java.sql.SQLException;

/**
 * Every user-facing text of atomic4j, once each. A message says what happened, on which
 * database alias, and what to do. No message ever contains a JDBC URL's credentials or a password.
 */
public final class Messages {
    private Messages() {
    }

    /** Django: "This is forbidden when an 'atomic' block is active." */
    public static TransactionManagementException forbiddenInBlock(String alias, String operation) {
        return new TransactionManagementException(operation + " is not allowed inside an atomic block on database '"
                + alias + "'. Let the outermost block commit or roll back, or call " + operation + " after it has exited.");
    }

    /** Django: "An error occurred in the current transaction. You can't execute queries until the end of the 'atomic' block." */
    public static TransactionManagementException brokenTransaction(String alias, Throwable cause, boolean savepoints) {
        return new TransactionManagementException("An error occurred in the current transaction. You can't execute "
                + "queries until the end of the 'atomic' block. (database '" + alias + "'; the first error is the cause. "
                + tryAndCarryOn(savepoints) + ")", cause);
    }

    private static String tryAndCarryOn(boolean savepoints) {
        return savepoints ? "To try a statement and carry on after it fails, run it in a nested atomic block."
                : "This database has no savepoints, so a failure ends the whole transaction: let the outermost block "
                + "end and run it again.";
    }

    /** Beyond Django: a block that swallowed an error exits normally, so it must say that it rolled back. */
    public static TransactionManagementException rolledBackAfterSwallowedError(String alias, Throwable cause, boolean savepoints) {
        return new TransactionManagementException("The atomic block on database '" + alias + "' was rolled back, not "
                + "committed: an error inside it was caught and not rethrown (it is the cause). " + tryAndCarryOn(savepoints),
                cause);
    }

    public static TransactionManagementException rollbackFlagOutsideBlock(String alias) {
        return new TransactionManagementException("The rollback flag doesn't work outside of an 'atomic' block "
                + "(database '" + alias + "'). Call getRollback()/setRollback() inside db.atomic(...).");
    }

    public static TransactionManagementException onCommitInManualMode(String alias, String hook) {
        return new TransactionManagementException(hook + " cannot be used in manual transaction management "
                + "(autocommit is off on database '" + alias + "' and no atomic block is open). Register it inside "
                + "an atomic block, or turn autocommit back on.");
    }

    public static TransactionManagementException durableNested(String alias) {
        return new TransactionManagementException("A durable atomic block cannot be nested within another atomic "
                + "block (database '" + alias + "'). Call it where no block is open, or drop durable(true).");
    }

    public static TransactionManagementException outermostOnly(String alias, String option) {
        return new TransactionManagementException(option + " applies to the outermost atomic block only, but a block "
                + "is already open on database '" + alias + "'. Set it on the outermost block.");
    }

    public static TransactionManagementException unknownSavepoint(String alias, String name, String why) {
        return new TransactionManagementException("Savepoint '" + name + "' is not open on database '" + alias
                + "': " + why + ". Use a savepoint taken by this thread in the current block and not yet committed.");
    }

    public static TransactionManagementException autocommitWithPendingWork(String alias) {
        return new TransactionManagementException("setAutoCommit(true) on database '" + alias + "' while the manual "
                + "transaction has statements not yet committed or rolled back. Call commit() or rollback() first.");
    }

    public static TransactionManagementException connectionLostInBlock(String alias, Throwable cause) {
        return new TransactionManagementException("The connection to database '" + alias + "' was lost inside an "
                + "atomic block; its work was rolled back by the server. No new connection can be opened until the "
                + "outermost block has exited (the lost connection's error is the cause).", cause);
    }

    /** The cause recorded when user code aborts the transaction's connection (Connection.abort). */
    public static SQLException aborted(String alias) {
        return new SQLException("The connection to database '" + alias + "' was aborted with Connection.abort()", "08003");
    }

    public static TransactionManagementException blockLeftOpen(String alias, Throwable cause) {
        return new TransactionManagementException("An atomic block on database '" + alias + "' ended while a scope "
                + "opened inside it with begin() was still open. Both were rolled back: committing would have saved the "
                + "scope's unfinished work. Close every scope with try-with-resources.", cause);
    }

    public static TransactionManagementException resumeWithBlockOpen(String alias) {
        return new TransactionManagementException("Cannot resume the suspended transaction on database '" + alias
                + "': a block opened after it was suspended is still open. End that block first.");
    }

    public static TransactionManagementException beforeCommitOutsideBlock(String alias) {
        return new TransactionManagementException("beforeCommit() needs an open atomic block on database '" + alias
                + "': outside one there is no transaction to run it in. Register it inside db.atomic(...).");
    }

    public static TransactionManagementException unboundConnectionInBlock(String alias) {
        return new TransactionManagementException("A connection taken from database '" + alias + "' outside any "
                + "atomic block was used while a block is open on this thread. Its work would commit on its own and "
                + "survive the block's rollback. Take the connection inside the block (db.dataSource().getConnection()).");
    }

    public static TransactionManagementException suspendedConnection(String alias) {
        return new TransactionManagementException("A connection of a suspended transaction on database '" + alias
                + "' was used inside an independent block. Its work would go to the suspended transaction, not this "
                + "one. Take a new connection from db.dataSource() inside the block.");
    }

    public static TransactionManagementException reservedSavepointName(String alias, String name) {
        return new TransactionManagementException("Savepoint name '" + name + "' on database '" + alias + "' starts "
                + "with '" + io.atomic4j.internal.engine.Statements.SAVEPOINT_PREFIX + "', which atomic4j keeps for "
                + "its own savepoints. Choose another name, or use a nested atomic block.");
    }

    public static TransactionManagementException otherCredentialsInBlock(String alias) {
        return new TransactionManagementException("getConnection(user, password) inside an atomic block on database '"
                + alias + "': the block's connection uses the pool's credentials. Call getConnection().");
    }

    public static DatabaseException poolExhausted(String alias, SQLException cause) {
        return new DatabaseException("No connection to database '" + alias + "' became free in time: every pooled "
                + "connection is in use (" + cause.getMessage() + "). The database itself may be fine. Look for "
                + "connections or blocks held open for long (a leak, a slow call inside a block), or raise "
                + "maxPoolSize.", io.atomic4j.ErrorKind.CONNECTION, cause);
    }

    public static TransactionManagementException scopeOutOfOrder(String alias) {
        return new TransactionManagementException("An AtomicScope on database '" + alias + "' was closed while an "
                + "inner scope or block is still open. Close scopes innermost first (try-with-resources does this).");
    }

    public static TransactionManagementException scopeWrongThread(String alias) {
        return new TransactionManagementException("An AtomicScope on database '" + alias + "' was closed by a thread "
                + "that did not open it. Blocks belong to the thread that opened them.");
    }

    public static TransactionManagementException retryNested(String alias) {
        return new TransactionManagementException("retry(...) applies to the outermost atomic block only, but a block "
                + "is already open on database '" + alias + "': a retry cannot re-run work that an outer block owns. "
                + "Put the retry on the outermost block.");
    }

    public static TransactionManagementException retryInterrupted(String alias, InterruptedException cause) {
        return new TransactionManagementException("Interrupted while waiting to retry an atomic block on database '"
                + alias + "'; the block was not run again. Run it again if the work is still wanted.", cause);
    }

    public static TransactionManagementException retryNeedsLambda(String alias) {
        return new TransactionManagementException("retry(...) needs the lambda form db.atomic(options, body) on "
                + "database '" + alias + "': a begin() scope cannot re-run its body. Move the work into a lambda, "
                + "or drop retry(...) from the options.");
    }

    public static TransactionManagementException connectionAfterBlock(String alias) {
        return new TransactionManagementException("A connection from an atomic block on database '" + alias
                + "' was used after that block ended. Get a new connection from db.dataSource() or db.connection().");
    }

    public static IllegalStateException closed(String alias) {
        return new IllegalStateException("Database '" + alias + "' is closed. Open a new Database to use it again.");
    }

    public static DatabaseException failed(String alias, String what, SQLException cause) {
        io.atomic4j.ErrorKind kind = io.atomic4j.SqlErrors.classify(cause);
        return new DatabaseException("Could not " + what + " on database '" + alias + "': " + cause.getMessage()
                + " (SQLSTATE " + cause.getSQLState() + ", vendor code " + cause.getErrorCode() + ")" + advice(kind),
                kind, cause);
    }

    /** What to do after atomic4j's own SQL failed, by kind; empty where the database's text is all there is. */
    private static String advice(io.atomic4j.ErrorKind kind) {
        switch (kind) {
            case CONNECTION:
                return ". The connection is gone and nothing of the transaction was committed: check that the "
                        + "database is reachable, then run the work again (retry(RetryPolicy.transientErrors(n)) does so).";
            case SERIALIZATION:
            case DEADLOCK:
            case LOCK_TIMEOUT:
                return ". It conflicted with other work and was rolled back: run it again "
                        + "(retry(RetryPolicy.transientErrors(n)) does so).";
            default:
                return "";
        }
    }

    /** Lost during COMMIT and nobody can tell what happened: the one error that must not be retried blindly. */
    public static CommitOutcomeUnknownException commitOutcomeUnknown(String alias, String why, Throwable cause) {
        return new CommitOutcomeUnknownException("The connection to database '" + alias + "' was lost during COMMIT; "
                + "the transaction may or may not have committed (" + why + "). Check the data "
                + "before running the work again; atomic4j never retries it by itself.", cause);
    }

    /** Lost during COMMIT, and the dialect found out that the transaction did not commit. */
    public static DatabaseException commitLostAndRolledBack(String alias, Throwable cause) {
        return new DatabaseException("The connection to database '" + alias + "' was lost during COMMIT, and the "
                + "database confirmed that the transaction did not commit: none of its work was saved. It is safe to "
                + "run it again (retry(RetryPolicy.transientErrors(n)) does so).", io.atomic4j.ErrorKind.CONNECTION, cause);
    }

    // ------------------------------------------------------------------ bad arguments and configuration

    public static IllegalArgumentException notAJdbcUrl(String jdbcUrl) {
        return new IllegalArgumentException("Database.builder(url) needs a JDBC URL starting with 'jdbc:', got "
                + (jdbcUrl == null ? "null" : "'" + Urls.redact(jdbcUrl) + "'")
                + ". Example: jdbc:postgresql://localhost:5432/app");
    }

    public static IllegalArgumentException wrappedTwice(String call) {
        return new IllegalArgumentException(call + " was given another Database's dataSource(). Wrap the underlying "
                + "pool instead.");
    }

    public static IllegalStateException poolOptionOnCallersPool(String option) {
        return new IllegalStateException(option + " configures the pool atomic4j opens from a URL; this database "
                + "uses your DataSource, so set it on that pool instead.");
    }

    public static IllegalArgumentException badAlias(String alias) {
        return new IllegalArgumentException("A database alias must be a non-blank name, got "
                + (alias == null ? "null" : "'" + alias + "'"));
    }

    public static IllegalArgumentException badMaxPoolSize(int maxPoolSize) {
        return new IllegalArgumentException("maxPoolSize must be at least 1, got " + maxPoolSize);
    }

    public static IllegalArgumentException badLongTransactionThreshold(java.time.Duration threshold) {
        return new IllegalArgumentException("longTransactionThreshold must be positive, got " + threshold);
    }

    public static IllegalArgumentException badMaxAttempts(int maxAttempts) {
        return new IllegalArgumentException("maxAttempts must be at least 1 (1 = no retry), got " + maxAttempts);
    }

    public static IllegalArgumentException badBackoff(java.time.Duration first, java.time.Duration max) {
        return new IllegalArgumentException("backoff needs 0 <= first <= max, got first=" + first + ", max=" + max);
    }

    /** The pool could not be started; the driver's text is scrubbed of the password. */
    public static DatabaseException cannotOpen(String alias, String jdbcUrl, String password, io.atomic4j.ErrorKind kind,
                                               Throwable cause) {
        return new DatabaseException("Could not open database '" + alias + "' at " + Urls.redact(jdbcUrl) + ": "
                + Urls.scrub(cause.getMessage(), password)
                + ". Check that the server is running and the URL, user and password are right.", kind, cause);
    }

    public static SQLException noDriver(String url, Throwable cause) {
        return new SQLException("No JDBC driver on the classpath accepts " + Urls.redact(url)
                + ". Add the database's JDBC driver as a dependency.", "08001", cause);
    }

    public static SQLException driverRefusedUrl(java.sql.Driver driver, String url) {
        return new SQLException("The JDBC driver " + driver.getClass().getName() + " does not accept "
                + Urls.redact(url) + ".", "08001");
    }

    public static IllegalArgumentException noDatabases() {
        return new IllegalArgumentException("Databases.of(...) needs at least one Database");
    }

    public static IllegalArgumentException nullDatabase() {
        return new IllegalArgumentException("Databases.of(...) was given a null Database");
    }

    public static IllegalArgumentException duplicateAlias(String alias) {
        return new IllegalArgumentException("Two databases have the alias '" + alias
                + "'. Give each one its own alias with Database.builder(url).alias(...).");
    }

    public static IllegalArgumentException unknownAlias(String alias, java.util.Collection<String> known) {
        return new IllegalArgumentException("No database '" + alias + "'. Known aliases: " + String.join(", ", known) + ".");
    }

    public static IllegalArgumentException replicaRoutingWithoutPrimary() {
        return new IllegalArgumentException("ReplicaRouting.builder(...) needs the primary Database");
    }

    public static IllegalArgumentException notZeroOrPositive(String name, java.time.Duration value) {
        return new IllegalArgumentException(name + " must be zero or positive, was " + value);
    }

    public static IllegalArgumentException badReplica() {
        return new IllegalArgumentException("A replica must be a Database of its own, not null or the primary");
    }

    public static IllegalArgumentException proxyNeedsInterface(Class<?> iface) {
        return new IllegalArgumentException("atomicProxy() needs an interface, but " + iface.getName()
                + " is a class. Declare the @Atomic methods on an interface the target implements.");
    }

    public static IllegalArgumentException proxyTargetMismatch(Object target, Class<?> iface) {
        return new IllegalArgumentException("atomicProxy(): the target " + target.getClass().getName()
                + " does not implement " + iface.getName() + ".");
    }
}
