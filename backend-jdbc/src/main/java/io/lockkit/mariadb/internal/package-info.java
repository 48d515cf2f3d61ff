/** The {@code jdbc:mariadb:} / {@code mariadb://} provider. Not API. */
@NullMarked
package io.lockkit.mariadb.internal;

import org.jspecify.annotations.NullMarked;
