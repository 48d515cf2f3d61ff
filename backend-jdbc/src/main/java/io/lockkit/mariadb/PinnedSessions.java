package io.lockkit.mariadb;

import io.lockkit.Lease;
import io.lockkit.LeaseLimits;
import io.lockkit.jdbc.internal.Acquiring;
import io.lockkit.jdbc.internal.Prepared;
import io.lockkit.jdbc.internal.Session;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Handle;
import org.jspecify.annotations.Nullable;

/**
 * What the session variants (advisory and rowlock) share: each lease pins one connection of the
 * client's pool, from its budget of lease sessions (so statements always have one left), and the
 * server ends that session, and the lock with it, after an idle timeout of the lease rounded up to
 * whole seconds (L4). The timeout is set on a connection only when it changes ({@link #timeout}), so
 * a warm acquire costs no round trip for it. Every {@link #SESSION_CHECK} the client looks for its
 * lease sessions in {@code information_schema.PROCESSLIST} (from a pooled connection, never the
 * lease's own, whose idle timer must keep running), so a holder whose session the server ended sees
 * {@code isValid()} false and its {@code onLost} listeners called (L5). A session given up while it
 * may hold a lock is first cleaned (its locks freed, its settings reset), best effort, then closed
 * (E2); when the client closes, its idle connections that served a lease get their settings back
 * ({@link #reset}). Thread-safe.
 */
final class PinnedSessions {
    /** What a variant does on a lease's pinned session (I/O on it is serialised by the lease). */
    interface Locking {
        /** Keeps the lock for {@code lease} from now; false when the session no longer holds it. */
        boolean extend(Session session, String name, Duration lease);

        /** Ends the lease; true when the session held the lock and freed it. */
        boolean release(Session session, String name);
    }

    /**
     * One acquire attempt on a lease session, which it pins to the lease, gives back or discards; an
     * attempt of a waiting acquire that needs another connection waits for it reacting to interrupts.
     */
    @FunctionalInterface
    interface Attempt {
        @Nullable
        Lease on(Session session) throws InterruptedException;
    }

    /**
     * One attempt on a lease session that may wait up to {@code waitMillis} in the server (0: none),
     * of an acquire that may wait until {@code deadline} ({@link System#nanoTime()}) in all: a variant
     * that needs another connection of the client (the row lock's flush) waits for it until then,
     * reacting to interrupts, and is not granted (null) when none came.
     */
    @FunctionalInterface
    interface Slice {
        @Nullable
        Lease on(Session session, long waitMillis, long deadline) throws InterruptedException;
    }

    /** The idle timeouts count whole seconds: no shorter lease can be kept by the server. */
    static final Duration SHORTEST = Duration.ofSeconds(1);
    /** The idle timeouts' maximum on Linux is 31536000 s, 365 days. */
    static final Duration LONGEST = LeaseLimits.MAX;
    /** How often the lease sessions are looked for on the server. */
    static final Duration SESSION_CHECK = Duration.ofMillis(100);

    private final MariaDbBackend backend;
    private final Locking locking;
    private final LeaseLimits limits;
    private final Prepared setTimeout;
    private final List<String> free;
    private final List<String> reset;
    /** The timeout each connection of the pool was last set to by this client (absent: the server's default). */
    private final Map<Handle, Integer> timeouts = Collections.synchronizedMap(new WeakHashMap<>());

    private final Set<PinnedLease> watched = ConcurrentHashMap.newKeySet();
    private final Object watcherLock = new Object();
    private @Nullable ScheduledExecutorService watcher; // guarded by watcherLock
    private boolean closed; // guarded by watcherLock

    /**
     * @param timeoutVariables the session variables that end an idle session, all set to the same
     *     value in one statement ({@code wait_timeout}; {@code idle_transaction_timeout} with its
     *     read-only and write forms, which take precedence over it where the server has them set)
     * @param free what frees every lock of a session, sent before a session that may hold one is closed
     * @param reset what puts back the settings a lease session was given, sent before a session of
     *     a lease is closed (a pooled DataSource hands the connection out again alive)
     */
    PinnedSessions(
            MariaDbBackend backend,
            Locking locking,
            List<String> timeoutVariables,
            List<String> free,
            List<String> reset) {
        this.backend = backend;
        this.locking = locking;
        Duration twice = backend.driftMargin().multipliedBy(2);
        this.limits = new LeaseLimits(twice.compareTo(SHORTEST) > 0 ? twice : SHORTEST, LONGEST);
        this.setTimeout = Prepared.of("SET SESSION "
                + String.join(
                        ", ",
                        timeoutVariables.stream().map(v -> v + " = :seconds").toList()));
        this.free = List.copyOf(free);
        this.reset = List.copyOf(reset);
    }

