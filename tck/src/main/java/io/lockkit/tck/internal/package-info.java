/** Checks shared by the kits and the scenarios; not API. */
@NullMarked
package io.lockkit.tck.internal;

import org.jspecify.annotations.NullMarked;
