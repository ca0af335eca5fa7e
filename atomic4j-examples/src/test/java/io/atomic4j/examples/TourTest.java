package io.atomic4j.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** {@code java -jar ... tour} in-process: every scenario ends as the tour expects. */
class TourTest {
    @Test
    void everyScenarioEndsAsExpected() throws Exception {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();

        boolean allAsExpected = Tour.run(new PrintStream(printed, true, StandardCharsets.UTF_8));

        String output = printed.toString(StandardCharsets.UTF_8);
        assertThat(output).doesNotContain("NOT AS EXPECTED");
        assertThat(allAsExpected).isTrue();
        assertThat(output)
                .contains("All 9 scenarios ended as expected.")
                .contains("-> 503 The database failed in the middle of this request.")
                .contains("- onRollback hook: refunded pay_0002")
                .contains("database holds: procedure_user=3 procedure_state=12 users=2 unpaid_users=1")
                .contains("outbox: to erin@example.com: Welcome to the demo, Erin!; to frank@example.com: Welcome to the demo, Frank!; "
                        + "to heidi@example.com: Welcome to the demo, Heidi!");
    }
}
