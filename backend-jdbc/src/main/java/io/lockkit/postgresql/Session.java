package io.lockkit.postgresql;

import org.jdbi.v3.core.Handle;

/**
 * One connection, which is one server session, with its backend process id. Used by one thread at
 * a time: borrowed from a {@link SessionPool}, or pinned to a session lease.
 *
 * @param reused whether it came from the idle pool (and so may have been ended by the server while
 *     idle) rather than being opened just now
 */
record Session(Handle handle, int pid, boolean reused) {
    Session asReused() {
        return new Session(handle, pid, true);
    }
}
