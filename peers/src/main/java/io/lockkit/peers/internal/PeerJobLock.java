package io.lockkit.peers.internal;

import io.lockkit.JobLock;
import io.lockkit.Lease;
import io.lockkit.LeaseLimits;
import io.lockkit.spi.Checks;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * A peer's lock as a lockkit {@link JobLock}. Input is checked first with lockkit's own {@link
 * Checks} (E1 is the adapter's job, not the peer's). {@code acquire} uses the peer's own wait when
 * it has one, else polls {@code tryLock} with a pause growing from 1 ms to 50 ms. Peer exceptions
 * are translated by {@link Failures}. Thread-safe when the {@link PeerLock} is.
 */
public final class PeerJobLock implements JobLock {
    private static final long FIRST_PAUSE = Duration.ofMillis(1).toNanos();
    private static final long MAX_PAUSE = Duration.ofMillis(50).toNanos();

    private final String peer;
    private final PeerLock lock;
    private final Consumer<PeerLease> granted;

    /**
     * @param peer the column name, for messages
     * @param granted told of every lease granted (a session peer tracks them to mark them lost)
     */
    public PeerJobLock(String peer, PeerLock lock, Consumer<PeerLease> granted) {
        this.peer = peer;
        this.lock = lock;
        this.granted = granted;
    }

    public PeerJobLock(String peer, PeerLock lock) {
        this(peer, lock, l -> {});
    }

    /** A peer takes any lease lockkit's API allows; its own limits, where it has any, are its own. */
    private static final LeaseLimits LIMITS = new LeaseLimits(Duration.ofMillis(1), LeaseLimits.MAX);

    @Override
    public LeaseLimits leaseLimits() {
        return LIMITS;
    }

    @Override
    public Optional<Lease> tryAcquire(String key, Duration lease) {
        Checks.key(key);
        LIMITS.check(lease);
        long sent = System.nanoTime();
        return lease(key, lease, sent, once(key, lease));
    }

    @Override
    public Optional<Lease> acquire(String key, Duration lease, Duration maxWait) throws InterruptedException {
        Checks.key(key);
        LIMITS.check(lease);
        Checks.maxWait(maxWait);
        if (Thread.interrupted()) {
            Thread.currentThread().interrupt();
            throw new InterruptedException("interrupted before acquiring '" + key + "'");
        }
        if (lock.canWait()) {
            long sent = System.nanoTime();
            try {
                return lease(key, lease, sent, lock.lock(key, lease, maxWait));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw e;
            } catch (Exception e) {
                throw Failures.translate(peer + " acquire", e);
            }
        }
        long end = System.nanoTime() + Checks.saturatedNanos(maxWait);
        long pause = FIRST_PAUSE;
        while (true) {
            long sent = System.nanoTime();
            Optional<PeerHold> hold = once(key, lease);
            if (hold.isPresent()) {
                if (Thread.currentThread().isInterrupted()) {
                    releaseQuietly(hold.get()); // L8: an interrupted acquire holds nothing afterwards
                    throw new InterruptedException("interrupted while acquiring '" + key + "'");
                }
                return lease(key, lease, sent, hold);
            }
            long left = end - System.nanoTime();
            if (left <= 0) {
                return Optional.empty();
            }
            LockSupport.parkNanos(Math.min(pause, left));
            if (Thread.interrupted()) {
                Thread.currentThread().interrupt();
                throw new InterruptedException("interrupted while waiting for '" + key + "'");
            }
            pause = Math.min(pause * 2, MAX_PAUSE);
        }
    }

    private Optional<PeerHold> once(String key, Duration lease) {
        try {
            return lock.tryLock(key, lease);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw Failures.translate(peer + " tryAcquire interrupted", e);
        } catch (Exception e) {
            throw Failures.translate(peer + " tryAcquire", e);
        }
    }

    private Optional<Lease> lease(String key, Duration lease, long sent, Optional<PeerHold> hold) {
        if (hold.isEmpty()) {
            return Optional.empty();
        }
        PeerLease granted = new PeerLease(peer, key, hold.get(), sent, lease);
        this.granted.accept(granted);
        return Optional.of(granted);
    }

    private static void releaseQuietly(PeerHold hold) {
        try {
            hold.release();
        } catch (Exception e) {
            // the lease expires by itself (L4)
        }
    }
}
