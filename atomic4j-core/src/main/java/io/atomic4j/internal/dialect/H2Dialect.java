package io.atomic4j.internal.dialect;

/** H2 2.x. */
public final class H2Dialect extends Dialect {
    @Override
    public String name() {
        return "H2";
    }
}
