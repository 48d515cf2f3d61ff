package io.lockkit.spring.integration;

import io.lockkit.Backend;
import io.lockkit.JobLock;
import io.lockkit.Lease;
import java.time.Duration;
import java.time.Instant;
import java.util.ConcurrentModificationException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import org.springframework.integration.support.locks.ExpirableLockRegistry;
import org.springframework.integration.support.locks.RenewableLockRegistry;
import org.springframework.scheduling.TaskScheduler;

/**
 * Spring Integration's {@code LockRegistry} on any lockkit backend. {@link #obtain(Object)} returns,
 * per key, one {@link Lock} with the semantics of Spring Integration's own registries (JDBC, Redis):
 *
 * <ul>
 *   <li>Owned by the thread that locked it, reentrant: a lock already held by the calling thread is
 *       taken again by extending its lease (one round trip, as Spring Integration's registries
 *       refresh their time to live then). {@code unlock()} by another thread throws {@code
 *       IllegalMonitorStateException}.
 *   <li>Exclusive across threads of this JVM (a {@code ReentrantLock}) and across processes (a lockkit
 *       lease of {@code lease}, with its fencing token: {@link #currentLease(Object)}).
 *   <li>{@code lock()}, {@code lockInterruptibly()} and {@code tryLock(time, unit)} wait with {@link
 *       JobLock#acquire}, which the store's release notification wakes (L7), never a fixed poll.
 *       {@code lock()} is uninterruptible: an interrupt is kept for the caller.
 *   <li>{@code unlock()} releases the lease, owner-checked; when the lease had ended before (expired,
 *       or its session lost) it throws {@code ConcurrentModificationException}, as Spring
 *       Integration's registries do, since the work it protected may have overlapped another holder.
 *   <li>A store that cannot be reached throws {@code BackendUnavailableException} from the lock
 *       methods, never "locked by somebody else"; the local lock is left as it was.
 *   <li>{@link #renewLock(Object)} extends the calling thread's lease by {@code lease} again; with
 *       {@link #setRenewalTaskScheduler} every held lease is renewed every third of {@code lease}.
 *   <li>{@code newCondition()} is not supported.
 * </ul>
 *
 * <p>Keys are {@code String}s, checked by lockkit's key rules. The registry caches one {@code Lock}
 * per key up to {@link #setCacheCapacity} (the least recently obtained that nobody holds goes first),
 * and {@link #expireUnusedOlderThan} drops those not held. Thread-safe.
 */
public final class LockKitLockRegistry implements ExpirableLockRegistry, RenewableLockRegistry {
    /** The lease of each lock unless the constructor says otherwise (Spring Integration's Redis registry's). */
    public static final Duration DEFAULT_LEASE = Duration.ofSeconds(60);

    /** How long one wait of an uninterruptible {@code lock()} lasts before it tries again. */
    private static final Duration WAIT_CHUNK = Duration.ofMinutes(1);

    private static final int DEFAULT_CAPACITY = 100_000;

