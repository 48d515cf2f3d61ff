/** The {@code redis://} and {@code rediss://} provider. Not API. */
@NullMarked
package io.lockkit.redis.internal;

import org.jspecify.annotations.NullMarked;
