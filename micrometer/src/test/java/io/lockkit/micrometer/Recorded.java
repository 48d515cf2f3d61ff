package io.lockkit.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** Reads what a registry recorded: counts summed over every meter of a name that carries the tags given. */
final class Recorded {
    private final MeterRegistry registry;

    Recorded(MeterRegistry registry) {
        this.registry = registry;
    }

    /** The count of the timers or counters named {@code name} with these tags (0 when there is none). */
    long count(String name, String... tags) {
        double sum = 0;
        for (Meter m : registry.find(name).tags(tags).meters()) {
            if (m instanceof Timer t) {
                sum += t.count();
            } else if (m instanceof Counter c) {
                sum += c.count();
            } else {
                throw new AssertionError(name + " is neither a timer nor a counter: " + m);
            }
        }
        return (long) sum;
    }

    /** The total time of the timers named {@code name} with these tags, in milliseconds. */
    double totalMillis(String name, String... tags) {
        return registry.find(name).tags(tags).timers().stream()
                .mapToDouble(t -> t.totalTime(TimeUnit.MILLISECONDS))
                .sum();
    }

    /** Waits until {@code name} with these tags has counted {@code expected}, then checks it stays exact. */
    void awaitCount(long expected, String name, String... tags) {
        await(() -> count(name, tags) >= expected, Duration.ofSeconds(15), name + " " + String.join(",", tags));
        assertThat(count(name, tags)).as(name + " " + String.join(",", tags)).isEqualTo(expected);
    }

    static void await(BooleanSupplier condition, Duration within, String what) {
        long deadline = System.nanoTime() + within.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("not within " + within + ": " + what);
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }
}
