/**
 * The lockkit TCK: abstract JUnit 5 classes ({@link io.lockkit.tck.JobLockTck}, {@link
 * io.lockkit.tck.VersionedUpdateTck}) that a backend's test subclasses with one factory method
 * returning a {@link io.lockkit.tck.TckTarget}; and the race scenarios of SPEC §5 ({@link
 * io.lockkit.tck.Scenarios}), which also run outside JUnit and yield one {@link
 * io.lockkit.tck.ScenarioRow} each for the side-by-side table.
 */
@NullMarked
package io.lockkit.tck;

import org.jspecify.annotations.NullMarked;
