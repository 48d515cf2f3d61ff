package io.lockkit.shedlock;

import io.lockkit.Backend;
import io.lockkit.JobLock;
import io.lockkit.Lease;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import net.javacrumbs.shedlock.core.AbstractSimpleLock;
import net.javacrumbs.shedlock.core.ClockProvider;
import net.javacrumbs.shedlock.core.ExtensibleLockProvider;
import net.javacrumbs.shedlock.core.LockConfiguration;
import net.javacrumbs.shedlock.core.SimpleLock;
import org.jspecify.annotations.Nullable;

/**
 * ShedLock's {@code LockProvider} on any lockkit backend: {@code @SchedulerLock} and {@code
 * LockingTaskExecutor} keep working, and each run holds a lockkit lease with a fencing token.
 *
 * <ul>
 *   <li>The lock's name is the lease's key; {@code lockAtMostUntil} (the configuration's {@code
 *       createdAt + lockAtMostFor}) is when the lease ends unless extended.
 *   <li>{@code unlock()} before {@code lockAtLeastUntil} keeps the key held until then: the lease is
 *       extended to that moment (so the store frees it then even if this process dies) and released
 *       at it. Later, it releases at once.
 *   <li>The release is owner-checked: a run whose lease has ended and been taken by another node
 *       never frees that node's lock (ShedLock's storage providers clear the row by name).
 *   <li>{@link #currentLease()} gives the task the lease it runs under, for writes fenced with its
 *       token.
 *   <li>A {@code lockAtMostFor} (or the rest of {@code lockAtLeastFor}) shorter than the backend's
 *       shortest lease ({@link JobLock#leaseLimits()}: twice its drift margin, 40 ms on PostgreSQL,
 *       200 ms on ZooKeeper by default) is held for that shortest lease in the store and released by
 *       this provider when ShedLock's time is up; a process that dies first leaves it for the
 *       shortest lease. A {@code lockAtMostFor} above the longest (365 days) is refused with {@code
 *       IllegalArgumentException}, nothing written.
 * </ul>
 *
 * <p>A store that cannot be reached throws {@code BackendUnavailableException} from {@code lock}
 * (ShedLock's executor then skips the run and logs it), never "locked by somebody else".
 * Thread-safe; the {@link SimpleLock}s it returns are used by one thread at a time, as ShedLock's
 * are. {@link #close()} stops the thread that runs delayed releases.
 */
