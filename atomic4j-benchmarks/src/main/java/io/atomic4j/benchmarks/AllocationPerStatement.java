package io.atomic4j.benchmarks;

import com.sun.management.ThreadMXBean;
import com.zaxxer.hikari.HikariDataSource;
import io.atomic4j.Database;
import java.lang.management.ManagementFactory;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * Bytes allocated per {@code executeUpdate} of an already prepared INSERT, on the pool's own
 * connection and on atomic4j's bound connection inside a block: the check that atomic4j adds
 * nothing per statement. The order alternates, because an engine's allocation grows with its
 * table. Run with {@code java -cp ... io.atomic4j.benchmarks.AllocationPerStatement SQLITE}
 * (or H2, POSTGRES, MARIADB).
 */
public final class AllocationPerStatement {
    private static final ThreadMXBean THREADS = (ThreadMXBean) ManagementFactory.getThreadMXBean();
    private static final int WARM_UP = 2_000;
    private static final int MEASURED = 20_000;

    private AllocationPerStatement() {
    }

    public static void main(String[] args) throws Exception {
        BenchDatabase database = BenchDatabase.create(args.length > 0 ? args[0] : "SQLITE");
        try (HikariDataSource pool = database.newPool(); Database db = Database.wrap("allocation", pool)) {
            BenchDatabase.createSchema(pool);
            long[] ids = {0};
            for (int round = 0; round < 4; round++) {
                database.clear(pool);
                if (round % 2 == 0) {
                    raw(pool, ids);
                    bound(db, ids);
                } else {
                    bound(db, ids);
                    raw(pool, ids);
                }
            }
        }
        System.exit(0);
    }

    private static void raw(HikariDataSource pool, long[] ids) throws SQLException {
        try (Connection connection = pool.getConnection()) {
            connection.setAutoCommit(false);
            System.out.printf("pool's connection     %,8.1f bytes per statement%n", perStatement(connection, ids));
            connection.commit();
        }
    }

    private static void bound(Database db, long[] ids) throws SQLException {
        db.atomic(() -> {
            try (Connection connection = db.connection()) {
                System.out.printf("atomic4j in a block   %,8.1f bytes per statement%n", perStatement(connection, ids));
            }
        });
    }

    private static double perStatement(Connection connection, long[] ids) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement(Scenarios.INSERT)) {
            run(insert, ids, WARM_UP);
            long before = THREADS.getCurrentThreadAllocatedBytes();
            run(insert, ids, MEASURED);
            return (THREADS.getCurrentThreadAllocatedBytes() - before) / (double) MEASURED;
        }
    }

    private static void run(PreparedStatement insert, long[] ids, int rows) throws SQLException {
        for (int i = 0; i < rows; i++) {
            insert.setLong(1, ++ids[0]);
            insert.setString(2, "row");
            insert.executeUpdate();
        }
    }
}
