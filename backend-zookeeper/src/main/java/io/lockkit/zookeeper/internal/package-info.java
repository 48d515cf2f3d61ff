/** The {@code zookeeper://} provider. Not API. */
@NullMarked
package io.lockkit.zookeeper.internal;

import org.jspecify.annotations.NullMarked;
