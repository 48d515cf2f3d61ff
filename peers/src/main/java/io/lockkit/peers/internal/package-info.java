/**
 * The adapter machinery shared by the peers: a peer's lock wrapped as a lockkit {@link
 * io.lockkit.JobLock}, its leases, the unfenced and blind-write {@link io.lockkit.VersionedUpdate}
 * wrappers, exception translation, and the store-side fault helpers. Public for the peers package
 * only; not an API.
 */
@NullMarked
package io.lockkit.peers.internal;

import org.jspecify.annotations.NullMarked;
