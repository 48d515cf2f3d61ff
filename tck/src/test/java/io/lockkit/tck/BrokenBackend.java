package io.lockkit.tck;

import io.lockkit.Backend;
import io.lockkit.BackendUnavailableException;
import io.lockkit.Capability;
import io.lockkit.JobLock;
import io.lockkit.Lease;
import io.lockkit.Ticker;
import io.lockkit.Versioned;
import io.lockkit.VersionedUpdate;
import io.lockkit.spi.AbstractLease;
import io.lockkit.spi.Checks;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;

/** A client of a {@link BrokenStore}, with timed leases. Thread-safe. */
final class BrokenBackend implements Backend, JobLock, VersionedUpdate {
    private final BrokenStore store;
    private final boolean unreachable;
    private volatile boolean crashed;

    BrokenBackend(BrokenStore store, boolean unreachable) {
        this.store = store;
        this.unreachable = unreachable;
    }

    void crash() {
        crashed = true;
    }

    @Override
    public String name() {
        return "broken/" + store.flaw.name().toLowerCase(java.util.Locale.ROOT);
    }

    @Override
    public Set<Capability> capabilities() {
        return Set.of(Capability.TIMED_LEASE);
    }

    @Override
    public JobLock jobLock() {
        return this;
    }

    @Override
    public VersionedUpdate versionedUpdate() {
        return this;
    }

    @Override
    public void close() {}

    /** Whether the call may go on; false when the flawed store pretends an unreachable store answered. */
    private boolean reach() {
        if (unreachable && store.flaw == BrokenStore.Flaw.UNREACHABLE_LOOKS_HELD) {
            return false;
        }
        if (unreachable || crashed) {
            throw new BackendUnavailableException(name() + " cannot reach its store");
        }
        return true;
    }

    @Override
    public Optional<Lease> tryAcquire(String key, Duration lease) {
        Checks.key(key);
        Checks.lease(lease);
        if (!reach()) {
            return Optional.empty();
        }
        BrokenStore.Grant grant = store.tryAcquire(key, lease.toNanos());
        return grant == null ? Optional.empty() : Optional.of(new BrokenLease(key, grant, lease));
    }

    /** Polls: the self-test needs a correct acquire, not a fast one. */
    @Override
    public Optional<Lease> acquire(String key, Duration lease, Duration maxWait) throws InterruptedException {
        Checks.maxWait(maxWait);
        long end = System.nanoTime() + maxWait.toNanos();
        while (true) {
            Optional<Lease> got = tryAcquire(key, lease);
            if (got.isPresent() || System.nanoTime() - end >= 0) {
                return got;
            }
            LockSupport.parkNanos(1_000_000);
            if (Thread.interrupted()) {
                Thread.currentThread().interrupt();
                throw new InterruptedException("acquire of " + key + " interrupted");
            }
        }
    }

    @Override
    public Optional<Versioned> read(String key) {
        Checks.key(key);
        return reach() ? store.read(key) : Optional.empty();
    }

    @Override
    public Optional<Versioned> create(String key, byte[] value) {
        Checks.key(key);
        Checks.value(value);
        return reach() ? store.create(key, value) : Optional.empty();
    }

    @Override
    public Optional<Versioned> compareAndSet(String key, long expectedVersion, byte[] value) {
        Checks.key(key);
        Checks.expectedVersion(expectedVersion);
        Checks.value(value);
        return reach() ? store.compareAndSet(key, expectedVersion, value, 0) : Optional.empty();
    }

    @Override
    public Optional<Versioned> compareAndSet(String key, long expectedVersion, byte[] value, long fencingToken) {
        Checks.key(key);
        Checks.expectedVersion(expectedVersion);
        Checks.value(value);
        Checks.fencingToken(fencingToken);
        return reach() ? store.compareAndSet(key, expectedVersion, value, fencingToken) : Optional.empty();
    }

    @Override
    public boolean delete(String key, long expectedVersion) {
        Checks.key(key);
        Checks.expectedVersion(expectedVersion);
        return reach() && store.delete(key, expectedVersion);
    }

    private final class BrokenLease extends AbstractLease {
        private final long owner;

        BrokenLease(String key, BrokenStore.Grant grant, Duration lease) {
            super(key, grant.token(), Ticker.system(), grant.grantedAt(), lease, Duration.ZERO);
            this.owner = grant.owner();
        }

        @Override
        protected boolean doExtend(Duration lease) {
            reach();
            return store.extend(key(), owner, lease.toNanos());
        }

        @Override
        protected boolean doRelease() {
            reach();
            return store.release(key(), owner);
        }
    }
}
