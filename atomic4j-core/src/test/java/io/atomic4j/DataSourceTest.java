package io.atomic4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.atomic4j.testing.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import org.jdbi.v3.core.Jdbi;

/** The transaction-aware DataSource: the thread's bound connection inside a block, a plain pooled one outside. */
class DataSourceTest extends DatabaseTestBase {

    @EveryDatabase
    void insideABlockEveryGetConnectionIsTheSameBoundConnection(TestDatabase database) throws SQLException {
        use(database);
        db.atomic(() -> {
            try (Connection first = db.dataSource().getConnection(); Connection second = db.connection()) {
                assertThat(first).isSameAs(second);
                assertThat(first.getAutoCommit()).isFalse();
            }
        });
    }

    @EveryDatabase
    void closingTheBoundConnectionLeavesTheTransactionOpen(TestDatabase database) throws SQLException {
        use(database);
        db.atomic(() -> {
            Connection connection = db.connection();
            connection.close();
            insert(1);
            assertThat(connection.isClosed()).isFalse();
        });
        assertThat(committedIds()).containsExactly(1);
    }

    @EveryDatabase
    void askingForAutocommitOffOnTheBoundConnectionIsAllowed(TestDatabase database) throws SQLException {
        use(database);
        db.atomic(() -> {
            try (Connection connection = db.connection()) {
                connection.setAutoCommit(false);   // already so: allowed, as JDBI and jOOQ ask for it
                insert(1);
            }
        });
        assertThat(committedIds()).containsExactly(1);
    }

    @EveryDatabase
    void outsideABlockConnectionsArePlainPooledAutocommitConnections(TestDatabase database) throws SQLException {
        use(database);
        try (Connection connection = db.connection()) {
            assertThat(connection.getAutoCommit()).isTrue();
            try (Statement statement = connection.createStatement()) {
                statement.executeUpdate("INSERT INTO item (id, name) VALUES (1, 'a')");
            }
        }
        assertThat(committedIds()).containsExactly(1);
    }

    @EveryDatabase
    void connectionKeptAfterItsBlockEndedIsRefused(TestDatabase database) throws SQLException {
        use(database);
        Connection[] kept = new Connection[1];
        db.atomic(() -> kept[0] = db.connection());
        assertThatThrownBy(() -> {
            try (PreparedStatement statement = kept[0].prepareStatement("INSERT INTO item (id, name) VALUES (1, 'a')")) {
                statement.executeUpdate();
            }
        }).isInstanceOf(TransactionManagementException.class).hasMessageContaining("used after that block ended");
        assertThat(committedIds()).isEmpty();
    }

    @EveryDatabase
    void batchesTakePartInTheBlock(TestDatabase database) throws SQLException {
        use(database);
        assertThatThrownBy(() -> db.atomic(() -> {
            try (Connection connection = db.connection();
                 PreparedStatement statement = connection.prepareStatement("INSERT INTO item (id, name) VALUES (?, ?)")) {
                for (int id = 1; id <= 10; id++) {
                    statement.setInt(1, id);
                    statement.setString(2, "item " + id);
                    statement.addBatch();
                }
                statement.executeBatch();
            }
            assertThat(ids()).hasSize(10);
            throw new IllegalStateException("fail");
        })).isInstanceOf(IllegalStateException.class);
        assertThat(committedIds()).isEmpty();
    }

    @EveryDatabase
    void jdbiTakesPartInNestedBlocksWithoutKnowingAboutThem(TestDatabase database) throws SQLException {
        use(database);
        Jdbi jdbi = Jdbi.create(db.dataSource());
        db.atomic(() -> {
            jdbi.useHandle(handle -> handle.execute("INSERT INTO item (id, name) VALUES (1, 'outer')"));
            assertThatThrownBy(() -> db.atomic(() -> {
                jdbi.useHandle(handle -> handle.execute("INSERT INTO item (id, name) VALUES (2, 'inner')"));
                throw new IllegalStateException("inner fails");
            })).isInstanceOf(IllegalStateException.class);
            db.atomic(() -> jdbi.useHandle(handle -> handle.execute("INSERT INTO item (id, name) VALUES (3, 'kept')")));
            int count = jdbi.withHandle(handle -> handle.createQuery("SELECT COUNT(*) FROM item").mapTo(Integer.class).one());
            assertThat(count).isEqualTo(2);
        });
        assertThat(committedIds()).containsExactly(1, 3);
        String name = jdbi.withHandle(handle -> handle.createQuery("SELECT name FROM item WHERE id = 3")
                .mapTo(String.class).one());
        assertThat(name).isEqualTo("kept");
    }