    private final JobLock jobLock;
    private final Duration leaseTime;
    private final ReentrantLock registryLock = new ReentrantLock();
    private final Map<String, KeyLock> locks = new LinkedHashMap<>(16, 0.75F, true) {
        /** The least recently obtained lock that nobody holds goes; a held one stays (its owner may re-take it). */
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, KeyLock> eldest) {
            if (size() <= cacheCapacity) {
                return false;
            }
            if (!eldest.getValue().local.isLocked()) {
                return true;
            }
            Iterator<KeyLock> oldestFirst = values().iterator();
            for (int older = size() - 1; older > 0; older--) { // never the lock just added, last
                if (!oldestFirst.next().local.isLocked()) {
                    oldestFirst.remove();
                    break;
                }
            }
            return false;
        }
    };
    private volatile int cacheCapacity = DEFAULT_CAPACITY;
    private volatile @Nullable TaskScheduler renewalScheduler;

    /** A registry on {@code backend}'s job locks with {@link #DEFAULT_LEASE}; the backend stays the caller's. */
    public LockKitLockRegistry(Backend backend) {
        this(backend, DEFAULT_LEASE);
    }

    /**
     * A registry whose locks hold leases of {@code lease}.
     *
     * @throws IllegalArgumentException when {@code lease} is outside the backend's lease limits
     */
    public LockKitLockRegistry(Backend backend, Duration lease) {
        this.jobLock = Objects.requireNonNull(backend, "backend").jobLock();
        this.leaseTime = jobLock.leaseLimits().check(lease);
    }

    @Override
    public Lock obtain(Object lockKey) {
        String key = key(lockKey);
        registryLock.lock();
        try {
            return locks.computeIfAbsent(key, KeyLock::new);
        } finally {
            registryLock.unlock();
        }
    }

    /**
     * The lease the calling thread holds on {@code lockKey}: its fencing token is for writes that a
     * later holder must win over. Empty when the calling thread does not hold the key's lock.
     */
    public Optional<Lease> currentLease(Object lockKey) {
        KeyLock lock = cached(key(lockKey));
        return lock == null || !lock.local.isHeldByCurrentThread() ? Optional.empty() : Optional.ofNullable(lock.lease);
    }

    /** How many locks the registry keeps (default 100,000); the least recently obtained go first. */
    public void setCacheCapacity(int cacheCapacity) {
        if (cacheCapacity < 1) {
            throw new IllegalArgumentException("cacheCapacity must be at least 1, was " + cacheCapacity);
        }
        this.cacheCapacity = cacheCapacity;
    }

    @Override
    public void expireUnusedOlderThan(long age) {
        long now = System.currentTimeMillis();
        registryLock.lock();
        try {
            locks.values().removeIf(l -> now - l.lastUsed > age && !l.local.isLocked());
        } finally {
            registryLock.unlock();
        }
    }

    /**
     * Extends the calling thread's lease on {@code lockKey} to the registry's lease from now.
     *
     * @throws IllegalMonitorStateException when the calling thread does not hold the lock
     * @throws IllegalStateException when there is no such lock, or the lease had ended already
     */
    @Override
    public void renewLock(Object lockKey) {
        String key = key(lockKey);
        KeyLock lock = cached(key);
        if (lock == null) {
            throw new IllegalStateException("no lock for '" + key + "' was obtained from this registry");
        }
        lock.renew();
    }

    @Override
    public void setRenewalTaskScheduler(TaskScheduler renewalTaskScheduler) {
        this.renewalScheduler = Objects.requireNonNull(renewalTaskScheduler, "renewalTaskScheduler");
    }

    private @Nullable KeyLock cached(String key) {
        registryLock.lock();
        try {
            return locks.get(key);
        } finally {
            registryLock.unlock();
        }
    }

    private static String key(Object lockKey) {
        if (!(lockKey instanceof String key)) {
            throw new IllegalArgumentException("lock keys are Strings, was "
                    + (lockKey == null ? "null" : lockKey.getClass().getName()));
        }
        return key;
    }

    /** One key's lock: the JVM's owner in {@link #local}, the store's in {@link #lease}. */
    private final class KeyLock implements Lock {
        private final String key;
        private final ReentrantLock local = new ReentrantLock();
        /** The store's lease while the local lock is held; written by the owning thread only. */
        private volatile @Nullable Lease lease;

        private volatile @Nullable ScheduledFuture<?> renewal;
        private volatile long lastUsed = System.currentTimeMillis();

        KeyLock(String key) {
            this.key = key;
        }

        @Override
        public void lock() {
            local.lock();
            boolean interrupted = false;
            try {
                while (true) {
                    try {
                        if (acquire(WAIT_CHUNK)) {
                            return;
                        }
                    } catch (InterruptedException e) {
                        // lock() is uninterruptible: wait on with the flag cleared (JobLock.acquire
                        // throws at once while it is set), and set it again for the caller at the end
                        interrupted = true;
                        Thread.interrupted();
                    }
                }
            } catch (RuntimeException e) {
                local.unlock();
                throw e;
            } finally {
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        @Override
        public void lockInterruptibly() throws InterruptedException {
            local.lockInterruptibly();
            try {
                while (!acquire(WAIT_CHUNK)) {
                    // wait again
                }
            } catch (InterruptedException | RuntimeException e) {
                local.unlock();
                throw e;
            }
        }

        @Override
        public boolean tryLock() {
            if (!local.tryLock()) {
                return false;
            }
            try {
                if (!acquireNow()) {
                    local.unlock();
                    return false;
                }
                return true;
            } catch (RuntimeException e) {
                local.unlock();
                throw e;
            }
        }

        @Override
        public boolean tryLock(long time, TimeUnit unit) throws InterruptedException {
            long until = System.nanoTime() + unit.toNanos(time);
            if (!local.tryLock(time, unit)) {
                return false;
            }
            try {
                if (!acquire(Duration.ofNanos(Math.max(0, until - System.nanoTime())))) {
                    local.unlock();
                    return false;
                }
                return true;
            } catch (InterruptedException | RuntimeException e) {
                local.unlock();
                throw e;
            }
        }

        /** With the local lock held: true when this thread holds a valid lease, taking one if needed. */
        private boolean acquireNow() {
            if (renewedOnReentry()) {
                return true;
            }
            return granted(jobLock.tryAcquire(key, leaseTime));
        }

        private boolean acquire(Duration maxWait) throws InterruptedException {
            if (renewedOnReentry()) {
                return true;
            }
            if (maxWait.isZero()) {
                return granted(jobLock.tryAcquire(key, leaseTime));
            }
            return granted(jobLock.acquire(key, leaseTime, maxWait));
        }

        /**
         * A reentrant take by the owner extends the lease by the registry's lease again, one round
         * trip, as Spring Integration's JDBC and Redis registries refresh their time to live then
         * ({@code LockRegistryLeaderInitiator} keeps its leadership so, re-taking the lock at every
         * heartbeat). False when this is no reentrant take, or the lease had ended: then a new one is
         * taken as on a first take.
         */
        private boolean renewedOnReentry() {
            Lease held = this.lease;
            if (local.getHoldCount() < 2 || held == null || !held.extend(leaseTime)) {
                return false;
            }
            lastUsed = System.currentTimeMillis();
            return true;
        }

        private boolean granted(Optional<Lease> granted) {
            if (granted.isEmpty()) {
                return false;
            }
            cancelRenewal(); // a reentrant lock() that found its lease ended took a new one
            this.lease = granted.get();
            lastUsed = System.currentTimeMillis();
            scheduleRenewal();
            return true;
        }

        @Override
        public void unlock() {
            if (!local.isHeldByCurrentThread()) {
                throw new IllegalMonitorStateException(
                        "the current thread does not own the lock of '" + key + "' (lockkit)");
            }
            if (local.getHoldCount() > 1) {
                local.unlock();
                return;
            }
            Lease held = this.lease;
            this.lease = null;
            cancelRenewal();
            try {
                if (held != null && !held.release()) {
                    throw new ConcurrentModificationException("the lease on '" + key + "' (token " + held.token()
                            + ") had ended in the store before unlock(): the work it protected may have"
                            + " overlapped another holder's");
                }
            } finally {
                local.unlock();
            }
        }

        void renew() {
            if (!local.isHeldByCurrentThread()) {
                throw new IllegalMonitorStateException(
                        "the current thread does not own the lock of '" + key + "' (lockkit)");
            }
            Lease held = this.lease;
            if (held == null || !held.extend(leaseTime)) {
                throw new IllegalStateException("the lease on '" + key + "' had ended and cannot be renewed");
            }
            lastUsed = System.currentTimeMillis();
        }

        private void scheduleRenewal() {
            TaskScheduler scheduler = renewalScheduler;
            Lease held = this.lease;
            if (scheduler == null || held == null) {
                return;
            }
            renewal = scheduler.scheduleAtFixedRate(
                    () -> {
                        if (held.isValid()) {
                            held.extend(leaseTime);
                        }
                    },
                    Instant.now().plus(leaseTime.dividedBy(3)),
                    leaseTime.dividedBy(3));
        }

        private void cancelRenewal() {
            ScheduledFuture<?> scheduled = renewal;
            renewal = null;
            if (scheduled != null) {
                scheduled.cancel(false);
            }
        }

        @Override
        public Condition newCondition() {
            throw new UnsupportedOperationException("lockkit locks have no conditions");
        }

        @Override
        public String toString() {
            return "LockKitLock[" + key + (local.isLocked() ? ", locked" : "") + "]";
        }
    }
}
