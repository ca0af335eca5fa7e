package io.atomic4j.junit;

import io.atomic4j.Database;
import io.atomic4j.testing.TestDatabase;

class OnCommitCaptureSqliteTest extends OnCommitCaptureBehaviour {
    @AtomicDatabase
    static final Database db = open(TestDatabase.SQLITE, "default");
    @AtomicDatabase
    static final Database other = open(TestDatabase.SQLITE, "other");

    @Override
    Database db() {
        return db;
    }

    @Override
    Database other() {
        return other;
    }
}
