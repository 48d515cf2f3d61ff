package io.lockkit.postgresql;

import io.lockkit.jdbc.internal.Prepared;
import io.lockkit.jdbc.internal.Session;
import io.lockkit.jdbc.internal.SessionPool;
import io.lockkit.jdbc.internal.Waiters;
import java.lang.System.Logger.Level;
import java.lang.reflect.Field;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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
 *
 * <p>Wait markers ({@link Sql#ADVISORY_RELEASE}, {@link Sql#TABLE_RELEASE}, {@link
 * Sql#ROWLOCK_RELEASE}): this session also holds,
 * shared, the wait marker of every key some local thread waits for, so that releases of those keys
 * notify and releases nobody waits for do not. A waiter asks for its key's marker ({@link #mark})
 * before its last try; this thread takes it ({@link #reconcile}), confirms it, and lets it go once
 * no local thread wants it. The rules that keep a waiter from missing a release (L7): a marker is
 * dropped only when, under this object's lock, nobody wants it, and a waiter that finds it held
 * (under the same lock) is counted as wanting it first, so a held marker stays held while any
 * waiter relies on it; a marker taken after its waiter stopped waiting for the confirmation wakes
 * that waiter, which tries again; a new session holds no marker, and takes the wanted ones before
 * it wakes every waiter. Thread-safe.
 */
final class Watcher implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Watcher.class.getName());
    private static final Prepared MARK = Prepared.of(Sql.MARK_WAITING);
    private static final Prepared UNMARK = Prepared.of(Sql.UNMARK_WAITING);
    private static final Prepared WAKE = Prepared.of(Sql.WAKE_LISTENER);

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
    /** This client's own channel: a waiter's {@link #mark} wakes this thread on it. */
    private final String wakeChannel =
            "lockkit_wake_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    /** Marker → the payloads of the local waiters that want it, one entry per waiter (guarded by this). */
    private final Map<Integer, List<String>> wanted = new HashMap<>();
    /** The markers the listening session holds (guarded by this; written by this thread only). */
    private final Set<Integer> held = new HashSet<>();
    /** Confirmations owed to waiters for markers not held yet (guarded by this). */
    private final Map<Integer, CompletableFuture<Void>> owed = new HashMap<>();
    /** Markers a waiter stopped waiting for before they were held: their waiters are woken once taken (guarded by this). */
    private final Set<Integer> late = new HashSet<>();
    /** A test's hook between deciding which markers to drop and dropping them; nothing in production. */
    volatile Runnable beforeUnmark = () -> {};

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

    /**
     * Has the listening session hold {@code marker} for one more local waiter, of {@code payload},
     * and returns true once it does, or false after {@code atMostNanos} (the listener wakes that
     * waiter when it takes the marker later; until then the waiter relies on its fallback wait, as
     * while the listener reconnects). Every call is matched by one {@link #unmark}.
     */
    boolean mark(int marker, String payload, long atMostNanos) throws InterruptedException {
        CompletableFuture<Void> confirmed;
        synchronized (this) {
            wanted.computeIfAbsent(marker, m -> new ArrayList<>()).add(payload);
            if (held.contains(marker)) {
                return true; // held, and it stays held while this waiter wants it
            }
            confirmed = owed.computeIfAbsent(marker, m -> new CompletableFuture<>());
        }
        try {
            pool.call(
                    "wake the listener",
                    h -> WAKE.on(h).set("channel", wakeChannel).one(rs -> rs.getString("woken")));
        } catch (RuntimeException e) {
            LOG.log(
                    Level.DEBUG,
                    "lockkit " + name + ": could not wake the listener; it takes the marker on its next pass",
                    e);
        }
        try {
            confirmed.get(atMostNanos, TimeUnit.NANOSECONDS);
            return true;
        } catch (ExecutionException | TimeoutException e) {
            synchronized (this) {
                if (!held.contains(marker)) {
                    late.add(marker);
                    return false;
                }
            }
            return true;
        }
    }

    /** One local waiter of {@code payload} less for {@code marker}; the listener lets it go on its next pass. */
    synchronized void unmark(int marker, String payload) {
        List<String> payloads = wanted.get(marker);
        if (payloads != null) {
            payloads.remove(payload);
            if (payloads.isEmpty()) {
                wanted.remove(marker);
                owed.remove(marker); // nobody waits on it: whoever asked is past mark()
                late.remove(marker);
            }
        }
    }

    /** Whether the listening session holds {@code marker} now, for tests. */
    synchronized boolean holds(int marker) {
        return held.contains(marker);
    }

    /**
     * On the listening session: takes the markers wanted and not held, confirms them and wakes the
     * waiters that stopped waiting for them; then lets go of those held and no longer wanted. Returns
     * whether a marker could not be taken yet (a release held it for its statement): then the next
     * pass comes soon.
     */
    private boolean reconcile(Handle handle) {
        List<Integer> take;
        synchronized (this) {
            take = new ArrayList<>(wanted.keySet());
            take.removeAll(held);
        }
        boolean pending = false;
        for (Integer marker : take) {
            boolean got = Boolean.TRUE.equals(MARK.on(handle)
                    .set("marker_class", KeyCodec.WAIT_MARKER_CLASS)
                    .set("marker", marker)
                    .one(rs -> rs.getBoolean("marked")));
            if (!got) {
                pending = true;
                continue;
            }
            List<String> wake = List.of();
            synchronized (this) {
                held.add(marker);
                CompletableFuture<Void> confirmation = owed.remove(marker);
                if (confirmation != null) {
                    confirmation.complete(null);
                }
                if (late.remove(marker) && wanted.containsKey(marker)) {
                    wake = List.copyOf(wanted.get(marker));
                }
            }
            wake.forEach(waiters::released); // they tried before the marker was held: again now
        }
        List<Integer> drop;
        synchronized (this) {
            drop = new ArrayList<>(held);
            drop.removeAll(wanted.keySet());
        }
        if (drop.isEmpty()) {
            return pending;
        }
        beforeUnmark.run();
        for (Integer marker : drop) {
            synchronized (this) {
                if (wanted.containsKey(marker)) {
                    continue; // wanted again meanwhile: whoever asked counts on it being held
                }
                held.remove(marker);
            }
            UNMARK.on(handle)
                    .set("marker_class", KeyCodec.WAIT_MARKER_CLASS)
                    .set("marker", marker)
                    .one(rs -> rs.getBoolean("unmarked"));
        }
        return pending;
    }

    /**
     * Watches {@code lease} (L5). A lease whose grant came back after the client closed (its reply was
     * on its way) is ended at once, as {@link PostgresBackend#close()} ended the others: nobody would
     * watch it, and its pinned connection would hold the lock past the close.
     */
    void watch(Watched lease) {
        watched.add(lease);
        if (closed) { // set before PostgresBackend.close() looks at the watched leases: none is missed
            lease.sessionEnded();
            return;
        }
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
            boolean broken = false;
            try {
                session = pool.openUnpooled("listen for releases");
                session.handle().execute("LISTEN " + channel);
                session.handle().execute("LISTEN " + wakeChannel);
                skipTrailingProbe(session.handle().getConnection());
                synchronized (this) {
                    held.clear(); // a new session holds no marker
                }
                reconcile(session.handle()); // the markers waiters want, before they try again
                if (connectedBefore) {
                    waiters.wakeAll();
                }
                connectedBefore = true;
                firstConnect.countDown();
                listen(session.handle());
            } catch (RuntimeException | SQLException e) {
                broken = Failures.isConnection(e);
                firstConnect.countDown();
                if (!closed) {
                    LOG.log(Level.DEBUG, "lockkit " + name + " watcher lost its connection; reconnecting", e);
                    pause();
                }
            } finally {
                if (session != null) {
                    letGoOfMarkers(session, broken);
                    SessionPool.close(session);
                }
            }
        }
    }

    /** Best effort: a session a pool of the application takes back holds no wait marker. */
    private void letGoOfMarkers(Session session, boolean broken) {
        synchronized (this) {
            held.clear();
        }
        if (broken) {
            return; // its locks go with it; asking could wait out the network timeout
        }
        try {
            session.handle().createQuery(Sql.UNMARK_ALL).mapTo(String.class).one();
        } catch (RuntimeException e) {
            // a broken session: its locks went with it
        }
    }

    private void listen(Handle handle) throws SQLException {
        Connection connection = handle.getConnection();
        PGConnection pg = connection.unwrap(PGConnection.class);
        long every = checkEvery.toNanos();
        long nextCheck = System.nanoTime();
        boolean pending = false;
        while (!closed) {
            int waitMillis = pending ? 1 : (int) Math.max(1, (nextCheck - System.nanoTime()) / 1_000_000);
            PGNotification[] notifications = pg.getNotifications(waitMillis);
            if (notifications != null) {
                for (PGNotification n : notifications) {
                    if (!wakeChannel.equals(n.getName())) {
                        waiters.released(n.getParameter());
                    }
                }
            }
            pending = reconcile(handle);
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
