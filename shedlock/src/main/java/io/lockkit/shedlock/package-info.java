/**
 * ShedLock on lockkit: {@link io.lockkit.shedlock.LockKitLockProvider} is a ShedLock {@code
 * ExtensibleLockProvider} on any lockkit {@link io.lockkit.Backend}, and {@link
 * io.lockkit.shedlock.LockKitLockProvider#currentLease()} gives a locked task its fencing token.
 */
@NullMarked
package io.lockkit.shedlock;

import org.jspecify.annotations.NullMarked;
