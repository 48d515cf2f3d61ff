/** The {@code jdbc:postgresql:} / {@code postgresql://} provider. Not API. */
@NullMarked
package io.lockkit.postgresql.internal;

import org.jspecify.annotations.NullMarked;
