package io.lockkit;

import java.time.Duration;
import java.util.Objects;

/**
 * The shortest and the longest lease a backend grants ({@link JobLock#leaseLimits()}). Acquire
 * and extend refuse a duration outside them before anything is written (E1). Immutable.
 *
 * <p>The shortest lease is one that is still valid when it is returned: a lease's deadline is its
 * send time plus the lease minus the backend's drift margin, so a lease not longer than the margin
 * would be granted already invalid while it still blocks the key in the store. The longest bounds
 * every deadline computation and every duration sent to a store, so no duration overflows.
 *
 * @param shortest the shortest lease granted, positive
 * @param longest the longest lease granted, at least {@code shortest} and at most {@link #MAX}
 */
public record LeaseLimits(Duration shortest, Duration longest) {
    /** No backend grants a lease longer than this: 365 days. */
    public static final Duration MAX = Duration.ofDays(365);

    /** Rejects limits that are not positive and ordered, or above {@link #MAX}. */
    public LeaseLimits {
        Objects.requireNonNull(shortest, "shortest");
        Objects.requireNonNull(longest, "longest");
        if (shortest.isNegative()
                || shortest.isZero()
                || longest.compareTo(shortest) < 0
                || longest.compareTo(MAX) > 0) {
            throw new IllegalArgumentException("lease limits must satisfy 0 < shortest ≤ longest ≤ " + MAX
                    + ", were shortest=" + shortest + ", longest=" + longest);
        }
    }

    /**
     * The limits for a backend whose deadlines subtract {@code driftMargin}: the shortest lease is
     * twice the margin (at least 1 ms), so a lease is valid for at least as long as the margin when it
     * is returned over a fast link; the longest is {@link #MAX}.
     */
    public static LeaseLimits forDriftMargin(Duration driftMargin) {
        Objects.requireNonNull(driftMargin, "driftMargin");
        Duration twice = driftMargin.multipliedBy(2);
        Duration floor = Duration.ofMillis(1);
        return new LeaseLimits(twice.compareTo(floor) < 0 ? floor : twice, MAX);
    }

    /**
     * Returns {@code lease} when it is within these limits.
     *
     * @throws NullPointerException when {@code lease} is null
     * @throws IllegalArgumentException naming the value and the limits otherwise
     */
    public Duration check(Duration lease) {
        Objects.requireNonNull(lease, "lease must not be null");
        if (lease.compareTo(shortest) < 0 || lease.compareTo(longest) > 0) {
            throw new IllegalArgumentException("lease must be from " + shortest + " to " + longest + ", was " + lease);
        }
        return lease;
    }
}
