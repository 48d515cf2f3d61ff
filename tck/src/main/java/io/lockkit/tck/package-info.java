/**
 * The lockkit TCK: abstract JUnit 5 classes ({@link io.lockkit.tck.JobLockTck}, {@link
 * io.lockkit.tck.VersionedUpdateTck}) that a backend's test subclasses with one factory method
 * returning a {@link io.lockkit.tck.TckTarget}.
 */
@NullMarked
package io.lockkit.tck;

import org.jspecify.annotations.NullMarked;
