package io.atomic4j.hibernate;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** Test entity with an assigned id: persist() only queues the INSERT, so flush timing matters. */
@Entity
@Table(name = "hib_item")
public class Item {
    @Id
    private int id;
    private String name;

    protected Item() {
    }

    public Item(int id, String name) {
        this.id = id;
        this.name = name;
    }

    public int getId() {
        return id;
    }

    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }
}
