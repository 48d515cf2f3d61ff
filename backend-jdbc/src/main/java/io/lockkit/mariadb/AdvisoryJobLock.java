package io.lockkit.mariadb;

import io.lockkit.JobLock;
import io.lockkit.Lease;
import io.lockkit.LeaseLimits;
import io.lockkit.jdbc.internal.Acquiring;
import io.lockkit.jdbc.internal.KeyBytes;
import io.lockkit.jdbc.internal.Prepared;
import io.lockkit.jdbc.internal.Session;
import io.lockkit.spi.Checks;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
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
 * The advisory variant: MariaDB's user-level locks ({@code GET_LOCK}) on a session pinned to the
 * lease, whose {@code wait_timeout} (whole seconds, the lease rounded up) makes the server end the
 * session, and the lock with it, when the holder falls silent (L4). A waiting acquire blocks in the
 * server's {@code GET_LOCK(name, wait)}, which returns as soon as the holder releases or its session
 * ends (L7), in slices of at most {@link MariaDbBackend.Builder#pollInterval} (and half the network
 * timeout) so that an interrupt is seen between two slices (L8). The client checks every {@link
 * #SESSION_CHECK} that its lease sessions still exist ({@code information_schema.PROCESSLIST}, from
 * a pooled connection, never the lease's own, whose idle timer must keep running), so a holder whose
 * session the server ended sees {@code isValid()} false and its {@code onLost} listeners called
 * (L5). Thread-safe.
 */
final class AdvisoryJobLock implements JobLock {
    /** {@code wait_timeout} counts whole seconds: no shorter lease can be kept by the server. */
    static final Duration SHORTEST = Duration.ofSeconds(1);
    /** {@code wait_timeout}'s maximum on Linux is 31536000 s, 365 days. */
    static final Duration LONGEST = LeaseLimits.MAX;
    /** How often the lease sessions are looked for on the server. */
    static final Duration SESSION_CHECK = Duration.ofMillis(100);
    /** The prefix of every lock name lockkit takes (names are at most 64 characters). */
    static final String NAME_PREFIX = "lockkit:";

    private static final Prepared SET_TIMEOUT = Prepared.of("SET SESSION wait_timeout = :seconds");

    private final MariaDbBackend backend;
    private final LeaseLimits limits;
    private final Prepared acquireSql;
    private final Prepared heldSql;
    private final Prepared releaseSql;
    /** The {@code wait_timeout} each session of the pool was last set to by this client (absent: the server's default). */
    private final Map<Handle, Integer> timeouts = Collections.synchronizedMap(new WeakHashMap<>());

    private final Set<AdvisoryLease> watched = ConcurrentHashMap.newKeySet();
    private final Object watcherLock = new Object();
    private @Nullable ScheduledExecutorService watcher; // guarded by watcherLock
    private boolean closed; // guarded by watcherLock

    AdvisoryJobLock(MariaDbBackend backend) {
        this.backend = backend;
        Duration twice = backend.driftMargin().multipliedBy(2);
        this.limits = new LeaseLimits(twice.compareTo(SHORTEST) > 0 ? twice : SHORTEST, LONGEST);
        this.acquireSql = backend.statement(MariaDbSql.ADVISORY_ACQUIRE);
        this.heldSql = backend.statement(MariaDbSql.ADVISORY_HELD);
        this.releaseSql = backend.statement(MariaDbSql.ADVISORY_RELEASE);
    }

    @Override
    public LeaseLimits leaseLimits() {
        return limits;
    }

    MariaDbBackend backend() {
        return backend;
    }

    @Override
    public Optional<Lease> tryAcquire(String key, Duration lease) {
        check(key, lease);
        return Optional.ofNullable(attempt(key, lease, 0));
    }

    @Override
    public Optional<Lease> acquire(String key, Duration lease, Duration maxWait) throws InterruptedException {
        check(key, lease);
        Checks.maxWait(maxWait);
        if (maxWait.isZero()) {
            return tryAcquire(key, lease);
        }
        long waitNanos = Acquiring.saturatedNanos(maxWait);
        long start = System.nanoTime();
        long slice = Math.max(
                1, Math.min(backend.pollInterval().toMillis(), backend.pool().networkTimeoutMillis() / 2));
        try {
            while (true) {
                Acquiring.throwIfInterrupted();
                long leftMillis = TimeUnit.NANOSECONDS.toMillis(waitNanos - (System.nanoTime() - start));
                Lease granted = attempt(key, lease, Math.max(0, Math.min(leftMillis, slice)));
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

    /**
     * One {@code GET_LOCK} on a lease session, waiting up to {@code waitMillis} in the server; null
     * when not granted (L6). A session that was idle in the pool and turns out to be gone (the server
     * ended it) is replaced once.
     */
    private @Nullable Lease attempt(String key, Duration lease, long waitMillis) {
        String what = "acquire '" + key + "'";
        Session session = backend.pool().borrow(what, true);
        try {
            return attemptOn(session, key, lease, waitMillis);
        } catch (RuntimeException e) {
            if (!session.reused() || !MariaDbFailures.serverEndedSession(e)) {
                // A lost reply (a timeout) may have left the lock taken on the closed session until the
                // server notices: reported as unavailable, never as "held" (E2).
                throw MariaDbFailures.translate(what, e);
            }
        }
        // The idle connection had been ended by the server (its wait_timeout may be a lease's): the
        // server closed it before reading the statement, so nothing was applied; once more on a new one.
        Session fresh = backend.pool().open(what, true);
        try {
            return attemptOn(fresh, key, lease, waitMillis);
        } catch (RuntimeException e) {
            throw MariaDbFailures.translate(what, e);
        }
    }

    /** Pins {@code session} to the granted lease, or gives it back; any failure closes it (which frees a lock it may hold). */
    private @Nullable Lease attemptOn(Session session, String key, Duration lease, long waitMillis) {
        String name = lockName(key);
        long sent;
        Long token;
        try {
            timeout(session, seconds(lease));
            sent = backend.ticker().nanos();
            token = acquireSql
                    .on(session.handle())
                    .set("row", rowKey(name))
                    .set("name", name)
                    .set("wait_ms", waitMillis)
                    .optional(rs -> rs.getLong("token"))
                    .orElse(null);
        } catch (RuntimeException e) {
            // The statement may have taken the lock before it failed (or its reply was lost): closing
            // the session is the one way to be sure it holds nothing (E2).
            discard(session, MariaDbFailures.classify(e) == MariaDbFailures.Kind.CONNECTION);
            if (MariaDbFailures.classify(e) == MariaDbFailures.Kind.LOST_RACE) {
                return null;
            }
            throw e;
        }
        if (token == null) {
            backend.pool().giveBack(session);
            return null;
        }
        AdvisoryLease granted = new AdvisoryLease(
                this, session, key, name, token, sent, lease, Acquiring.margin(backend.driftMargin(), lease));
        watch(granted);
        return granted;
    }

    /**
     * Closes {@code session}, which ends it and every lock it holds when the connection is the
     * server's own. When the DataSource is a pool, closing hands the physical connection back to it
     * alive, GET_LOCKs and all: so a session that still answers first gives up its locks and its
     * lease's {@code wait_timeout} (best effort, bounded by the network timeout). A broken one
     * ({@code broken}) is not asked: its pool drops it, and the server ends it.
     */
    void discard(Session session, boolean broken) {
        timeouts.remove(session.handle());
        if (!broken) {
            try {
                session.handle()
                        .createQuery("SELECT RELEASE_ALL_LOCKS()")
                        .mapTo(Long.class)
                        .one();
                session.handle().execute("SET SESSION wait_timeout = DEFAULT");
            } catch (RuntimeException ignored) {
                // closing it below is all that is left
            }
        }
        backend.pool().discard(session);
    }

    /** Sets the session's {@code wait_timeout} when it is not {@code seconds} already: one round trip, or none. */
    private void timeout(Session session, int seconds) {
        Integer now = timeouts.get(session.handle());
        if (now != null && now == seconds) {
            return;
        }
        timeouts.remove(session.handle());
        SET_TIMEOUT.on(session.handle()).set("seconds", seconds).update();
        timeouts.put(session.handle(), seconds);
    }

    /** The lease in whole seconds, rounded up: the server keeps the session at least that long after its last reply. */
    static int seconds(Duration lease) {
        long s = lease.getSeconds() + (lease.getNano() > 0 ? 1 : 0);
        return (int) Math.min(Integer.MAX_VALUE, Math.max(1, s));
    }

    /** Extend: the new {@code wait_timeout} when it changes, then whether this session still holds the lock. */
    boolean extend(Session session, String name, Duration lease) {
        timeout(session, seconds(lease));
        Boolean held = heldSql.on(session.handle()).set("name", name).one(rs -> {
            boolean value = rs.getBoolean("held");
            return !rs.wasNull() && value;
        });
        return Boolean.TRUE.equals(held);
    }

    /** Release on the lease's session: true when it held the lock and freed it. */
    boolean release(Session session, String name) {
        Long released = releaseSql.on(session.handle()).set("name", name).one(rs -> {
            long value = rs.getLong("released");
            return rs.wasNull() ? null : value;
        });
        return released != null && released == 1;
    }

    /**
     * The lock name of {@code key}: {@code lockkit:} and the URL-safe Base64 of SHA-256 over the token
     * sequence's name as configured, a zero byte and the key's bytes (51 characters; MariaDB allows
     * 64). User-level locks are server-wide, not per database: the sequence's name keeps the clients
     * of different lockkit stores on one server apart (when they name their sequences apart), and
     * clients that share tokens share locks. Two names colliding would make two keys exclude each
     * other (a false "held"), never let two hold one key.
     */
    String lockName(String key) {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        sha.update(backend.tokenSequenceName().getBytes(StandardCharsets.UTF_8));
        sha.update((byte) 0);
        sha.update(KeyBytes.bytes(key));
        return NAME_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(sha.digest());
    }

    /**
     * The grant row's key: {@code 0xFF} (never a byte of a UTF-8 key, so no key of the lock table
     * variant is ever this row) and the lock name's ASCII, so that {@code IS_USED_LOCK(SUBSTRING(lock_key,
     * 2))} names the session that holds it.
     */
    static byte[] rowKey(String name) {
        byte[] ascii = name.getBytes(StandardCharsets.US_ASCII);
        byte[] row = new byte[ascii.length + 1];
        row[0] = (byte) 0xFF;
        System.arraycopy(ascii, 0, row, 1, ascii.length);
        return row;
    }

    // ---- watching the lease sessions (L5) ----

    private void watch(AdvisoryLease lease) {
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

    void unwatch(AdvisoryLease lease) {
        watched.remove(lease);
    }

    /**
     * Ends every watched lease whose session is gone: not in the server's list of sessions, or from
     * an earlier start of the server (which reuses connection ids). When the server cannot be asked,
     * nothing is decided (the leases' deadlines still bound them).
     */
    private void checkSessions() {
        List<AdvisoryLease> now = new ArrayList<>(watched);
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
        for (AdvisoryLease lease : now) {
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
        for (AdvisoryLease lease : new ArrayList<>(watched)) {
            lease.sessionEnded();
        }
    }

    /** E1, before anything is sent: the key, and the lease against {@link #leaseLimits()}. */
    private void check(String key, Duration lease) {
        Checks.key(key);
        limits.check(lease);
    }
}
