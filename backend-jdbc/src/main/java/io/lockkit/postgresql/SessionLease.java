package io.lockkit.postgresql;

import io.lockkit.jdbc.internal.Prepared;
import io.lockkit.jdbc.internal.Session;
import io.lockkit.spi.AbstractLease;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * A session lease: it lives as long as its pinned server session. Extend and release run on that
 * session, so they can only ever touch this lease (L3); a broken session means the lease is lost.
 * Thread-safe: I/O on the pinned connection happens under one monitor.
 */
final class SessionLease extends AbstractLease implements Watcher.Watched {
    private static final Prepared END_SESSION = Prepared.of(Sql.END_SESSION);

    private final SessionJobLock lock;
    private final Session session;
    private final Object io = new Object();
    private boolean pinned = true; // guarded by io
    /** The session a release lost its reply on: closed by the client, perhaps not yet ended by the server. */
    private @Nullable Session unconfirmed; // guarded by io

    SessionLease(
            SessionJobLock lock, Session session, String key, long token, long sent, Duration lease, Duration margin) {
        super(key, token, lock.backend.ticker(), sent, lease, margin, lock.leaseLimits());
        this.lock = lock;
        this.session = session;
    }

    /** The pinned session, for tests. */
    Session session() {
        return session;
    }

    @Override
    public int pid() {
        return session.pid();
    }

    @Override
    public long started() {
        return session.started();
    }

    @Override
    protected boolean doExtend(Duration lease) {
        synchronized (io) {
            if (!pinned) {
                return false;
            }
            try {
                lock.extend(session, lease);
                return true;
            } catch (RuntimeException e) {
                if (Failures.isConnection(e)) {
                    drop();
                    return false;
                }
                if (lock.failureEndsLease()) { // the failure aborted the transaction holding the lock
                    markLost();
                    drop();
                    return false;
                }
                throw Failures.unexpected("extend '" + key() + "'", e);
            }
        }
    }

    /**
     * Releases on the pinned session. False when the server had ended the session (the lease was
     * lost with it). When the reply is lost the session is closed (which ends the lock once the
     * server notices) and {@link io.lockkit.BackendUnavailableException} reports that the outcome is
     * not known yet; the retry then ends that server session, waiting until it is gone, so afterwards
     * the key is free (L3).
     */
    @Override
    protected boolean doRelease() {
        lock.backend.watcher().unwatch(this);
        synchronized (io) {
            if (!pinned) {
                return unconfirmed != null && endUnconfirmed();
            }
            pinned = false;
            try {
                boolean released = lock.release(session, key());
                lock.backend.pool().giveBack(session);
                return released;
            } catch (RuntimeException e) {
                lock.backend.pool().discard(session); // closing it ends the session and the lock with it
                if (Failures.serverEndedSession(e)) {
                    return false;
                }
                if (Failures.isConnection(e)) {
                    unconfirmed = session;
                    throw Failures.unavailable(
                            "release '" + key() + "': no reply; its session was closed, which ends the lock once the"
                                    + " server notices; release() again to wait for that",
                            e);
                }
                throw Failures.unexpected("release '" + key() + "'", e);
            }
        }
    }

    /** Ends the server session of a release that lost its reply; true once it is gone. Under {@link #io}. */
    private boolean endUnconfirmed() {
        Session lost = unconfirmed;
        if (lost == null || !lost.identified()) {
            return false; // behind a proxy: the server ends it when it notices the closed connection
        }
        long waitMillis = Math.max(1, lock.backend.pool().networkTimeoutMillis() / 2);
        Boolean ended;
        try {
            ended = lock.backend.pool().call("end the session of '" + key() + "'", h -> END_SESSION
                    .on(h)
                    .set("pid", lost.pid())
                    .set("started", lost.started())
                    .set("timeout_ms", waitMillis)
                    .optional(rs -> rs.getBoolean("ended"))
                    .orElse(true));
        } catch (RuntimeException e) {
            throw Failures.translate("release '" + key() + "'", e);
        }
        if (Boolean.TRUE.equals(ended)) {
            unconfirmed = null;
            return true;
        }
        return false;
    }

    /** The server ended the session (or the client is closing): the lease is lost (L5). */
    @Override
    public void sessionEnded() {
        markLost();
        synchronized (io) {
            drop();
        }
    }

    private void drop() {
        if (pinned) {
            pinned = false;
            lock.backend.watcher().unwatch(this);
            lock.backend.pool().discard(session);
        }
    }
}
