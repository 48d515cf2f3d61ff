/**
 * The lockkit TCK: abstract JUnit 5 classes ({@link io.lockkit.tck.JobLockTck}, {@link
 * io.lockkit.tck.VersionedUpdateTck}) that a backend's test subclasses with one factory method
 * returning a {@link io.lockkit.tck.TckTarget}; and the race scenarios ({@link
 * io.lockkit.tck.Scenarios}), which also run outside JUnit and yield one {@link
 * io.lockkit.tck.ScenarioRow} each for the side-by-side table.
 *
 * <p>The contract the kit checks (rules L1–L8, V1–V4, E1–E2, the lease kinds, the deadline,
 * capabilities and the race scenarios) is written out in {@code CONTRACT.md}, and the classes of
 * failure it catches, each with its test, in {@code INCIDENTS.md}, both at the root of the lockkit
 * source repository. The guide for backend authors is {@code tck/README.md} there.
 */
@NullMarked
package io.lockkit.tck;

import org.jspecify.annotations.NullMarked;
