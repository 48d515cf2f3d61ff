/**
 * The lockkit TCK, the part a backend author uses: abstract JUnit 5 classes ({@link
 * io.lockkit.tck.JobLockTck}, {@link io.lockkit.tck.VersionedUpdateTck}) that a backend's test
 * subclasses with one factory method returning a {@link io.lockkit.tck.TckTarget} (for a store
 * reached over TCP, {@link io.lockkit.tck.ProxiedTarget} is most of one), with its {@link
 * io.lockkit.tck.StoreFaults}. The kits' tables of contents are {@link io.lockkit.tck.JobLockRules}
 * and {@link io.lockkit.tck.VersionedUpdateRules}; the rules they cite are {@link
 * io.lockkit.tck.Rule}. The race scenarios live in {@link io.lockkit.tck.scenarios}, which also run
 * outside JUnit and yield one row each for the side-by-side table; the tools the kit races with
 * ({@code Race}, {@code IntervalRecorder}, {@code TcpProxy}) in {@link io.lockkit.tck.harness}.
 *
 * <p>The contract the kit checks (rules L1–L8, V1–V4, E1–E2, the lease kinds, the deadline,
 * capabilities and the race scenarios) is written out in {@code CONTRACT.md}, and the classes of
 * failure it catches, each with its test, in {@code INCIDENTS.md}, both at the root of the lockkit
 * source repository. The guide for backend authors is {@code tck/README.md} there.
 */
@NullMarked
package io.lockkit.tck;

import org.jspecify.annotations.NullMarked;
