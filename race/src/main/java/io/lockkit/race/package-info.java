/**
 * The race comparison: every SPEC §5 scenario against every backend whose {@link
 * io.lockkit.tck.TargetFactory} is on the class path, printed as one table.
 */
@NullMarked
package io.lockkit.race;

import org.jspecify.annotations.NullMarked;
