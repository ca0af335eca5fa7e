package io.atomic4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.atomic4j.testing.TestDatabase;
import java.sql.SQLException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * {@link ReplicaRouting} when no replica qualifies: every read runs on the primary, and nothing is
 * lost or refused. A database that cannot answer PostgreSQL's replica queries (H2 here) is such a
 * replica. Routing to live streaming replicas is tested in atomic4j-deployments.
 */
class ReplicaRoutingFallbackTest extends DatabaseTestBase {

    private Database notAReplica() {
        return Database.open("jdbc:h2:mem:not-a-replica-" + System.nanoTime() + ";DB_CLOSE_DELAY=-1");
    }

    @Test
    void readsFallBackToThePrimaryWhenNoReplicaAnswersAndWritesAreKept() throws SQLException {
        use(TestDatabase.H2);
        try (Database replica = notAReplica();
             ReplicaRouting routing = ReplicaRouting.builder(db).replica(replica).checkInterval(Duration.ZERO).build()) {
            assertThat(routing.forWrite()).isSameAs(db);
            assertThat(routing.forRead()).isSameAs(db);
            assertThat(routing.current()).isSameAs(db);
            routing.write(() -> insert(1));
            Integer written = routing.write(() -> {
                insert(2);
                assertThat(routing.current()).isSameAs(db);
                // A read inside the primary's block runs in that block and sees its uncommitted row.
                return routing.read(() -> {
                    assertThat(db.inAtomicBlock()).isTrue();
                    return ids(routing.current()).size();
                });
            });
            assertThat(written).isEqualTo(2);
            assertThat(routing.read(() -> {
                assertThat(routing.current()).isSameAs(db);
                assertThat(db.inAtomicBlock()).as("a read runs in a block of its own").isTrue();
                return ids(routing.current());
            })).containsExactly(1, 2);
            assertThat(routing.current()).isSameAs(db);
        }
        assertThat(committedIds()).containsExactly(1, 2);
    }

    @Test
    void withoutReplicasEverythingRunsOnThePrimary() throws SQLException {
        use(TestDatabase.H2);
        try (ReplicaRouting routing = ReplicaRouting.builder(db).build()) {
            routing.write(() -> insert(1));
            assertThat(routing.forRead()).isSameAs(db);
            assertThat(routing.read(() -> ids(routing.current()))).containsExactly(1);
        }
    }

    @Test
    void aBackgroundCheckedReplicaIsNotUsedBeforeItAnswers() throws SQLException {
        use(TestDatabase.H2);
        try (Database replica = notAReplica();
             ReplicaRouting routing = ReplicaRouting.builder(db).replica(replica).maxLag(Duration.ofSeconds(1))
                     .checkInterval(Duration.ofHours(1)).build()) {
            routing.write(() -> insert(1));   // the WAL position cannot be read on H2: later reads stay on the primary
            assertThat(routing.forRead()).isSameAs(db);
            assertThat(routing.read(() -> ids(routing.current()))).containsExactly(1);
        }
    }

    @Test
    void badRoutingsAreRefusedWithWhatWasWrong() {
        Database primary = Database.open("jdbc:h2:mem:routing-primary-" + System.nanoTime());
        try (primary) {
            assertThatThrownBy(() -> ReplicaRouting.builder(null)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("needs the primary Database");
            ReplicaRouting.Builder builder = ReplicaRouting.builder(primary);
            assertThatThrownBy(() -> builder.replica(null)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("not null or the primary");
            assertThatThrownBy(() -> builder.replica(primary)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("not null or the primary");
            assertThatThrownBy(() -> builder.maxLag(Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("maxLag must be zero or positive");
            assertThatThrownBy(() -> builder.checkInterval(null)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("checkInterval must be zero or positive");
            assertThat(builder.maxLag(Duration.ZERO).checkInterval(Duration.ZERO)).isSameAs(builder);
        }
    }

    @Test
    void walPositionsAreReadAsPostgresWritesThem() {
        assertThat(ReplicaRouting.lsn("0/16B3748")).isEqualTo(0x16B3748L);
        assertThat(ReplicaRouting.lsn("1/0")).isEqualTo(1L << 32);
        assertThat(ReplicaRouting.lsn("16/B374D848")).isEqualTo((0x16L << 32) | 0xB374D848L);
        assertThat(ReplicaRouting.lsn(null)).isEqualTo(-1);
    }
}
