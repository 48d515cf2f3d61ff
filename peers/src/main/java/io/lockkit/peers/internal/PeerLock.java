package io.lockkit.peers.internal;

import java.time.Duration;
import java.util.Optional;

/**
 * A peer's lock as its own client API offers it, seen by {@link PeerJobLock}. Implementations call
 * the peer as a user would and MUST NOT re-implement it; they MUST be thread-safe. Exceptions are
 * the peer's own; {@link PeerJobLock} translates them.
 */
public interface PeerLock {
    /** One attempt to take {@code key} for {@code lease}; empty when the peer says it is held. */
    Optional<PeerHold> tryLock(String key, Duration lease) throws Exception;

    /**
     * Whether the peer can wait for a lock itself ({@link #lock}); when false, {@link PeerJobLock}
     * polls {@link #tryLock} with a growing pause instead.
     */
    default boolean canWait() {
        return false;
    }

    /**
     * Takes {@code key} with the peer's own wait of at most {@code maxWait}; empty when the wait
     * ran out. Called only when {@link #canWait()} is true.
     *
     * @throws InterruptedException when interrupted; the implementation MUST then hold nothing
     */
    default Optional<PeerHold> lock(String key, Duration lease, Duration maxWait) throws Exception {
        throw new UnsupportedOperationException("this peer cannot wait; poll tryLock");
    }
}
