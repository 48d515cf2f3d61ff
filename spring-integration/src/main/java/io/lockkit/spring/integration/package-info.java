/**
 * Spring Integration on lockkit: {@link io.lockkit.spring.integration.LockKitLockRegistry} is a {@code
 * LockRegistry}, {@code RenewableLockRegistry} and {@code ExpirableLockRegistry} on any lockkit
 * {@link io.lockkit.Backend}.
 */
@NullMarked
package io.lockkit.spring.integration;

import org.jspecify.annotations.NullMarked;
