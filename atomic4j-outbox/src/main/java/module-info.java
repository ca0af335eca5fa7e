/** Crash-safe after-commit tasks: {@link io.atomic4j.outbox.Outbox}. */
module io.atomic4j.outbox {
    requires transitive io.atomic4j;
    requires org.slf4j;

    exports io.atomic4j.outbox;
}