public final class LockKitLockProvider implements ExtensibleLockProvider, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(LockKitLockProvider.class.getName());
    private static final ThreadLocal<Deque<Lock>> CURRENT = ThreadLocal.withInitial(ArrayDeque::new);

    private final JobLock jobLock;
    private final ScheduledExecutorService later;

    /** A provider on {@code backend}'s job locks; the backend stays the caller's to close. */
    public LockKitLockProvider(Backend backend) {
        this(Objects.requireNonNull(backend, "backend").jobLock());
    }

    /** A provider on {@code jobLock}. */
    public LockKitLockProvider(JobLock jobLock) {
        this.jobLock = Objects.requireNonNull(jobLock, "jobLock");
        this.later = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "lockkit-shedlock-release");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * The lease of the innermost ShedLock lock this thread took through a {@code LockKitLockProvider}
     * and has not unlocked: inside a task run by ShedLock's {@code LockingTaskExecutor} or under
     * {@code @SchedulerLock}, the run's lease. Pass its {@link Lease#token()} to a fenced write.
     */
    public static Optional<Lease> currentLease() {
        Deque<Lock> locks = CURRENT.get();
        locks.removeIf(Lock::over);
        Optional<Lease> current = Optional.ofNullable(locks.peekFirst()).map(l -> l.lease);
        if (current.isEmpty()) {
            CURRENT.remove();
        }
        return current;
    }

    /** This thread enters {@code lock}, or {@code lock} takes the place of {@code extended}. */
    private static void enter(Lock lock, @Nullable Lock extended) {
        Deque<Lock> locks = CURRENT.get();
        locks.removeIf(l -> l == extended || l.over()); // over: a lock never unlocked here, whose time is up
        locks.addFirst(lock);
    }

    private static void leave(Lock lock) {
        Deque<Lock> locks = CURRENT.get();
        locks.remove(lock);
        if (locks.isEmpty()) {
            CURRENT.remove();
        }
    }

    @Override
    public Optional<SimpleLock> lock(LockConfiguration configuration) {
        Objects.requireNonNull(configuration, "configuration");
        Duration atMost = until(configuration.getLockAtMostUntil());
        Optional<Lease> lease = jobLock.tryAcquire(configuration.getName(), storeLease(atMost));
        if (lease.isEmpty()) {
            return Optional.empty();
        }
        Lock lock = new Lock(configuration, lease.get(), releaseIfShort(lease.get(), atMost));
        enter(lock, null);
        return Optional.of(lock);
    }

    /**
     * Stops the thread of the delayed releases, dropping those pending: each such lease ends in the
     * store at its own deadline, which is {@code lockAtLeastUntil} for an unlocked lock, or the
     * backend's shortest lease for one shorter than that. Closing the backend afterwards ends its
     * session leases (PostgreSQL's advisory and rowlock, ZooKeeper, mem's session kind) at once.
     */
    @Override
    public void close() {
        later.shutdownNow();
    }

    /** The lease to ask the store for: {@code wanted}, or the backend's shortest when it is shorter. */
    private Duration storeLease(Duration wanted) {
        Duration shortest = jobLock.leaseLimits().shortest();
        return wanted.compareTo(shortest) < 0 ? shortest : wanted;
    }

    /** When the store keeps {@code lease} longer than {@code wanted}, releases it after {@code wanted}. */
    private @Nullable ScheduledFuture<?> releaseIfShort(Lease lease, Duration wanted) {
        return wanted.compareTo(jobLock.leaseLimits().shortest()) < 0 ? releaseAfter(lease, wanted) : null;
    }

    private ScheduledFuture<?> releaseAfter(Lease lease, Duration delay) {
        return later.schedule(
                () -> {
                    try {
                        lease.release();
                    } catch (RuntimeException e) {
                        // the store drops the lease at its deadline
                        LOG.log(
                                Level.WARNING,
                                "lockkit-shedlock: a delayed release of '" + lease.key() + "' failed",
                                e);
                    }
                },
                Math.max(0, delay.toNanos()),
                TimeUnit.NANOSECONDS);
    }

    private static Duration until(Instant instant) {
        Duration left = Duration.between(ClockProvider.now(), instant);
        return left.isNegative() ? Duration.ZERO : left;
    }

    /** One ShedLock lock: a lockkit lease under ShedLock's configuration. */
    private final class Lock extends AbstractSimpleLock {
        private final Lease lease;
        private final @Nullable ScheduledFuture<?> expiry;
        private volatile boolean ended;

        Lock(LockConfiguration configuration, Lease lease, @Nullable ScheduledFuture<?> expiry) {
            super(configuration);
            this.lease = lease;
            this.expiry = expiry;
        }

        /** Unlocked, extended, or past ShedLock's {@code lockAtMostUntil}. */
        boolean over() {
            return ended || until(lockConfiguration.getLockAtMostUntil()).isZero();
        }

        @Override
        protected void doUnlock() {
            ended = true;
            leave(this);
            if (!cancelExpiry()) {
                return; // released when ShedLock's time was up
            }
            Duration atLeast = until(lockConfiguration.getLockAtLeastUntil());
            if (atLeast.isZero()) {
                lease.release();
                return;
            }
            // ShedLock's lockAtLeastFor: the key stays held until then, also if this process dies now.
            if (atLeast.compareTo(jobLock.leaseLimits().shortest()) >= 0 && !lease.extend(atLeast)) {
                return; // the lease had ended already: nothing is held
            }
            releaseAfter(lease, atLeast);
        }

        @Override
        protected Optional<SimpleLock> doExtend(LockConfiguration configuration) {
            ended = true;
            if (!cancelExpiry()) {
                leave(this);
                return Optional.empty(); // released when ShedLock's time was up
            }
            if (until(lockConfiguration.getLockAtMostUntil()).isZero()) {
                // Past lockAtMostUntil the lock is over, as ShedLock's own providers treat it.
                leave(this);
                lease.release();
                return Optional.empty();
            }
            Duration atMost = until(configuration.getLockAtMostUntil());
            if (!lease.extend(storeLease(atMost))) {
                leave(this);
                return Optional.empty();
            }
            Lock extended = new Lock(configuration, lease, releaseIfShort(lease, atMost));
            enter(extended, this);
            return Optional.of(extended);
        }

        /** Stops the pending release at ShedLock's end of the lock; false when it has run or is running. */
        private boolean cancelExpiry() {
            return expiry == null || expiry.cancel(false);
        }
    }
}
