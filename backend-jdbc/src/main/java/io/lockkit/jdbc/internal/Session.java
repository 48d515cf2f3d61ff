package io.lockkit.jdbc.internal;

import org.jdbi.v3.core.Handle;

/**
 * One connection, which is one server session, with its server-side id (PostgreSQL's backend pid,
 * MariaDB's connection id) and start. Used by one
 * thread at a time: borrowed from a {@link SessionPool}, or pinned to a session lease.
 *
 * @param started when the server session started (the database's session setup): the server reuses the
 *     pids of ended sessions, so only (pid, start) names this session (L5); {@link #UNKNOWN} when the
 *     server's own pid differed from the one the connection announced (a proxy between them)
 * @param reused whether it came from the idle pool (and so may have been ended by the server while
 *     idle) rather than being opened just now
 * @param lease whether it is lent as a lease session (counted against that budget of the pool)
 * @param isolation the connection's isolation level ({@code java.sql.Connection}'s constant) before
 *     the pool pinned it to READ COMMITTED (the database's session setup says why), put back when the
 *     connection is closed; {@link #AS_IT_WAS} when it already was READ COMMITTED
 */
public record Session(Handle handle, int pid, long started, boolean reused, boolean lease, int isolation) {
    /** {@link #isolation} of a session whose isolation level was left as it was. */
    public static final int AS_IT_WAS = java.sql.Connection.TRANSACTION_NONE;

    /** {@link #started} of a session that cannot be found in the server's list of sessions. */
    public static final long UNKNOWN = Long.MIN_VALUE;

    public Session asReused() {
        return new Session(handle, pid, started, true, false, isolation);
    }

    public Session lent(boolean asLease) {
        return asLease == lease ? this : new Session(handle, pid, started, reused, asLease, isolation);
    }

    /** Whether (pid, start) names this session on the server, so the server's list of sessions can tell its state. */
    public boolean identified() {
        return started != UNKNOWN;
    }
}
