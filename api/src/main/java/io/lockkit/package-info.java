/**
 * lockkit: race-free job claims, status transitions, progress and counters.
 *
 * <p>Start at {@link io.lockkit.LockKit#open(String)}, which returns a {@link io.lockkit.Backend}
 * with a {@link io.lockkit.JobLock} (leases with fencing tokens) and a {@link
 * io.lockkit.VersionedUpdate} (optimistic compare-and-set). The numbered rules cited in the
 * Javadoc (L1–L8, V1–V4, E1–E2) are the contract every backend passes through the TCK.
 *
 * <p>The contract is written out in full in {@code CONTRACT.md} at the root of the lockkit source
 * repository: every rule, the lease kinds and their deadline, lease limits, what {@code release()}
 * guarantees when its reply is lost, capabilities, limits, exceptions and the race scenarios.
 * {@code INCIDENTS.md} beside it lists the lock failures real users hit, the rule that stops each
 * and the test that catches it.
 */
@NullMarked
package io.lockkit;

import org.jspecify.annotations.NullMarked;
