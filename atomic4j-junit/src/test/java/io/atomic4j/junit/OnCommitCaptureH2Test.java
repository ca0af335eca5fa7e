package io.atomic4j.junit;

import io.atomic4j.Database;
import io.atomic4j.testing.TestDatabase;

class OnCommitCaptureH2Test extends OnCommitCaptureBehaviour {
    @AtomicDatabase
    static final Database db = open(TestDatabase.H2, "default");
    @AtomicDatabase
    static final Database other = open(TestDatabase.H2, "other");

    @Override
    Database db() {
        return db;
    }

    @Override
    Database other() {
        return other;
    }
}
