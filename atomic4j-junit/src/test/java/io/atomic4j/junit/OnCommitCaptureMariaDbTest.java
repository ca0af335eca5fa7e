package io.atomic4j.junit;

import io.atomic4j.Database;
import io.atomic4j.testing.TestDatabase;

class OnCommitCaptureMariaDbTest extends OnCommitCaptureBehaviour {
    @AtomicDatabase
    static final Database db = open(TestDatabase.MARIADB, "default");
    @AtomicDatabase
    static final Database other = open(TestDatabase.MARIADB, "other");

    @Override
    Database db() {
        return db;
    }

    @Override
    Database other() {
        return other;
    }
}
