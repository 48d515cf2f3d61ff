package io.lockkit.postgresql;

import org.jdbi.v3.core.Handle;

/**
 * One connection, which is one server session, with its backend process id and start. Used by one
 * thread at a time: borrowed from a {@link SessionPool}, or pinned to a session lease.
 *
 * @param started when the server session started ({@link Sql#SESSION_START}): the server reuses the
 *     pids of ended sessions, so only (pid, start) names this session (L5)
 * @param reused whether it came from the idle pool (and so may have been ended by the server while
 *     idle) rather than being opened just now
 */
record Session(Handle handle, int pid, long started, boolean reused) {
    Session asReused() {
        return new Session(handle, pid, started, true);
    }
}
