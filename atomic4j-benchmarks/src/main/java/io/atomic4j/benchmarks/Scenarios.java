package io.atomic4j.benchmarks;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The transactions measured, each written once against {@link Peer}: every peer runs the very
 * same statements, so differences come from transaction demarcation alone.
 */
final class Scenarios {
    static final String INSERT = "INSERT INTO item (id, name) VALUES (?, ?)";
    static final int BULK_ROWS = 1000;
    static final int BATCH_ROWS = 10;

    /** The single-threaded scenarios by name (the benchmark method names), in report order. */
    static final java.util.Map<String, Scenario> ALL = new java.util.LinkedHashMap<>();

    static {
        ALL.put("selectOne", Scenarios::selectOne);
        ALL.put("insertOne", Scenarios::insertOne);
        ALL.put("nestedCommit", Scenarios::nestedCommit);
        ALL.put("nestedRollback", Scenarios::nestedRollback);
        ALL.put("emptyNested", Scenarios::emptyNested);
        ALL.put("batch10", Scenarios::batch10);
        ALL.put("bulkAutocommit", Scenarios::bulkAutocommit);
        ALL.put("bulkInBlock", Scenarios::bulkInBlock);
        ALL.put("bulkBatched", Scenarios::bulkBatched);
    }

    @FunctionalInterface
    interface Scenario {
        void run(Scenarios scenarios) throws Exception;
    }

    private final Peer peer;
    /** Row ids, unique in this JVM: peers and threads share the table. */
    private static final AtomicLong ids = new AtomicLong();

    Scenarios(Peer peer) {
        this.peer = peer;
    }

    /** Thrown by the nested block of {@link #nestedRollback()}: an application error, not an SQL one. */
    static final class NestedFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        NestedFailure() {
            super("nested block fails", null, false, false);
        }
    }

    /** An empty block with one SELECT 1. */
    int selectOne() throws Exception {
        int[] result = new int[1];
        peer.transaction((connection, tx) -> {
            try (Statement statement = connection.createStatement(); ResultSet rows = statement.executeQuery("SELECT 1")) {
                rows.next();
                result[0] = rows.getInt(1);
            }
        });
        return result[0];
    }

    void insertOne() throws Exception {
        peer.transaction((connection, tx) -> insert(connection));
    }

    /** Outer INSERT, then a nested block with one INSERT that commits. */
    void nestedCommit() throws Exception {
        peer.transaction((connection, tx) -> {
            insert(connection);
            tx.nested((inner, innerTx) -> insert(inner));
        });
    }

    /** Outer INSERT, then a nested block whose INSERT is rolled back because the block fails; the outer commits. */
    void nestedRollback() throws Exception {
        peer.transaction((connection, tx) -> {
            insert(connection);
            try {
                tx.nested((inner, innerTx) -> {
                    insert(inner);
                    throw new NestedFailure();
                });
            } catch (RuntimeException e) {
                if (!causedByNestedFailure(e)) {
                    throw e;
                }
            }
        });
    }

    /** Outer INSERT and a nested block that runs no statement (it might have, on another path). */
    void emptyNested() throws Exception {
        peer.transaction((connection, tx) -> {
            insert(connection);
            tx.nested((inner, innerTx) -> { });
        });
    }

    void batch10() throws Exception {
        peer.transaction((connection, tx) -> batch(connection, BATCH_ROWS));
    }

    /** 1000 single-row INSERTs in autocommit mode: 1000 commits. */
    void bulkAutocommit() throws Exception {
        peer.autocommit((connection, tx) -> insertEach(connection, BULK_ROWS));
    }

    /** 1000 single-row INSERTs in one transaction. */
    void bulkInBlock() throws Exception {
        peer.transaction((connection, tx) -> insertEach(connection, BULK_ROWS));
    }

    /** 1000 rows as one JDBC batch in one transaction (Django's bulk_create). */
    void bulkBatched() throws Exception {
        peer.transaction((connection, tx) -> batch(connection, BULK_ROWS));
    }

    private void insert(Connection connection) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(INSERT)) {
            bind(statement);
            statement.executeUpdate();
        }
    }

    private void insertEach(Connection connection, int rows) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(INSERT)) {
            for (int i = 0; i < rows; i++) {
                bind(statement);
                statement.executeUpdate();
            }
        }
    }

    private void batch(Connection connection, int rows) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(INSERT)) {
            for (int i = 0; i < rows; i++) {
                bind(statement);
                statement.addBatch();
            }
            statement.executeBatch();
        }
    }

    private void bind(PreparedStatement statement) throws SQLException {
        statement.setLong(1, ids.incrementAndGet());
        statement.setString(2, "row");
    }

    private static boolean causedByNestedFailure(Throwable error) {
        for (Throwable current = error; current != null; current = current.getCause()) {
            if (current instanceof NestedFailure) {
                return true;
            }
        }
        return false;
    }
}