    MariaDbBackend backend() {
        return backend;
    }

    Locking locking() {
        return locking;
    }

    LeaseLimits limits() {
        return limits;
    }

    /**
     * Runs {@code attempt} on a lease session. A session that was idle in the pool and turns out to
     * be gone (the server ended it) is replaced once: the server closed it before reading the
     * statement, so nothing was applied.
     */
    @Nullable
    Lease attempt(String what, Attempt attempt) {
        try {
            return attempt(what, backend.pool().borrow(what, true), null, attempt);
        } catch (InterruptedException e) {
            throw new AssertionError("a try waits deaf to interrupts", e);
        }
    }

    /**
     * {@link #attempt(String, Attempt)} on {@code session}, a lease session already lent; a waiting
     * acquire waits for a replacement until {@code deadline} reacting to interrupts (null: none).
     */
    private @Nullable Lease attempt(String what, Session session, @Nullable Long deadline, Attempt attempt)
            throws InterruptedException {
        try {
            return attempt.on(session);
        } catch (RuntimeException e) {
            if (!session.reused() || !MariaDbFailures.serverEndedSession(e)) {
                // A lost reply (a timeout) may have left the lock taken on the closed session until the
                // server notices: reported as unavailable, never as "held" (E2).
                throw MariaDbFailures.translate(what, e);
            }
        }
        Session fresh = backend.pool().openBy(what, true, deadline);
        if (fresh == null) {
            return null; // the acquire's wait ran out
        }
        try {
            return attempt.on(fresh);
        } catch (RuntimeException e) {
            throw MariaDbFailures.translate(what, e);
        }
    }

