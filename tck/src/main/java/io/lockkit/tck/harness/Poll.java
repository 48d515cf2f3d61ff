package io.lockkit.tck.harness;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Waits for a condition by polling it until a deadline, with a short growing pause between
 * attempts: the TCK never waits for a condition with a fixed sleep.
 */
public final class Poll {
    private static final long FIRST_PAUSE = Duration.ofMillis(1).toNanos();
    private static final long MAX_PAUSE = Duration.ofMillis(20).toNanos();

    private Poll() {}

    /** Polls {@code condition} until it is true (returns true) or {@code deadline} has passed (false). */
    public static boolean until(Duration deadline, BooleanSupplier condition) throws InterruptedException {
        return forValue(deadline, () -> condition.getAsBoolean() ? Optional.of(Boolean.TRUE) : Optional.empty())
                .isPresent();
    }

    /** Polls {@code attempt} until it returns a value (returned) or {@code deadline} has passed (empty). */
    public static <T> Optional<T> forValue(Duration deadline, Supplier<Optional<T>> attempt)
            throws InterruptedException {
        long end = System.nanoTime() + deadline.toNanos();
        long pause = FIRST_PAUSE;
        while (true) {
            Optional<T> value = attempt.get();
            if (value.isPresent()) {
                return value;
            }
            long left = end - System.nanoTime();
            if (left <= 0) {
                return Optional.empty();
            }
            pauseFor(Math.min(pause, left));
            pause = Math.min(pause * 2, MAX_PAUSE);
        }
    }

    /** Waits until {@link System#nanoTime()} reaches {@code nanoTime}: for a moment in time, not a condition. */
    public static void untilTime(long nanoTime) throws InterruptedException {
        for (long left = nanoTime - System.nanoTime(); left > 0; left = nanoTime - System.nanoTime()) {
            pauseFor(left);
        }
    }

    private static void pauseFor(long nanos) throws InterruptedException {
        LockSupport.parkNanos(nanos);
        if (Thread.interrupted()) {
            throw new InterruptedException("interrupted while polling");
        }
    }
}
