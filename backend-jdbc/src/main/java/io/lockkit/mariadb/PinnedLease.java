package io.lockkit.mariadb;

import io.lockkit.jdbc.internal.Acquiring;
import io.lockkit.jdbc.internal.Session;
import io.lockkit.jdbc.internal.SqlErrors;
import io.lockkit.spi.AbstractLease;
import java.time.Duration;

/**
 * A session lease of the advisory or rowlock variant: it lives as long as its pinned server session,
 * which the server ends after the idle timeout (the lease rounded up to whole seconds). Extend and
 * release run on that session, and its locks ({@code GET_LOCK}'s, InnoDB's row lock) answer for
 * their own session only, so they can only ever touch this lease (L3); a broken session means the
 * lease is lost (L5). Thread-safe: I/O on the pinned connection happens under one monitor.
 */
final class PinnedLease extends AbstractLease {
    private final PinnedSessions sessions;
    private final Session session;
    private final String name;
    private final Object io = new Object();
    private boolean pinned = true; // guarded by io

    /** @param name the lock's name for {@link PinnedSessions.Locking} (the advisory lock's, or the key) */
    PinnedLease(
            PinnedSessions sessions, Session session, String key, String name, long token, long sent, Duration lease) {
        super(
                key,
                token,
                sessions.backend().ticker(),
                sent,
                lease,
                Acquiring.margin(sessions.backend().driftMargin(), lease),
                sessions.limits());
        this.sessions = sessions;
        this.session = session;
        this.name = name;
    }

    Session session() {
        return session;
    }

    @Override
    protected Duration margin(Duration lease) {
        return Acquiring.margin(sessions.backend().driftMargin(), lease);
    }

    @Override
    protected boolean doExtend(Duration lease) {
        synchronized (io) {
            if (!pinned) {
                return false;
            }
            try {
                if (sessions.locking().extend(session, name, lease)) {
                    return true;
                }
                drop(false); // the lock is not this session's any more: the lease is lost, the session goes
                return false;
            } catch (RuntimeException e) {
                boolean broken = MariaDbFailures.classify(e) == MariaDbFailures.Kind.CONNECTION;
                drop(broken);
                if (broken) {
                    return false;
                }
                // The session, and the lock with it, is given up: the lease must not stay valid (L1, L5).
                markLost();
                throw SqlErrors.unexpected("extend '" + key() + "'", e);
            }
        }
    }

    /**
     * Releases on the pinned session (owner-checked by the server: only this session's lock). False
     * when the lock was no longer this session's. When the reply is lost the session is closed, which
     * frees the lock once the server notices, and {@link io.lockkit.BackendUnavailableException}
     * reports that (E2); a later release() then returns false.
     */
    @Override
    protected boolean doRelease() {
        sessions.unwatch(this);
        synchronized (io) {
            if (!pinned) {
                return false;
            }
            pinned = false;
            try {
                boolean released = sessions.locking().release(session, name);
                sessions.backend().pool().giveBack(session);
                return released;
            } catch (RuntimeException e) {
                // closing it ends the session and the lock with it
                sessions.discard(session, MariaDbFailures.classify(e) == MariaDbFailures.Kind.CONNECTION);
                if (MariaDbFailures.serverEndedSession(e)) {
                    return false; // the server had ended the session (its idle timeout, a kill, a restart): the
                    // lock with it
                }
                if (MariaDbFailures.classify(e) == MariaDbFailures.Kind.CONNECTION) {
                    throw SqlErrors.unavailable(
                            "release '" + key() + "': no reply; its session was closed, which frees the lock once"
                                    + " the server notices",
                            e);
                }
                throw SqlErrors.unexpected("release '" + key() + "'", e);
            }
        }
    }

    /** The server ended the session (or the client is closing): the lease is lost (L5). */
    void sessionEnded() {
        markLost();
        synchronized (io) {
            drop(false);
        }
    }

    private void drop(boolean broken) {
        if (pinned) {
            pinned = false;
            sessions.unwatch(this);
            sessions.discard(session, broken);
        }
    }
}
