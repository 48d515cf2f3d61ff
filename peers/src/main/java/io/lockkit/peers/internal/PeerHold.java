package io.lockkit.peers.internal;

import java.time.Duration;
import java.util.OptionalLong;

/**
 * One lock a peer granted, with the peer's own answers. Implementations MUST be thread-safe and
 * MUST report what the peer says, never a better answer.
 */
public interface PeerHold {
    /** Whether the peer has an extend at all; when false, {@link #extend} is never called. */
    default boolean canExtend() {
        return true;
    }

    /** The peer's extend of this lock to {@code lease} from now: what the peer answers. */
    boolean extend(Duration lease) throws Exception;

    /** The peer's release: what the peer answers, or true when it gives no answer. */
    boolean release() throws Exception;

    /** The peer's fencing token, when it has one; empty for an unfenced peer. */
    default OptionalLong token() {
        return OptionalLong.empty();
    }
}
