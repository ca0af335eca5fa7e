package io.atomic4j;

/** Django's AtomicWithoutAutocommitTests: every AtomicBlockTest again, in a manual transaction. */
class AtomicBlockWithoutAutocommitTest extends AtomicBlockTest {
    @Override
    void prepare(Database db) {
        db.setAutoCommit(false);
    }

    @Override
    void unprepare(Database db) {
        db.rollback();
        db.setAutoCommit(true);
    }
}
