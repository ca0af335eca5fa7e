package io.atomic4j.junit;

import io.atomic4j.Database;
import io.atomic4j.testing.TestDatabase;

class OnCommitCapturePostgresTest extends OnCommitCaptureBehaviour {
    @AtomicDatabase
    static final Database db = open(TestDatabase.POSTGRES, "default");
    @AtomicDatabase
    static final Database other = open(TestDatabase.POSTGRES, "other");

    @Override
    Database db() {
        return db;
    }

    @Override
    Database other() {
        return other;
    }
}
