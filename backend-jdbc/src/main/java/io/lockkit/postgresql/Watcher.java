package io.lockkit.postgresql;

import java.lang.System.Logger.Level;
import java.lang.reflect.Field;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Handle;
import org.jspecify.annotations.Nullable;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.postgresql.core.BaseConnection;
import org.postgresql.core.PGStream;
import org.postgresql.core.QueryExecutor;
import org.postgresql.core.QueryExecutorBase;

/**
 * One background thread per client, on its own connection, started on first need: it {@code
 * LISTEN}s for releases and wakes one local waiter per release (L7), and every {@code checkEvery}
 * asks the server which sessions of this client's session leases still exist, so a holder whose
 * session was ended learns it without doing I/O in {@code isValid()} (L5). The check uses this
 * connection, never the lease's own, which would reset the lease's idle timer. When its connection
 * breaks it reconnects, and wakes every waiter once since a notification may have been missed.
 * Thread-safe.
 */
final class Watcher implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Watcher.class.getName());

    /** A session lease whose server session is watched. */
    interface Watched {
        int pid();

        /** When the session started ({@link Session#started()}): a reused pid is another session. */
        long started();

        /** The session is gone: the lease is lost. */
        void sessionEnded();
    }

    /** A server session, named by pid and start: a pid alone may since belong to another session. */
    private record LiveSession(int pid, long started) {}

    private final String name;
    private final SessionPool pool;
    private final String channel;
    private final Waiters waiters;
    private final Duration checkEvery;
    private final Duration reconnectEvery;
    private final Set<Watched> watched = ConcurrentHashMap.newKeySet();
    private final CountDownLatch firstConnect = new CountDownLatch(1);
    private @Nullable Thread thread;
    private volatile boolean closed;

    Watcher(
            String name,
            SessionPool pool,
            String channel,
            Waiters waiters,
            Duration checkEvery,
            Duration reconnectEvery) {
        this.name = name;
        this.pool = pool;
        this.channel = channel;
        this.waiters = waiters;
        this.checkEvery = checkEvery;
        this.reconnectEvery = reconnectEvery;
    }

    /** Starts listening if not yet, and waits up to {@code atMost} for the first connection attempt. */
    void startListening(long atMostNanos) throws InterruptedException {
        start();
        firstConnect.await(atMostNanos, TimeUnit.NANOSECONDS);
    }

    void watch(Watched lease) {
        watched.add(lease);
        start();
    }

    void unwatch(Watched lease) {
        watched.remove(lease);
    }

    /** The leases still watched, for {@link PostgresBackend#close()}. */
    List<Watched> watched() {
        return List.copyOf(watched);
    }

    @Override
    public void close() {
        closed = true;
        Thread t;
        synchronized (this) {
            t = thread;
        }
        if (t != null) {
            try {
                t.join(checkEvery.toMillis() * 4 + 1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private synchronized void start() {
        if (thread == null && !closed) {
            thread = new Thread(this::run, "lockkit-" + name + "-watcher");
            thread.setDaemon(true);
            thread.start();
        }
    }

    private void run() {
        boolean connectedBefore = false;
        while (!closed) {
            Session session = null;
            try {
                session = pool.openUnpooled("listen for releases");
                session.handle().execute("LISTEN " + channel);
                skipTrailingProbe(session.handle().getConnection());
                if (connectedBefore) {
                    waiters.wakeAll();
                }
                connectedBefore = true;
                firstConnect.countDown();
                listen(session.handle());
            } catch (RuntimeException | SQLException e) {
                firstConnect.countDown();
                if (!closed) {
                    LOG.log(Level.DEBUG, "lockkit " + name + " watcher lost its connection; reconnecting", e);
                    pause();
                }
            } finally {
                if (session != null) {
                    SessionPool.close(session);
                }
            }
        }
    }

    private void listen(Handle handle) throws SQLException {
        Connection connection = handle.getConnection();
        PGConnection pg = connection.unwrap(PGConnection.class);
        long every = checkEvery.toNanos();
        long nextCheck = System.nanoTime();
        while (!closed) {
            int waitMillis = (int) Math.max(1, (nextCheck - System.nanoTime()) / 1_000_000);
            PGNotification[] notifications = pg.getNotifications(waitMillis);
            if (notifications != null) {
                for (PGNotification n : notifications) {
                    waiters.released(n.getParameter());
                }
            }
            if (System.nanoTime() - nextCheck >= 0) {
                nextCheck = System.nanoTime() + every;
                if (!watched.isEmpty()) {
                    checkSessions(handle);
                }
            }
        }
    }

    /**
     * pgjdbc (42.7) ends every read of notifications with a probe for more: a read with a 1 ms
     * socket timeout, whose timing out does not arm the probe's own back-off ({@code
     * PGStream.hasMessagePending}; pgjdbc/pgjdbc#1547 is about the same back-off). So every
     * notification reached this thread at least 1 ms late: a raw {@code NOTIFY} reached a pgjdbc
     * listener in 1.9 ms here, 0.75 ms without the probe, and a C (libpq) listener in 0.4 ms. This
     * connection only waits for notifications, and bytes already received are still read (the
     * probe's first check, on the buffer), so the probe is switched off: its next-check time is
     * pushed past any clock. Best effort: with a driver that has changed, the listener works as
     * before, only slower. Returns whether it took effect.
     */
    static boolean skipTrailingProbe(Connection connection) {
        try {
            QueryExecutor executor = connection.unwrap(BaseConnection.class).getQueryExecutor();
            Field stream = QueryExecutorBase.class.getDeclaredField("pgStream");
            stream.setAccessible(true);
            Field nextCheck = PGStream.class.getDeclaredField("nextStreamAvailableCheckTime");
            nextCheck.setAccessible(true);
            nextCheck.setLong(stream.get(executor), Long.MAX_VALUE);
            return true;
        } catch (ReflectiveOperationException | SQLException | RuntimeException e) {
            LOG.log(Level.DEBUG, "lockkit: pgjdbc's notification probe stays on (slower wake-ups)", e);
            return false;
        }
    }

    /** L5: a lease whose session (pid and start) no longer exists is lost, even if its pid was reused. */
    private void checkSessions(Handle handle) {
        List<Watched> leases = List.copyOf(watched);
        Set<LiveSession> live = new HashSet<>(handle.createQuery(Sql.LIVE_SESSIONS)
                .bindArray(
                        "pids", Integer.class, leases.stream().map(Watched::pid).toList())
                .map((rs, ctx) -> new LiveSession(rs.getInt("pid"), rs.getLong("started")))
                .list());
        for (Watched lease : leases) {
            if (!live.contains(new LiveSession(lease.pid(), lease.started()))) {
                watched.remove(lease);
                lease.sessionEnded();
            }
        }
    }

    private void pause() {
        try {
            Thread.sleep(reconnectEvery.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closed = true;
        }
    }
}
