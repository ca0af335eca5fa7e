package io.atomic4j.benchmarks.hibernate;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** The entity HibernateBenchmark persists: an assigned id, so persist() only queues the INSERT. */
@Entity
@Table(name = "bench_hib_item")
public class BenchItem {
    @Id
    private long id;
    private String name;

    protected BenchItem() {
    }

    public BenchItem(long id, String name) {
        this.id = id;
        this.name = name;
    }
}