    @EveryDatabase
    void jdbiFailureInsideABlockRollsBackEverything(TestDatabase database) throws SQLException {
        use(database);
        Jdbi jdbi = Jdbi.create(db.dataSource());
        assertThatThrownBy(() -> db.atomic(() -> {
            jdbi.useHandle(handle -> handle.execute("INSERT INTO item (id, name) VALUES (1, 'a')"));
            jdbi.useHandle(handle -> handle.execute("INSERT INTO item (id, name) VALUES (1, 'duplicate')"));
        })).isInstanceOf(RuntimeException.class);
        assertThat(committedIds()).isEmpty();
    }

    @EveryDatabase
    void wrapUsesAPoolTheUserConfigured(TestDatabase database) throws SQLException {
        use(database);
        try (com.zaxxer.hikari.HikariDataSource pool = new com.zaxxer.hikari.HikariDataSource()) {
            pool.setJdbcUrl(database.jdbcUrl());
            pool.setUsername(database.user());
            pool.setPassword(database.password());
            pool.setMaximumPoolSize(2);
            Database wrapped = Database.wrap("wrapped", pool);
            assertThat(wrapped.alias()).isEqualTo("wrapped");
            assertThatThrownBy(() -> wrapped.atomic(() -> {
                insert(wrapped, 1);
                throw new IllegalStateException("fail");
            })).isInstanceOf(IllegalStateException.class);
            wrapped.atomic(() -> insert(wrapped, 2));
            wrapped.close();
            assertThat(pool.isClosed()).as("wrap() never closes the user's pool").isFalse();
            assertThat(pool.getHikariPoolMXBean().getActiveConnections()).isZero();
        }
        assertThat(committedIds()).containsExactly(2);
    }

    @EveryDatabase
    void aBuilderOverTheUsersPoolHonoursAtomic4jsOwnOptions(TestDatabase database) throws SQLException {
        use(database);
        java.util.List<String> events = new java.util.ArrayList<>();
        TransactionListener listener = new TransactionListener() {
            @Override
            public void committed(java.time.Duration duration, int statements) {
                events.add("committed " + statements);
            }

            @Override
            public void rolledBack(java.time.Duration duration, Throwable cause) {
                events.add("rolled back");
            }
        };
        try (com.zaxxer.hikari.HikariDataSource pool = new com.zaxxer.hikari.HikariDataSource()) {
            pool.setJdbcUrl(database.jdbcUrl());
            pool.setUsername(database.user());
            pool.setPassword(database.password());
            pool.setMaximumPoolSize(2);
            Database observed = Database.builder(pool).alias("observed").listener(listener).build();
            assertThat(observed.alias()).isEqualTo("observed");
            observed.atomic(() -> insert(observed, 1));
            assertThatThrownBy(() -> observed.atomic(() -> {
                insert(observed, 2);
                throw new IllegalStateException("fail");
            })).isInstanceOf(IllegalStateException.class);
            observed.close();
            assertThat(pool.isClosed()).as("never closes the user's pool").isFalse();
        }
        assertThat(events).containsExactly("committed 1", "rolled back");
        assertThat(committedIds()).containsExactly(1);
    }

    @EveryDatabase
    void aBuilderOverTheUsersPoolRefusesThePoolsOwnOptions(TestDatabase database) throws SQLException {
        use(database);
        Database.Builder builder = Database.builder(database.newPlainDataSource());
        assertThatThrownBy(() -> builder.maxPoolSize(3)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("maxPoolSize(...)").hasMessageContaining("set it on that pool");
        assertThatThrownBy(() -> builder.password("secret")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("password(...)").hasMessageNotContaining("secret");
        assertThatThrownBy(() -> builder.isolation(Isolation.SERIALIZABLE)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> builder.user("app")).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> builder.property("sslmode", "require")).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> Database.builder(db.dataSource())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("another Database's dataSource()");
    }
}
