package io.lockkit;

/**
 * What a backend promises beyond the common contract. The TCK reads the lease kind to choose how
 * it ends a lease, runs its store-restart tests by what the two {@code …_SURVIVES_STORE_RESTART}
 * capabilities promise, and prints the reason when it skips a test; {@link #RELEASE_NOTIFICATION}
 * is for users and the race table (the kit's wake-up tests hold every backend to L7 whatever the
 * mechanism).
 */
public enum Capability {
    /** The store expires a lease {@code lease} after the last acquire/extend unless extended. */
    TIMED_LEASE("the store expires a lease after its duration unless it is extended"),
    /**
     * A lease lives as long as the holder's server session, which the store ends when the holder
     * stops talking for the lease's duration; losing the connection loses the lease.
     */
    SESSION_LEASE("a lease lives as long as the holder's server session"),
    /** Waiters are woken by a release notification, not by polling (L7). */
    RELEASE_NOTIFICATION("acquire waiters are woken by a release notification"),
    /**
     * Fencing tokens keep increasing across a restart of the store, also one that lost its data,
     * and a write fenced with a token from before the restart is fenced out once a later token
     * wrote the key (L2, V3).
     */
    FENCING_SURVIVES_STORE_RESTART("fencing tokens keep increasing across a store restart"),
    /** Versioned values, fences and timed leases survive a restart of the store. */
    DATA_SURVIVES_STORE_RESTART("versioned values and fences survive a store restart");

    private final String description;

    Capability(String description) {
        this.description = description;
    }

    /** One sentence, used in TCK skip messages and the race table. */
    public String description() {
        return description;
    }
}
