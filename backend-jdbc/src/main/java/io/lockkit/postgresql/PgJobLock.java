package io.lockkit.postgresql;

import io.lockkit.JobLock;
import io.lockkit.Lease;
import io.lockkit.LeaseLimits;
import io.lockkit.jdbc.internal.Acquiring;
import io.lockkit.jdbc.internal.KeyBytes;
import io.lockkit.jdbc.internal.Waiters;
import io.lockkit.spi.Checks;
import java.time.Duration;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * What the three variants share: input checks (E1), the wait loop of {@link #acquire} woken by
 * release notifications with a bounded fallback (L7), and interrupt handling (L8). A variant
 * supplies one {@link #attempt}. Thread-safe.
 */
abstract class PgJobLock implements JobLock {
    /** How long a waiter waits for the listener's first connection before its first attempt. */
    private static final long LISTEN_WAIT_NANOS = Duration.ofSeconds(1).toNanos();

    /** A granted lease, or none and how long until it is worth trying again. */
    record Attempt(@Nullable Lease lease, long retryAfterNanos) {
        static Attempt granted(Lease lease) {
            return new Attempt(lease, 0);
        }

        static Attempt held(long retryAfterNanos) {
            return new Attempt(null, retryAfterNanos);
        }
    }

    final PostgresBackend backend;
    private final LeaseLimits limits;

    /** @param longest the longest lease this variant can ask the server for */
    PgJobLock(PostgresBackend backend, Duration longest) {
        this.backend = backend;
        LeaseLimits byMargin = LeaseLimits.forDriftMargin(backend.driftMargin());
        this.limits = new LeaseLimits(byMargin.shortest(), longest);
    }

    /** One try; a lost race is {@link Attempt#held}, never an exception (L6). */
    abstract Attempt attempt(String key, Duration lease);

    /**
     * One try of an acquire that may still wait {@code leftNanos}: a variant that needs a lease
     * session of its client waits for one that long at most, reacting to interrupts (L8), and is
     * {@link Attempt#held} when none came free (L7: the wait ran out).
     */
    Attempt attempt(String key, Duration lease, long leftNanos) throws InterruptedException {
        return attempt(key, lease);
    }

    @Override
    public final LeaseLimits leaseLimits() {
        return limits;
    }

    @Override
    public final Optional<Lease> tryAcquire(String key, Duration lease) {
        check(key, lease);
        return Optional.ofNullable(attempt(key, lease).lease());
    }

    @Override
    public final Optional<Lease> acquire(String key, Duration lease, Duration maxWait) throws InterruptedException {
        check(key, lease);
        Checks.maxWait(maxWait);
        if (maxWait.isZero()) {
            return tryAcquire(key, lease);
        }
        long waitNanos = Acquiring.saturatedNanos(maxWait);
        long start = System.nanoTime();
        String payload = KeyBytes.payload(KeyBytes.bytes(key));
        Waiters waiters = backend.waiters();
        Integer marker = waitMarker(key);
        boolean marked = false;
        waiters.register(payload);
        try {
            backend.watcher().startListening(Math.min(waitNanos, LISTEN_WAIT_NANOS));
            while (true) {
                Acquiring.throwIfInterrupted();
                Attempt attempt = attempt(key, lease, waitNanos - (System.nanoTime() - start));
                if (attempt.lease() != null) {
                    return Optional.of(Acquiring.keepUnlessInterrupted(attempt.lease()));
                }
                long left = waitNanos - (System.nanoTime() - start);
                if (left <= 0) {
                    return Optional.empty();
                }
                if (marker != null && !marked) {
                    // L7: releases notify only marked keys; a release before the mark was held did
                    // not notify, so try again at once now that it is (if the mark is confirmed late,
                    // the listener wakes this waiter when it takes it)
                    marked = true;
                    backend.watcher().mark(marker, payload, Math.min(left, LISTEN_WAIT_NANOS));
                    continue;
                }
                long fallback = Math.min(backend.waitFallback().toNanos(), attempt.retryAfterNanos());
                waiters.await(payload, Math.min(left, fallback));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // L8: the flag stays set for the caller
            throw e;
        } finally {
            if (marked && marker != null) {
                backend.watcher().unmark(marker, payload);
            }
            waiters.unregister(payload);
        }
    }

    /**
     * The key's wait marker when this variant's releases notify only marked keys (every variant's:
     * {@link Sql#ADVISORY_RELEASE}, {@link Sql#TABLE_RELEASE}, {@link Sql#ROWLOCK_RELEASE}); null
     * when every release notifies.
     */
    @Nullable
    Integer waitMarker(String key) {
        return null;
    }

    /** The safety margin subtracted from a lease's deadline (clock drift between JVM and server). */
    final Duration margin(Duration lease) {
        return Acquiring.margin(backend.driftMargin(), lease);
    }

    /**
     * E1, before anything is sent: the key, and the lease against {@link #leaseLimits()} (extend
     * checks it in {@link io.lockkit.spi.AbstractLease}). A lease the server cannot be asked for is
     * refused here: the session variants' timeouts are an {@code int} of milliseconds, and an
     * out-of-range value would fail on the server (in the row-lock variant aborting the lease's
     * transaction).
     */
    private void check(String key, Duration lease) {
        Checks.key(key);
        limits.check(lease);
        backend.requireSchema();
    }

    /** A lease's length for the server: whole milliseconds, rounded up so the server never keeps it shorter. */
    static String millisText(Duration lease) {
        long ms = lease.toMillis() + (lease.minusMillis(lease.toMillis()).isZero() ? 0 : 1);
        return Long.toString(ms);
    }
}
