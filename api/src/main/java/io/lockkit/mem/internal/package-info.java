/** The {@code mem:} provider. Not API. */
@NullMarked
package io.lockkit.mem.internal;

import org.jspecify.annotations.NullMarked;
