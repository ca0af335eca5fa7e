package io.atomic4j.servlet.readme;

// README examples, section "Per-request transactions (atomic4j-servlet)": kept here so that
// they compile as printed. Keep both in step.

import io.atomic4j.Databases;
import io.atomic4j.servlet.AtomicRequestsFilter;

final class ReadmeExamples {
    private ReadmeExamples() {
    }

    static AtomicRequestsFilter largerResponses(Databases databases) {
        AtomicRequestsFilter filter = AtomicRequestsFilter.builder(databases)
                .maxHeldResponseBytes(16 * 1024 * 1024)   // default 4 MiB
                .build();
        return filter;
    }
}
