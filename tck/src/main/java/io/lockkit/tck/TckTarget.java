package io.lockkit.tck;

import io.lockkit.Backend;
import java.util.OptionalInt;

/**
 * One store under test, as the TCK and the race comparison see it: fresh clients on the same
 * store, and the faults the store can be put through. Races spread their workers over several
 * clients from {@link #newClient()}, so contention crosses connections as it does between
 * processes. Implementations MUST be thread-safe.
 */
public interface TckTarget extends AutoCloseable {
    /** The backend's name as it should appear in a result table, such as {@code mem/timed}. */
    String name();

    /**
     * A new, independent client of the same store, with its own connections and (for session
     * backends) its own server session. The TCK closes every client it asks for.
     */
    Backend newClient();

    /**
     * The most leases one client of this target can hold at once, when its backend bounds them (a
     * session backend pins one of the client's connections to each lease); empty when it does not.
     * The kit fills a client to this bound to check that an acquire still keeps to its {@code
     * maxWait} and reacts to interrupts while every lease session of its client is in use (L7, L8).
     */
    default OptionalInt leasesPerClient() {
        return OptionalInt.empty();
    }

    /** The faults this store can be put through. */
    StoreFaults faults();

    /** Stops what the target started (embedded servers, pools). */
    @Override
    default void close() {}
}
