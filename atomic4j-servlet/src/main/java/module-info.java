/** ATOMIC_REQUESTS for servlet containers: {@link io.atomic4j.servlet.AtomicRequestsFilter}. */
module io.atomic4j.servlet {
    requires transitive io.atomic4j;
    // The filter is a jakarta.servlet.Filter; the container provides the API.
    requires transitive jakarta.servlet;
    requires org.slf4j;

    exports io.atomic4j.servlet;
}
