/**
 * The peers of the race comparison: other libraries (ShedLock, Redisson, Curator) and hand-written
 * patterns, each wrapped as a lockkit {@link io.lockkit.Backend} and registered as an {@link
 * io.lockkit.tck.TargetFactory} whose {@code peer()} is true, so the race comparison runs the same
 * race scenarios (CONTRACT.md) against them and reports their results as measured. Not for production use:
 * these wrappers exist to show what each peer does under the scenarios, defects included.
 */
@NullMarked
package io.lockkit.peers;

import org.jspecify.annotations.NullMarked;
