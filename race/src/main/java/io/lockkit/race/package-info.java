/**
 * The race comparison: every one of the race scenarios (CONTRACT.md) against every backend whose {@link
 * io.lockkit.tck.TargetFactory} is on the class path, printed as one table.
 */
@NullMarked
package io.lockkit.race;

import org.jspecify.annotations.NullMarked;
