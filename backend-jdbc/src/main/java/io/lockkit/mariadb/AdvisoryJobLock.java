package io.lockkit.mariadb;

import io.lockkit.JobLock;
import io.lockkit.Lease;
import io.lockkit.LeaseLimits;
import io.lockkit.jdbc.internal.KeyBytes;
import io.lockkit.jdbc.internal.Prepared;
import io.lockkit.jdbc.internal.Session;
import io.lockkit.spi.Checks;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The advisory variant: MariaDB's user-level locks ({@code GET_LOCK}) on a session pinned to the
 * lease, whose {@code wait_timeout} (whole seconds, the lease rounded up) makes the server end the
 * session, and the lock with it, when the holder falls silent (L4). A waiting acquire blocks in the
 * server's {@code GET_LOCK(name, wait)}, which returns as soon as the holder releases or its session
 * ends (L7), in slices of at most {@link MariaDbBackend.Builder#pollInterval} (and half the network
 * timeout) so that an interrupt is seen between two slices (L8). The lease sessions are pinned,
 * watched (L5) and given up by {@link PinnedSessions}. Thread-safe.
 */
final class AdvisoryJobLock implements JobLock, PinnedSessions.Locking {
    /** The prefix of every lock name lockkit takes (names are at most 64 characters). */
    static final String NAME_PREFIX = "lockkit:";

    private final MariaDbBackend backend;
    private final PinnedSessions sessions;
    private final Prepared acquireSql;
    private final Prepared heldSql;
    private final Prepared releaseSql;

    AdvisoryJobLock(MariaDbBackend backend) {
        this.backend = backend;
        this.sessions = new PinnedSessions(
                backend,
                this,
                List.of("wait_timeout"),
                List.of("SELECT RELEASE_ALL_LOCKS()"),
                List.of("SET SESSION wait_timeout = DEFAULT"));
        this.acquireSql = backend.statement(MariaDbSql.ADVISORY_ACQUIRE);
        this.heldSql = backend.statement(MariaDbSql.ADVISORY_HELD);
        this.releaseSql = backend.statement(MariaDbSql.ADVISORY_RELEASE);
    }

    @Override
    public LeaseLimits leaseLimits() {
        return sessions.limits();
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
        return sessions.acquire(
                "acquire '" + key + "'",
                maxWait,
                (session, waitMillis, deadline) -> attemptOn(session, key, lease, waitMillis));
    }

    /**
     * One {@code GET_LOCK} on a lease session, waiting up to {@code waitMillis} in the server; null
     * when not granted (L6). A session that was idle in the pool and turns out to be gone (the server
     * ended it) is replaced once.
     */
    private @Nullable Lease attempt(String key, Duration lease, long waitMillis) {
        return sessions.attempt("acquire '" + key + "'", session -> attemptOn(session, key, lease, waitMillis));
    }

    /** Pins {@code session} to the granted lease, or gives it back; any failure closes it (which frees a lock it may hold). */
    private @Nullable Lease attemptOn(Session session, String key, Duration lease, long waitMillis) {
        String name = lockName(key);
        long sent;
        Long token;
        try {
            sessions.timeout(session, PinnedSessions.seconds(lease));
            sent = backend.ticker().nanos();
            token = acquireSql
                    .on(session.handle())
                    .set("row", rowKey(name))
                    .set("name", name)
                    .set("wait_ms", waitMillis)
                    .optional(rs -> rs.getBoolean("granted") ? rs.getLong("token") : null)
                    .orElse(null);
        } catch (RuntimeException e) {
            // The statement may have taken the lock before it failed (or its reply was lost): closing
            // the session is the one way to be sure it holds nothing (E2).
            sessions.discard(session, MariaDbFailures.classify(e) == MariaDbFailures.Kind.CONNECTION);
            if (MariaDbFailures.classify(e) == MariaDbFailures.Kind.LOST_RACE) {
                return null;
            }
            throw e;
        }
        if (token == null) {
            backend.pool().giveBack(session);
            return null;
        }
        return sessions.pin(session, key, name, token, sent, lease);
    }

    /** Extend: the new {@code wait_timeout} when it changes, then whether this session still holds the lock. */
    @Override
    public boolean extend(Session session, String name, Duration lease) {
        sessions.timeout(session, PinnedSessions.seconds(lease));
        Boolean held = heldSql.on(session.handle()).set("name", name).one(rs -> {
            boolean value = rs.getBoolean("held");
            return !rs.wasNull() && value;
        });
        return Boolean.TRUE.equals(held);
    }

    /** Release on the lease's session: true when it held the lock and freed it. */
    @Override
    public boolean release(Session session, String name) {
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

    /** The lease sessions' machinery (the client closes it). */
    PinnedSessions sessions() {
        return sessions;
    }

    /** E1, before anything is sent: the key, and the lease against {@link #leaseLimits()}. */
    private void check(String key, Duration lease) {
        Checks.key(key);
        sessions.limits().check(lease);
    }
}
