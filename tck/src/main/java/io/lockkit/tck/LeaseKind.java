package io.lockkit.tck;

import io.lockkit.Backend;
import io.lockkit.Capability;

/** Which kind of lease a backend declares, which decides how a holder is made to lose its lease. */
public enum LeaseKind {
    TIMED,
    SESSION,
    NONE;

    /** The reason printed when a test needs a lease kind and the backend declares none. */
    public static final String NONE_REASON = "the backend declares neither " + Capability.TIMED_LEASE + " ("
            + Capability.TIMED_LEASE.description() + ") nor " + Capability.SESSION_LEASE + " ("
            + Capability.SESSION_LEASE.description() + ")";

    /** A session lease ends with the connection, so it wins when a backend declares both. */
    public static LeaseKind of(Backend client) {
        if (client.has(Capability.SESSION_LEASE)) {
            return SESSION;
        }
        return client.has(Capability.TIMED_LEASE) ? TIMED : NONE;
    }
}
