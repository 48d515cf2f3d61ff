package io.lockkit.mariadb;

import io.lockkit.jdbc.internal.Acquiring;
import io.lockkit.jdbc.internal.Session;
import io.lockkit.jdbc.internal.SqlErrors;
import io.lockkit.spi.AbstractLease;
import java.time.Duration;

/**
 * A {@code GET_LOCK} lease: it lives as long as its pinned server session, which the server ends
 * after {@code wait_timeout} (the lease rounded up to whole seconds) of silence. Extend and release
 * run on that session, and MariaDB's user-level locks answer for their own session only, so they can
 * only ever touch this lease (L3); a broken session means the lease is lost. Thread-safe: I/O on the
 * pinned connection happens under one monitor.
 */
final class AdvisoryLease extends AbstractLease {
    private final AdvisoryJobLock lock;
    private final Session session;
    private final String name;
    private final Object io = new Object();
    private boolean pinned = true; // guarded by io

    AdvisoryLease(
            AdvisoryJobLock lock,
            Session session,
            String key,
            String name,
            long token,
            long sent,
            Duration lease,
            Duration margin) {
        super(key, token, lock.backend().ticker(), sent, lease, margin, lock.leaseLimits());
        this.lock = lock;
        this.session = session;
        this.name = name;
    }

    Session session() {
        return session;
    }

    @Override
    protected Duration margin(Duration lease) {
        return Acquiring.margin(lock.backend().driftMargin(), lease);
    }

    @Override
    protected boolean doExtend(Duration lease) {
        synchronized (io) {
            if (!pinned) {
                return false;
            }
            try {
                if (lock.extend(session, name, lease)) {
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
     * Releases on the pinned session ({@code RELEASE_LOCK}, owner-checked by the server). False when
     * the lock was no longer this session's. When the reply is lost the session is closed, which
     * frees the lock once the server notices, and {@link io.lockkit.BackendUnavailableException}
     * reports that (E2); a later release() then returns false.
     */
    @Override
    protected boolean doRelease() {
        lock.unwatch(this);
        synchronized (io) {
            if (!pinned) {
                return false;
            }
            pinned = false;
            try {
                boolean released = lock.release(session, name);
                lock.backend().pool().giveBack(session);
                return released;
            } catch (RuntimeException e) {
                // closing it ends the session and the lock with it
                lock.discard(session, MariaDbFailures.classify(e) == MariaDbFailures.Kind.CONNECTION);
                if (MariaDbFailures.serverEndedSession(e)) {
                    return false; // the server had ended the session (its wait_timeout, a kill, a restart): the lock
                    // with it
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
            lock.unwatch(this);
            lock.discard(session, broken);
        }
    }
}
