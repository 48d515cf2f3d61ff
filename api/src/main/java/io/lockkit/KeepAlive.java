package io.lockkit;

import io.lockkit.internal.LeaseTimer;
import io.lockkit.spi.AbstractLease;
import io.lockkit.spi.Checks;
import io.lockkit.spi.ForwardingLease;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Extends a lease in the background every {@code lease / 3} until closed, the lease is released,
 * or an extend is refused. Loss is reported through {@link Lease#onLost}: a refused extend marks
 * the lease lost, and a store that stays unreachable lets the deadline pass. Thread-safe.
 *
 * <p>Extends run on a pool shared by the JVM of at most {@value
 * io.lockkit.internal.LeaseTimer#EXTEND_THREADS} threads (a stalled store never grows the thread
 * count: each keep-alive has at most one extend queued or running), or on your own {@link
 * ScheduledExecutorService} when you pass one.
 *
 * <pre>{@code
 * try (Lease lease = lock.tryAcquire("job-42", Duration.ofSeconds(30)).orElseThrow();
 *      KeepAlive keepAlive = KeepAlive.start(lease, Duration.ofSeconds(30))) {
 *     lease.onLost(l -> cancelWork());
 *     doLongWork();
 * }
 * }</pre>
 */
public final class KeepAlive implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(KeepAlive.class.getName());

    private final Lease lease;
    private final Duration length;
    private final ScheduledFuture<?> task;
    private final AtomicBoolean inFlight = new AtomicBoolean();

    private KeepAlive(Lease lease, Duration length, Duration every, ScheduledExecutorService executor) {
        this.lease = lease;
        this.length = length;
        long period = every.toNanos();
        if (executor == null) {
            // The timer thread only hands the tick to a bounded worker pool: an extend may block on its store.
            this.task = LeaseTimer.scheduleAtFixedRate(
                    () -> {
                        if (inFlight.compareAndSet(false, true)) {
                            LeaseTimer.extend(this::tick);
                        }
                    },
                    period,
                    period);
        } else {
            this.task = executor.scheduleAtFixedRate(
                    () -> {
                        if (inFlight.compareAndSet(false, true)) {
                            tick();
                        }
                    },
                    period,
                    period,
                    TimeUnit.NANOSECONDS);
        }
    }

    /** Extends {@code lease} to {@code length} every {@code length / 3}. */
    public static KeepAlive start(Lease lease, Duration length) {
        Checks.lease(length);
        return start(lease, length, length.dividedBy(3));
    }

    /** Extends {@code lease} to {@code length} every {@code every}, which must be shorter than {@code length}. */
    public static KeepAlive start(Lease lease, Duration length, Duration every) {
        return create(lease, length, every, null);
    }

    /**
     * Extends {@code lease} to {@code length} every {@code every} on {@code executor}: the extends
     * run on its threads, so its size bounds how many block at once on a stalled store.
     */
    public static KeepAlive start(Lease lease, Duration length, Duration every, ScheduledExecutorService executor) {
        return create(lease, length, every, Objects.requireNonNull(executor, "executor"));
    }

    private static KeepAlive create(
            Lease lease,
            Duration length,
            Duration every,
            @org.jspecify.annotations.Nullable ScheduledExecutorService executor) {
        Objects.requireNonNull(lease, "lease");
        Checks.lease(length);
        Lease inner = lease;
        while (inner instanceof ForwardingLease decorated) { // metered or otherwise decorated
            inner = decorated.delegate();
        }
        if (inner instanceof AbstractLease held) {
            held.limits().check(length); // refused now, not by every tick in the background
        }
        Checks.lease(every);
        if (every.compareTo(length) >= 0) {
            throw new IllegalArgumentException("every (" + every + ") must be shorter than length (" + length + ")");
        }
        return new KeepAlive(lease, length, every, executor);
    }

    /** False once stopped: closed, released, or the lease lost. */
    public boolean isRunning() {
        return !task.isDone();
    }

    private void tick() {
        try {
            extendOnce();
        } finally {
            inFlight.set(false);
        }
    }

    private void extendOnce() {
        if (!lease.isValid()) {
            task.cancel(false);
            return;
        }
        try {
            if (!lease.extend(length)) {
                task.cancel(false);
            }
        } catch (LockKitException e) {
            // Keep trying: if the store stays away, the deadline passes and onLost fires.
            LOG.log(Level.WARNING, "keep-alive of lease on '" + lease.key() + "' failed, will retry", e);
        } catch (RuntimeException e) {
            task.cancel(false);
            LOG.log(Level.ERROR, "keep-alive of lease on '" + lease.key() + "' stopped", e);
        }
    }

    /** Stops extending; does not release the lease. */
    @Override
    public void close() {
        task.cancel(false);
    }
}
