package io.atomic4j;

/** Django's AtomicInsideTransactionTests: every AtomicBlockTest again, inside an open block that rolls back. */
class AtomicBlockInsideTransactionTest extends AtomicBlockTest {
    private AtomicScope outer;

    @Override
    void prepare(Database db) {
        outer = db.begin();
    }

    @Override
    void unprepare(Database db) {
        outer.close();
    }
}
