package io.lockkit.postgresql;

import io.lockkit.spi.AbstractLease;
import java.time.Duration;

/**
 * A session lease: it lives as long as its pinned server session. Extend and release run on that
 * session, so they can only ever touch this lease (L3); a broken session means the lease is lost.
 * Thread-safe: I/O on the pinned connection happens under one monitor.
 */
final class SessionLease extends AbstractLease implements Watcher.Watched {
    private final SessionJobLock lock;
    private final Session session;
    private final Object io = new Object();
    private boolean pinned = true; // guarded by io

    SessionLease(
            SessionJobLock lock, Session session, String key, long token, long sent, Duration lease, Duration margin) {
        super(key, token, lock.backend.ticker(), sent, lease, margin);
        this.lock = lock;
        this.session = session;
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
        lock.checkLease(lease); // E1: a rejected call must leave the lease usable
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
                throw Failures.unexpected("extend '" + key() + "'", e);
            }
        }
    }

    @Override
    protected boolean doRelease() {
        lock.backend.watcher().unwatch(this);
        synchronized (io) {
            if (!pinned) {
                return false;
            }
            pinned = false;
            try {
                boolean released = lock.release(session, key());
                lock.backend.pool().giveBack(session);
                return released;
            } catch (RuntimeException e) {
                lock.backend.pool().discard(session); // closing it ends the session and the lock with it
                if (Failures.isConnection(e)) {
                    return false;
                }
                throw Failures.unexpected("release '" + key() + "'", e);
            }
        }
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
