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
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
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
 *       token, also after ShedLock's {@code KeepAliveLockProvider} extended it from its own thread;
 *       {@link #leaseOf(SimpleLock)} gives the lease of a lock this provider returned.
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
    /** The runs this thread took and has not unlocked, innermost first. */
    private static final ThreadLocal<Deque<Run>> CURRENT = ThreadLocal.withInitial(ArrayDeque::new);

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
     * and has not unlocked, while ShedLock's time for it lasts: inside a task run by ShedLock's {@code
     * LockingTaskExecutor} or under {@code @SchedulerLock}, the run's lease (extends, by {@code
     * LockExtender} or {@code KeepAliveLockProvider}'s thread, keep it). Pass its {@link
     * Lease#token()} to a fenced write.
     */
    public static Optional<Lease> currentLease() {
        Deque<Run> runs = CURRENT.get();
        runs.removeIf(Run::over);
        Optional<Lease> current = Optional.ofNullable(runs.peekFirst()).map(r -> r.lease);
        if (current.isEmpty()) {
            CURRENT.remove();
        }
        return current;
    }

    /** The lease under {@code lock} when this provider (or its extend) returned it; empty for any other lock. */
    public static Optional<Lease> leaseOf(SimpleLock lock) {
        return lock instanceof Lock ours ? Optional.of(ours.run.lease) : Optional.empty();
    }

    @Override
    public Optional<SimpleLock> lock(LockConfiguration configuration) {
        Objects.requireNonNull(configuration, "configuration");
        requireWithinLongest(configuration);
        Duration atMost = until(configuration.getLockAtMostUntil());
        Optional<Lease> lease = jobLock.tryAcquire(configuration.getName(), storeLease(atMost));
        if (lease.isEmpty()) {
            return Optional.empty();
        }
        Run run = new Run(lease.get(), configuration.getLockAtMostUntil());
        run.expireIfShort(atMost);
        Deque<Run> runs = CURRENT.get();
        runs.removeIf(Run::over); // what a lock never unlocked on this thread left behind
        runs.addFirst(run);
        return Optional.of(new Lock(configuration, run));
    }

    /**
     * Stops the thread of the delayed releases, dropping those pending: each such lease ends in the
     * store at its own deadline, which is {@code lockAtLeastUntil} for an unlocked lock, or the
     * backend's shortest lease for one shorter than that. A lock or unlock after {@code close()} works
     * the same, its short lease left to the store. Closing the backend afterwards ends its session
     * leases (PostgreSQL's advisory and rowlock, ZooKeeper, mem's session kind) at once.
     */
    @Override
    public void close() {
        later.shutdownNow();
    }

    /** E1: a lockAtMostFor the backend cannot hold is refused, naming it, before anything is sent. */
    private void requireWithinLongest(LockConfiguration configuration) {
        Duration longest = jobLock.leaseLimits().longest();
        if (configuration.getLockAtMostFor().compareTo(longest) > 0) {
            throw new IllegalArgumentException("lockAtMostFor of '" + configuration.getName() + "' must be at most "
                    + longest + " (the backend's longest lease), was " + configuration.getLockAtMostFor());
        }
    }

    /** The lease to ask the store for: {@code wanted}, or the backend's shortest when it is shorter. */
    private Duration storeLease(Duration wanted) {
        Duration shortest = jobLock.leaseLimits().shortest();
        return wanted.compareTo(shortest) < 0 ? shortest : wanted;
    }

    private boolean shorterThanTheStoreKeeps(Duration wanted) {
        return wanted.compareTo(jobLock.leaseLimits().shortest()) < 0;
    }

    /** Runs {@code task} after {@code delay}; null after {@link #close()} (the store's deadline then serves). */
    private @Nullable ScheduledFuture<?> after(Duration delay, Runnable task) {
        try {
            return later.schedule(task, Math.max(0, delay.toNanos()), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException closed) {
            return null;
        }
    }

    private static void releaseQuietly(Lease lease) {
        try {
            lease.release();
        } catch (RuntimeException e) {
            // the store drops the lease at its deadline
            LOG.log(Level.WARNING, "lockkit-shedlock: a delayed release of '" + lease.key() + "' failed", e);
        }
    }

    private static Duration until(Instant instant) {
        Duration left = Duration.between(ClockProvider.now(), instant);
        return left.isNegative() ? Duration.ZERO : left;
    }

    private enum State {
        /** The run holds its lease. */
        HELD,
        /** An extend is in flight: the release at ShedLock's end of the lock waits for its outcome. */
        EXTENDING,
        /** Unlocked, released at ShedLock's end of the lock, or refused an extend. */
        ENDED
    }

    /**
     * One run: its lease and where it stands, shared by the {@link Lock} that {@code lock} returned
     * and every {@link Lock} its extends returned, whichever thread calls them.
     */
    private final class Run {
        final Lease lease;
        final AtomicReference<State> state = new AtomicReference<>(State.HELD);
        volatile Instant atMostUntil;
        volatile @Nullable ScheduledFuture<?> expiry;

        Run(Lease lease, Instant atMostUntil) {
            this.lease = lease;
            this.atMostUntil = atMostUntil;
        }

        /** ShedLock's time for it is up, or it ended. */
        boolean over() {
            return state.get() == State.ENDED || until(atMostUntil).isZero();
        }

        /** When the store keeps the lease longer than ShedLock's {@code atMost}, releases it then. */
        void expireIfShort(Duration atMost) {
            expiry = shorterThanTheStoreKeeps(atMost)
                    ? after(atMost, () -> {
                        if (state.compareAndSet(State.HELD, State.ENDED)) {
                            releaseQuietly(lease);
                        }
                    })
                    : null;
        }

        void cancelExpiry() {
            ScheduledFuture<?> scheduled = expiry;
            if (scheduled != null) {
                scheduled.cancel(false); // a no-op if it runs now: it finds the state changed
            }
        }
    }

    /** One ShedLock lock: a run under one of ShedLock's configurations (the first, or an extend's). */
    private final class Lock extends AbstractSimpleLock {
        private final Run run;

        Lock(LockConfiguration configuration, Run run) {
            super(configuration);
            this.run = run;
        }

        @Override
        protected void doUnlock() {
            Deque<Run> runs = CURRENT.get();
            runs.remove(run);
            if (runs.isEmpty()) {
                CURRENT.remove();
            }
            if (!run.state.compareAndSet(State.HELD, State.ENDED)) {
                return; // released when ShedLock's time was up
            }
            run.cancelExpiry();
            Duration atLeast = until(lockConfiguration.getLockAtLeastUntil());
            if (atLeast.isZero()) {
                run.lease.release();
                return;
            }
            // ShedLock's lockAtLeastFor: the key stays held until then, also if this process dies now
            // (for at most the backend's shortest lease when that is longer)
            if (!run.lease.extend(storeLease(atLeast))) {
                return; // the lease had ended already: nothing is held
            }
            after(atLeast, () -> releaseQuietly(run.lease));
        }

        @Override
        protected Optional<SimpleLock> doExtend(LockConfiguration configuration) {
            requireWithinLongest(configuration);
            if (!run.state.compareAndSet(State.HELD, State.EXTENDING)) {
                return Optional.empty(); // released when ShedLock's time was up
            }
            boolean extended = false;
            try {
                if (until(lockConfiguration.getLockAtMostUntil()).isZero()) {
                    // Past lockAtMostUntil the lock is over, as ShedLock's own providers treat it.
                    run.lease.release();
                    return Optional.empty();
                }
                Duration atMost = until(configuration.getLockAtMostUntil());
                if (!run.lease.extend(storeLease(atMost))) {
                    // Refused past the lease's deadline: the store may keep the key for the drift
                    // margin still; ShedLock now counts it free, so let it go (owner-checked).
                    releaseQuietly(run.lease);
                    return Optional.empty();
                }
                run.cancelExpiry();
                run.atMostUntil = configuration.getLockAtMostUntil();
                run.expireIfShort(atMost);
                extended = true;
                return Optional.of(new Lock(configuration, run));
            } catch (RuntimeException e) {
                extended = true; // unknown: the run keeps its lease until its deadline or an unlock
                throw e;
            } finally {
                run.state.set(extended ? State.HELD : State.ENDED);
            }
        }
    }
}
