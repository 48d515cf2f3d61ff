package io.lockkit.tck;

import io.lockkit.Backend;

/**
 * Fault injection into the store under test, implemented by every backend's test ({@code mem}
 * included). Each method acts on the store or the wire, never by calling the client's own API.
 */
public interface StoreFaults {
    /**
     * Ends {@code client}'s server session on the server side, as the store does when the holder
     * stops talking (a paused or vanished holder). Session leases of that client end; timed leases
     * are unaffected.
     */
    void expireSession(Backend client);

    /**
     * Drops {@code client}'s connections to the store. Session leases end with the session (and the
     * holder MUST see {@code isValid()} false); timed leases survive, and the client reconnects on
     * its next call.
     */
    void killConnection(Backend client);

    /**
     * Makes {@code client} vanish without releasing anything, as a crashed process does; the
     * client is not used again. Its leases end by their deadlines at the latest (L4).
     */
    void crash(Backend client);

    /**
     * A new client of this backend configured for an address where no store answers, with a short
     * timeout; every call on it MUST fail with {@code BackendUnavailableException} (E2).
     */
    Backend unreachableClient();
}
