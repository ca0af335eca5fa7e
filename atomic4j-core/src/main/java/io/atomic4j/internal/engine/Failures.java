package io.atomic4j.internal.engine;

/** How atomic4j combines failures: the first one is what the caller sees, later ones ride on it as suppressed. */
public final class Failures {
    private Failures() {
    }

    /** {@code first} with {@code more} suppressed on it; either may be null. */
    public static Throwable combine(Throwable first, Throwable more) {
        if (first == null) {
            return more;
        }
        if (more != null && more != first) {
            first.addSuppressed(more);
        }
        return first;
    }

    /** Rethrows any throwable without declaring it: the block's body declared it, the engine only passes it on. */
    @SuppressWarnings("unchecked")
    public static <T extends Throwable> RuntimeException sneaky(Throwable error) throws T {
        throw (T) error;
    }
}
