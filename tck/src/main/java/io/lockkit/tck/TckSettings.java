package io.lockkit.tck;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.jspecify.annotations.Nullable;

/**
 * How hard the TCK pushes and how long it waits. Immutable. Read from system properties so a slow
 * CI can stretch the guard deadline or shrink the worker count without code changes; the race
 * comparison overrides single values with the {@code with…} methods.
 *
 * <p>No test asserts a duration: {@link #deadline()} only stops a hung race, as a failure with a
 * message instead of a hang.
 *
 * @param workers concurrent workers per race (scenario 2 also runs with twice as many)
 * @param clients clients per race; workers are spread over them round-robin, so contention crosses
 *     connections as it does between processes
 * @param increments increments per worker in the lost-update scenario (5)
 * @param deadline the guard for a whole race, and the length of "generous" leases and waits that
 *     must never run out in a correct run
 * @param fuzz how long the fuzz scenario (11) runs
 * @param shortLease the lease used where a test waits for expiry (scenarios 8, 9, L5)
 */
public record TckSettings(
        int workers, int clients, int increments, Duration deadline, Duration fuzz, Duration shortLease) {
    public static final String WORKERS = "lockkit.tck.workers";
    public static final String CLIENTS = "lockkit.tck.clients";
    public static final String INCREMENTS = "lockkit.tck.increments";
    public static final String DEADLINE_SECONDS = "lockkit.tck.deadlineSeconds";
    public static final String FUZZ_MILLIS = "lockkit.tck.fuzzMillis";
    public static final String SHORT_LEASE_MILLIS = "lockkit.tck.shortLeaseMillis";

    public static final int DEFAULT_WORKERS = 100;
    public static final int DEFAULT_CLIENTS = 4;
    public static final int DEFAULT_INCREMENTS = 20;
    public static final Duration DEFAULT_DEADLINE = Duration.ofSeconds(120);
    public static final Duration DEFAULT_FUZZ = Duration.ofMillis(3000);
    public static final Duration DEFAULT_SHORT_LEASE = Duration.ofMillis(1000);

    /** Rejects every bad value at once, naming each. */
    public TckSettings {
        List<String> bad = new ArrayList<>();
        if (workers < 2) {
            bad.add("workers must be ≥ 2, was " + workers);
        }
        if (clients < 1) {
            bad.add("clients must be ≥ 1, was " + clients);
        }
        if (increments < 1) {
            bad.add("increments must be ≥ 1, was " + increments);
        }
        requirePositive(bad, "deadline", deadline);
        requirePositive(bad, "fuzz", fuzz);
        requirePositive(bad, "shortLease", shortLease);
        if (!bad.isEmpty()) {
            throw new IllegalArgumentException("invalid TckSettings: " + String.join("; ", bad));
        }
    }

    /** The defaults, ignoring system properties. */
    public static TckSettings defaults() {
        return new TckSettings(
                DEFAULT_WORKERS,
                DEFAULT_CLIENTS,
                DEFAULT_INCREMENTS,
                DEFAULT_DEADLINE,
                DEFAULT_FUZZ,
                DEFAULT_SHORT_LEASE);
    }

    /** The defaults overridden by the {@code lockkit.tck.*} system properties. */
    public static TckSettings fromSystemProperties() {
        return fromProperties(System.getProperties());
    }

    /**
     * The defaults overridden by the {@code lockkit.tck.*} entries of {@code properties}.
     *
     * @throws IllegalArgumentException naming every property whose value is not a number
     */
    public static TckSettings fromProperties(Properties properties) {
        List<String> bad = new ArrayList<>();
        TckSettings d = defaults();
        int workers = (int) number(properties, WORKERS, d.workers, bad);
        int clients = (int) number(properties, CLIENTS, d.clients, bad);
        int increments = (int) number(properties, INCREMENTS, d.increments, bad);
        long deadline = number(properties, DEADLINE_SECONDS, d.deadline.toSeconds(), bad);
        long fuzz = number(properties, FUZZ_MILLIS, d.fuzz.toMillis(), bad);
        long shortLease = number(properties, SHORT_LEASE_MILLIS, d.shortLease.toMillis(), bad);
        if (!bad.isEmpty()) {
            throw new IllegalArgumentException("invalid lockkit.tck system properties: " + String.join("; ", bad));
        }
        return new TckSettings(
                workers,
                clients,
                increments,
                Duration.ofSeconds(deadline),
                Duration.ofMillis(fuzz),
                Duration.ofMillis(shortLease));
    }

    /** A copy with another {@code workers}; validated like the constructor. */
    public TckSettings withWorkers(int workers) {
        return new TckSettings(workers, clients, increments, deadline, fuzz, shortLease);
    }

    /** A copy with another {@code clients}; validated like the constructor. */
    public TckSettings withClients(int clients) {
        return new TckSettings(workers, clients, increments, deadline, fuzz, shortLease);
    }

    /** A copy with another {@code increments}; validated like the constructor. */
    public TckSettings withIncrements(int increments) {
        return new TckSettings(workers, clients, increments, deadline, fuzz, shortLease);
    }

    /** A copy with another {@code deadline}; validated like the constructor. */
    public TckSettings withDeadline(Duration deadline) {
        return new TckSettings(workers, clients, increments, deadline, fuzz, shortLease);
    }

    /** A copy with another {@code fuzz}; validated like the constructor. */
    public TckSettings withFuzz(Duration fuzz) {
        return new TckSettings(workers, clients, increments, deadline, fuzz, shortLease);
    }

    /** A copy with another {@code shortLease}; validated like the constructor. */
    public TckSettings withShortLease(Duration shortLease) {
        return new TckSettings(workers, clients, increments, deadline, fuzz, shortLease);
    }

    /**
     * A lease that must not run out during a correct run: as long as the guard {@link #deadline()},
     * so a lease expiring mid-race always means the race was already reported as hung.
     */
    public Duration generousLease() {
        return deadline;
    }

    private static long number(Properties properties, String name, long fallback, List<String> bad) {
        String raw = properties.getProperty(name);
        if (raw == null || raw.isBlank()) {
            return fallback;
        }
        try {
            return Integer.parseInt(raw.strip());
        } catch (NumberFormatException e) {
            bad.add(name + "=" + raw + " (expected a whole number)");
            return fallback;
        }
    }

    private static void requirePositive(List<String> bad, String name, @Nullable Duration value) {
        if (value == null) {
            bad.add(name + " must not be null");
        } else if (value.isZero() || value.isNegative()) {
            bad.add(name + " must be positive, was " + value);
        }
    }
}
