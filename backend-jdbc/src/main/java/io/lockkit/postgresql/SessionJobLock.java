package io.lockkit.postgresql;

import io.lockkit.jdbc.internal.Session;
import io.lockkit.jdbc.internal.SessionPool;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * What the session variants share: each lease pins one connection of the client's pool (from its
 * budget of lease sessions, so statements always have a connection left), whose
 * server session the server ends after {@code lease} of silence (L4), and which the client's
 * {@link Watcher} watches so the holder learns when the session is gone (L5). A second acquire of a
 * held key always runs on another session, so it fails instead of stacking. Thread-safe.
 */
abstract class SessionJobLock extends PgJobLock {
    /**
     * The longest session lease: the server's idle timeouts ({@code idle_session_timeout}, {@code
     * idle_in_transaction_session_timeout}) are whole milliseconds in an {@code int}, so just under
     * 24.9 days.
     */
    static final Duration MAX_LEASE = Duration.ofMillis(Integer.MAX_VALUE);

    SessionJobLock(PostgresBackend backend) {
        super(backend, MAX_LEASE);
    }

    /**
     * One round trip on {@code session}: the token when granted, null when held; leaves an ungranted
     * session clean. A variant that needs another connection of the client (the row lock's flush)
     * waits for it until {@code deadline} reacting to interrupts, and is held when none came; with
     * no deadline (a {@code tryAcquire}) as any statement waits (deaf to interrupts, up to {@code
     * connectionWait}).
     */
    abstract @Nullable Long tryLock(Session session, String key, Duration lease, @Nullable Long deadline)
            throws InterruptedException;

    /**
     * Puts a session whose attempt failed back in its idle state, undoing whatever the statement did
     * before it failed (it may have taken the lock); when this fails, the session is discarded.
     */
    abstract void reset(Session session);

    /** Keeps the session (and lease) for {@code lease} from now. */
    abstract void extend(Session session, Duration lease);

    /** Ends the lease; the session is clean afterwards. True when the lock was still held. */
    abstract boolean release(Session session, String key);

    /**
     * Whether any failed statement on a lease's session ends its lock (a lock held by the session's
     * transaction, which the failure aborts), so that a failed extend means the lease is lost.
     */
    boolean failureEndsLease() {
        return false;
    }

    @Override
    final Attempt attempt(String key, Duration lease) {
        try {
            return attempt(key, lease, null, null);
        } catch (InterruptedException e) {
            throw new AssertionError("a try without a deadline waits deaf to interrupts", e);
        }
    }

    @Override
    final Attempt attempt(String key, Duration lease, long leftNanos) throws InterruptedException {
        long deadline = System.nanoTime() + leftNanos;
        Session session = backend.pool().borrowLease("acquire '" + key + "'", leftNanos);
        return session == null ? Attempt.held(Long.MAX_VALUE) : attempt(key, lease, session, deadline);
    }

    /**
     * Tries on {@code first} (a lease session already lent), or on one borrowed now when null;
     * {@code deadline}: see {@link #tryLock}.
     */
    private Attempt attempt(String key, Duration lease, @Nullable Session first, @Nullable Long deadline)
            throws InterruptedException {
        for (int attempt = 1; ; attempt++) {
            try {
                return attemptOnce(key, lease, attempt == 1 ? first : null, deadline);
            } catch (RuntimeException e) {
                if (attempt == SessionPool.SERIALIZATION_RETRIES || !Failures.rolledBackForARetry(e)) {
                    Failures.Kind kind = Failures.classify(e);
                    if (kind == Failures.Kind.NOT_ACQUIRED || kind == Failures.Kind.LOST_RACE) {
                        return Attempt.held(Long.MAX_VALUE);
                    }
                    throw e;
                }
                // 40001/40P01: rolled back, nothing taken; under SERIALIZABLE possibly with nobody
                // holding the key, so only a fresh attempt tells "held" (L6).
            }
        }
    }

    private Attempt attemptOnce(String key, Duration lease, @Nullable Session lent, @Nullable Long deadline)
            throws InterruptedException {
        String what = "acquire '" + key + "'";
        // after a 40001/40P01, a waiting acquire waits for a lease session again within its maxWait,
        // reacting to interrupts (L7, L8)
        Session session = lent != null ? lent : backend.pool().borrowLeaseBy(what, deadline);
        if (session == null) {
            return Attempt.held(Long.MAX_VALUE);
        }
        try {
            return attemptOn(session, key, lease, deadline);
        } catch (RuntimeException e) {
            if (!Failures.isConnection(e) || !session.reused()) {
                throw Failures.translate(what, e);
            }
        }
        // The idle connection had been ended by the server; whatever it did died with its session. A
        // waiting acquire waits for its replacement within its maxWait, reacting to interrupts.
        Session fresh = backend.pool().openBy(what, true, deadline);
        if (fresh == null) {
            return Attempt.held(Long.MAX_VALUE);
        }
        try {
            return attemptOn(fresh, key, lease, deadline);
        } catch (RuntimeException e) {
            throw Failures.translate(what, e);
        }
    }

    /** Pins {@code session} to the granted lease, or gives it back (or discards it when broken). */
    private Attempt attemptOn(Session session, String key, Duration lease, @Nullable Long deadline)
            throws InterruptedException {
        long sent = backend.ticker().nanos();
        Long token;
        try {
            token = tryLock(session, key, lease, deadline);
        } catch (InterruptedException e) { // waiting for another connection: nothing is held
            if (resetOrDiscard(session)) {
                backend.pool().giveBack(session);
            } else {
                backend.pool().discard(session);
            }
            throw e;
        } catch (RuntimeException e) {
            Failures.Kind kind = Failures.classify(e);
            if (kind == Failures.Kind.CONNECTION || !resetOrDiscard(session)) {
                backend.pool().discard(session);
            } else {
                backend.pool().giveBack(session);
            }
            if (kind == Failures.Kind.NOT_ACQUIRED
                    || (kind == Failures.Kind.LOST_RACE && !Failures.rolledBackForARetry(e))) {
                return Attempt.held(Long.MAX_VALUE);
            }
            throw e;
        }
        if (token == null) {
            backend.pool().giveBack(session);
            return Attempt.held(Long.MAX_VALUE);
        }
        SessionLease granted = new SessionLease(this, session, key, token, sent, lease, margin(lease));
        backend.watcher().watch(granted);
        return Attempt.granted(granted);
    }

    private boolean resetOrDiscard(Session session) {
        try {
            reset(session);
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }
}
