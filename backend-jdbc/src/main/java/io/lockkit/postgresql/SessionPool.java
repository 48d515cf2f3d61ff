package io.lockkit.postgresql;

import io.lockkit.BackendUnavailableException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Deque;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.postgresql.PGConnection;

/**
 * A small bounded pool of autocommit connections opened through the user's {@link Jdbi}; every
 * connection gets a network timeout, so no call waits longer than that for the server (E2). Session
 * leases keep their connection until released, which is why the pool is lockkit's own and bounded.
 * Thread-safe.
 */
final class SessionPool implements AutoCloseable {
    /** One operation on a connection. */
    @FunctionalInterface
    interface Op<T> {
        T apply(Handle handle);
    }

    private final Jdbi jdbi;
    private final int max;
    private final Semaphore permits;
    private final Deque<Session> idle = new ConcurrentLinkedDeque<>();
    private final long waitNanos;
    private final int networkTimeoutMillis;
    private volatile boolean closed;

    SessionPool(Jdbi jdbi, int max, Duration wait, Duration networkTimeout) {
        this.jdbi = jdbi;
        this.max = max;
        this.permits = new Semaphore(max, true);
        this.waitNanos = wait.toNanos();
        this.networkTimeoutMillis = (int) Math.min(Integer.MAX_VALUE, Math.max(1, networkTimeout.toMillis()));
    }

    /**
     * Runs {@code op} on a pooled connection. When the connection turns out to be broken and had been
     * idle in the pool (the server may have ended it meanwhile), runs it once more on a new one; so
     * {@code op} MUST be safe to repeat. Other errors pass through unchanged.
     *
     * @throws BackendUnavailableException when no working connection could be had (E2)
     */
    <T> T call(String what, Op<T> op) {
        Session session = borrow(what);
        try {
            return runOnce(session, op);
        } catch (RuntimeException e) {
            if (!Failures.isConnection(e) || !session.reused()) {
                throw Failures.isConnection(e) ? Failures.unavailable(what, e) : e;
            }
        }
        Session fresh = open(what);
        try {
            return runOnce(fresh, op);
        } catch (RuntimeException e) {
            throw Failures.isConnection(e) ? Failures.unavailable(what, e) : e;
        }
    }

    /** Runs {@code op}, then gives the connection back, or discards it when it broke. */
    <T> T runOnce(Session session, Op<T> op) {
        try {
            T result = op.apply(session.handle());
            giveBack(session);
            return result;
        } catch (RuntimeException e) {
            if (Failures.isConnection(e)) {
                discard(session);
            } else {
                giveBack(session);
            }
            throw e;
        }
    }

    /** An idle connection, or a new one while fewer than the maximum are open. */
    Session borrow(String what) {
        acquirePermit(what);
        Session session = idle.pollFirst();
        return session != null ? session : openPermitted(what);
    }

    /** A new connection, counted against the maximum (never an idle one). */
    Session open(String what) {
        acquirePermit(what);
        return openPermitted(what);
    }

    /** A connection outside the pool (for the notification listener), closed by its user. */
    Session openUnpooled(String what) {
        return connect(what);
    }

    void giveBack(Session session) {
        if (closed) {
            close(session);
        } else {
            idle.addFirst(session.asReused());
        }
        permits.release();
    }

    void discard(Session session) {
        close(session);
        permits.release();
    }

    @Override
    public void close() {
        closed = true;
        for (Session s; (s = idle.pollFirst()) != null; ) {
            close(s);
        }
    }

    static void close(Session session) {
        try {
            session.handle().close();
        } catch (RuntimeException e) {
            // Broken, or closed inside a transaction (Jdbi complains): make sure the socket goes.
            try {
                session.handle().getConnection().close();
            } catch (SQLException | RuntimeException ignored) {
                // nothing left to clean up
            }
        }
    }

    /**
     * Waits for a permit without reacting to interrupts, restoring the flag afterwards: an
     * interrupted thread must still be able to release its lease in a finally block (L8).
     */
    private void acquirePermit(String what) {
        if (closed) {
            throw new IllegalStateException("the PostgreSQL backend is closed");
        }
        boolean interrupted = Thread.interrupted();
        try {
            long until = System.nanoTime() + waitNanos;
            while (true) {
                try {
                    if (permits.tryAcquire(until - System.nanoTime(), TimeUnit.NANOSECONDS)) {
                        return;
                    }
                    throw new BackendUnavailableException(what + ": all " + max + " connections of this client are"
                            + " in use (session leases keep theirs until released); none came free within "
                            + Duration.ofNanos(waitNanos));
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private Session openPermitted(String what) {
        try {
            return connect(what);
        } catch (RuntimeException e) {
            permits.release();
            throw e;
        }
    }

    private Session connect(String what) {
        Handle handle;
        try {
            handle = jdbi.open();
        } catch (RuntimeException e) {
            throw Failures.unavailable(what + ": cannot connect", e);
        }
        try {
            Connection connection = handle.getConnection();
            connection.setNetworkTimeout(Runnable::run, networkTimeoutMillis);
            if (!connection.getAutoCommit()) {
                connection.setAutoCommit(true);
            }
            int pid = connection.unwrap(PGConnection.class).getBackendPID();
            long started =
                    handle.createQuery(Sql.SESSION_START).mapTo(Long.class).one();
            return new Session(handle, pid, started, false);
        } catch (SQLException | RuntimeException e) {
            close(new Session(handle, 0, 0, false));
            String why = what + ": cannot set up the connection";
            throw Failures.isConnection(e) ? Failures.unavailable(why, e) : Failures.unexpected(why, e);
        }
    }
}
