package io.lockkit.redis;

import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;

/** Polls a condition with a deadline, never a fixed sleep as the way to wait. */
final class Poll {
    private Poll() {}

    static <T> T forValue(Duration deadline, Supplier<Optional<T>> probe) {
        long until = System.nanoTime() + deadline.toNanos();
        while (true) {
            Optional<T> value = probe.get();
            if (value.isPresent()) {
                return value.get();
            }
            if (System.nanoTime() - until > 0) {
                throw new AssertionError("no value within " + deadline);
            }
            java.util.concurrent.locks.LockSupport.parkNanos(20_000_000);
        }
    }
}
