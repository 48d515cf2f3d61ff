package io.lockkit.peers.internal;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The {@link io.lockkit.Lease#token()} of a peer without fencing tokens: a positive number that
 * increases with every lease granted in this JVM. It fences nothing: no store ever sees it, and the
 * peers' {@link Unfenced} update drops it. It exists only so the scenarios can tell leases apart.
 * Thread-safe.
 */
public final class LocalTokens {
    private static final AtomicLong LAST = new AtomicLong();

    private LocalTokens() {}

    /** The next local token, ≥ 1. */
    public static long next() {
        return LAST.incrementAndGet();
    }
}
