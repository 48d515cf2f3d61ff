package io.lockkit.redis;

import io.lockkit.BackendUnavailableException;
import io.lockkit.JobLock;
import io.lockkit.Lease;
import io.lockkit.LeaseLimits;
import io.lockkit.OutcomeUnknownException;
import io.lockkit.spi.Checks;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.redisson.api.RScript;

/**
 * {@link JobLock} by {@code acquire.lua}: one round trip takes the lock and its fencing token.
 * Waiting is woken by the release message and bounded by the holder's remaining PTTL, so a lost
 * message costs at most the rest of the holder's lease (L7). Thread-safe.
 */
final class RedisJobLock implements JobLock {
    private static final SecureRandom RANDOM = new SecureRandom();
    /** Slack after the holder's PTTL, so a waiter looks again just after the lock expired. */
    private static final long EXPIRY_SLACK_NANOS = 1_000_000;

    private final RedisBackend client;

    RedisJobLock(RedisBackend client) {
        this.client = client;
    }

    @Override
    public LeaseLimits leaseLimits() {
        return client.leaseLimits();
    }

    @Override
    public Optional<Lease> tryAcquire(String key, Duration lease) {
        Checks.key(key);
        leaseLimits().check(lease);
        return Optional.ofNullable(attempt(key, lease).lease);
    }

    @Override
    public Optional<Lease> acquire(String key, Duration lease, Duration maxWait) throws InterruptedException {
        Checks.key(key);
        leaseLimits().check(lease);
        Checks.maxWait(maxWait);
        throwIfInterrupted();
        if (maxWait.isZero()) {
            return tryAcquire(key, lease);
        }
        // A "forever" wait is capped at a century so the sum cannot overflow.
        long waitUntil = System.nanoTime() + Math.min(Checks.saturatedNanos(maxWait), TimeUnit.DAYS.toNanos(36_500));
        ReleaseSignals.Waiter waiter;
        try {
            waiter = client.waitForReleases(key, waitUntil);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // L8: the flag stays set for the caller
            throw e;
        }
        try {
            while (true) {
                throwIfInterrupted();
                Attempt a = attempt(key, lease);
                waiter.attempted();
                if (a.lease != null) {
                    if (Thread.currentThread().isInterrupted()) {
                        releaseQuietly(a.lease); // L8: an interrupted acquire holds nothing
                        throwIfInterrupted();
                    }
                    return Optional.of(a.lease);
                }
                long left = waitUntil - System.nanoTime();
                if (left <= 0) {
                    return Optional.empty();
                }
                // PTTL -1 (a key without expiry, not ours) leaves only the release message and maxWait.
                long untilExpiry = a.holderPttlMillis >= 0 ? a.holderPttlMillis * 1_000_000 + EXPIRY_SLACK_NANOS : left;
                waiter.await(Math.min(left, untilExpiry));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw e;
        } finally {
            client.stopWaiting(waiter);
        }
    }

    /** The outcome of one acquire round trip: a lease, or the holder's remaining PTTL in ms. */
    private record Attempt(@Nullable RedisLease lease, long holderPttlMillis) {}

    private Attempt attempt(String key, Duration lease) {
        byte[] owner = newOwner();
        List<Object> keys = client.keys().acquireKeys(key);
        long sent = client.ticker().nanos(); // before the request goes out (L5)
        long reply;
        try {
            reply = client.store().<Long>run(Script.ACQUIRE, RScript.ReturnType.INTEGER, keys, owner, millis(lease));
        } catch (OutcomeUnknownException e) {
            // The lock may have been granted to a reply we never saw: free it if so (owner-checked,
            // harmless otherwise), and report no lease (E2). If this fails too, it expires (L4).
            client.store().runQuietly(Script.RELEASE, client.keys().releaseKeys(key), owner, key);
            throw new BackendUnavailableException(e.getMessage(), e);
        }
        // A token is positive; a held lock comes back as -2 - its PTTL (see acquire.lua).
        if (reply > 0) {
            return new Attempt(new RedisLease(client, key, reply, owner, sent, lease), 0);
        }
        return new Attempt(null, -2 - reply);
    }

    /** A lease in whole milliseconds, rounded up: the store keeps it at least as long as asked. */
    static long millis(Duration lease) {
        long ms = lease.toMillis();
        return lease.minusMillis(ms).isZero() ? ms : ms + 1;
    }

    /**
     * 128 random bits in hex: unique per lease, so no other lease, thread or process can pass for it
     * (L3). Drawn per lease, never derived from state kept in memory, which a JVM restored twice
     * from one snapshot (CRaC, Lambda SnapStart) would share.
     */
    private static byte[] newOwner() {
        byte[] id = new byte[16];
        RANDOM.nextBytes(id);
        return HexFormat.of().formatHex(id).getBytes(StandardCharsets.US_ASCII);
    }

    private static void releaseQuietly(Lease lease) {
        try {
            lease.release();
        } catch (RuntimeException e) {
            // never reported held; if the release did not reach the store, the lock ends with its lease (L4)
        }
    }

    private static void throwIfInterrupted() throws InterruptedException {
        if (Thread.currentThread().isInterrupted()) {
            throw new InterruptedException("interrupted while acquiring a lock");
        }
    }
}
