/**
 * What backend authors implement: a {@link io.lockkit.spi.BackendProvider} for discovery, and
 * {@link io.lockkit.spi.AbstractLease}, which keeps the deadline, validity and loss notification
 * the same on every backend. {@link io.lockkit.spi.Checks} validates input per E1.
 */
@NullMarked
package io.lockkit.spi;

import org.jspecify.annotations.NullMarked;
