package io.lockkit;

/**
 * A monotonic nanosecond clock, injected wherever a deadline is computed so tests can move time
 * without sleeping. Implementations MUST be thread-safe and never go backwards.
 */
@FunctionalInterface
public interface Ticker {
    /** Nanoseconds from an arbitrary origin; only differences are meaningful. */
    long nanos();

    /** {@link System#nanoTime()}. */
    static Ticker system() {
        return System::nanoTime;
    }
}
