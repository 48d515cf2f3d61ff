/**
 * Micrometer meters for any lockkit backend: {@link io.lockkit.micrometer.LockKitMetrics#instrument}
 * wraps a {@link io.lockkit.Backend} and records acquires, hold times, lost leases, extends,
 * releases, write conflicts, fenced-out writes, unknown outcomes and an unreachable store.
 */
package io.lockkit.micrometer;