    /**
     * A waiting acquire: attempts that each wait in the server (where the holder's release wakes
     * them, L7) for at most {@link MariaDbBackend.Builder#pollInterval} and half the network timeout,
     * so that an interrupt is seen between two of them (L8), until one is granted or {@code maxWait}
     * has passed. Each waits for a lease session of this client within what is left of {@code
     * maxWait}, reacting to interrupts (L7, L8).
     */
    Optional<Lease> acquire(String what, Duration maxWait, Slice slice) throws InterruptedException {
        long waitNanos = Acquiring.saturatedNanos(maxWait);
        long start = System.nanoTime();
        long deadline = start + waitNanos; // compared by difference only: no overflow for a saturated wait
        long most = Math.max(
                1, Math.min(backend.pollInterval().toMillis(), backend.pool().networkTimeoutMillis() / 2));
        try {
            while (true) {
                Acquiring.throwIfInterrupted();
                long left = waitNanos - (System.nanoTime() - start);
                long waitMillis = Math.max(0, Math.min(TimeUnit.NANOSECONDS.toMillis(left), most));
                Session session = backend.pool().borrowLease(what, left);
                Lease granted = session == null
                        ? null
                        : attempt(what, session, deadline, s -> slice.on(s, waitMillis, deadline));
                if (granted != null) {
                    return Optional.of(Acquiring.keepUnlessInterrupted(granted));
                }
                if (waitNanos - (System.nanoTime() - start) <= 0) {
                    return Optional.empty();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // L8: the flag stays set for the caller
            throw e;
        }
    }

    /** Pins {@code session} to a granted lease and watches it (L5). */
    Lease pin(Session session, String key, String name, long token, long sent, Duration lease) {
        PinnedLease granted = new PinnedLease(this, session, key, name, token, sent, lease);
        watch(granted);
        return granted;
    }

    /**
     * Closes {@code session}, which ends it and every lock it holds when the connection is the
     * server's own. When the DataSource is a pool, closing hands the physical connection back to it
     * alive, locks and all: so a session that still answers is first sent {@code free} and {@code
     * reset} (best effort, bounded by the network timeout). A broken one ({@code broken}) is not
     * asked: its pool drops it, and the server ends it.
     */
    void discard(Session session, boolean broken) {
        timeouts.remove(session.handle());
        if (!broken) {
            try {
                send(session.handle(), free);
                send(session.handle(), reset);
            } catch (RuntimeException ignored) {
                // closing it below is all that is left
            }
        }
        backend.pool().discard(session);
    }

    /**
     * Before the client's pool closes an idle connection: its lease settings go back ({@code reset}),
     * when a lease gave it any (the pool's {@code close(reset)}).
     */
    @Nullable
    Void reset(Handle handle) {
        if (timeouts.remove(handle) != null) {
            send(handle, reset);
        }
        return null;
    }

    private static void send(Handle handle, List<String> statements) {
        try (Statement s = handle.getConnection().createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
        } catch (java.sql.SQLException e) {
            throw new org.jdbi.v3.core.ConnectionException(e);
        }
    }

    /** Sets the session's idle timeout when it is not {@code seconds} already: one round trip, or none. */
    void timeout(Session session, int seconds) {
        Integer now = timeouts.get(session.handle());
        if (now != null && now == seconds) {
            return;
        }
        timeouts.remove(session.handle());
        setTimeout.on(session.handle()).set("seconds", seconds).update();
        timeouts.put(session.handle(), seconds);
    }

    /** The lease in whole seconds, rounded up: the server keeps the session at least that long after its last reply. */
    static int seconds(Duration lease) {
        long s = lease.getSeconds() + (lease.getNano() > 0 ? 1 : 0);
        return (int) Math.min(Integer.MAX_VALUE, Math.max(1, s));
    }

    // ---- watching the lease sessions (L5) ----

    private void watch(PinnedLease lease) {
        watched.add(lease);
        synchronized (watcherLock) {
            if (closed) {
                lease.sessionEnded();
                return;
            }
            if (watcher == null) {
                watcher = Executors.newSingleThreadScheduledExecutor(r -> {
                    Thread t = new Thread(r, "lockkit-mariadb-session-check");
                    t.setDaemon(true);
                    return t;
                });
                long every = SESSION_CHECK.toMillis();
                watcher.scheduleWithFixedDelay(this::checkSessions, every, every, TimeUnit.MILLISECONDS);
            }
        }
    }

    void unwatch(PinnedLease lease) {
        watched.remove(lease);
    }

    /**
     * Ends every watched lease whose session is gone: not in the server's list of sessions, or from
     * an earlier start of the server (which reuses connection ids). When the server cannot be asked,
     * nothing is decided (the leases' deadlines still bound them).
     */
    private void checkSessions() {
        List<PinnedLease> now = new ArrayList<>(watched);
        if (now.isEmpty()) {
            return;
        }
        String ids = now.stream()
                .map(l -> Long.toString(Integer.toUnsignedLong(l.session().pid())))
                .distinct()
                .collect(Collectors.joining(","));
        record Alive(Set<Long> ids, long started) {}
        Alive alive;
        try {
            Prepared check = backend.statement(MariaDbSql.SESSIONS_ALIVE.replace("{ids}", ids));
            alive = backend.pool()
                    .call("check the lease sessions", h -> check.on(h).one(rs -> {
                        Set<Long> found = new HashSet<>();
                        String list = rs.getString("alive");
                        if (list != null && !list.isEmpty()) {
                            for (String id : list.split(",")) {
                                found.add(Long.parseLong(id));
                            }
                        }
                        return new Alive(found, rs.getLong("started"));
                    }));
        } catch (RuntimeException e) {
            return;
        }
        for (PinnedLease lease : now) {
            Session s = lease.session();
            boolean sameServer = !s.identified() || Math.abs(s.started() - alive.started()) <= 1;
            if (!sameServer || !alive.ids().contains(Integer.toUnsignedLong(s.pid()))) {
                lease.sessionEnded();
            }
        }
    }

    /** The client is closing: its lease sessions are closed, which frees their locks; the leases are lost. */
    void close() {
        ScheduledExecutorService w;
        synchronized (watcherLock) {
            closed = true;
            w = watcher;
            watcher = null;
        }
        if (w != null) {
            w.shutdownNow();
        }
        for (PinnedLease lease : new ArrayList<>(watched)) {
            lease.sessionEnded();
        }
    }
}
