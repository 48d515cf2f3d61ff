package io.lockkit.spi;

import io.lockkit.Lease;
import io.lockkit.LeaseLimits;
import io.lockkit.Ticker;
import io.lockkit.internal.LeaseTimer;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The part of a {@link Lease} that is the same on every backend: the deadline (send time of the
 * last acknowledged request + the time the store guarantees − a drift margin), {@link #isValid()}
 * without I/O (L5), release that never brings the lease back (L3, L5), lease limits (E1), and loss
 * notification. A backend supplies one
 * owner-checked round trip each for {@link #doExtend} and {@link #doRelease}, and calls {@link
 * #markLost()} when its store reports the lease gone. Thread-safe.
 */
public abstract class AbstractLease implements Lease {
    private static final System.Logger LOG = System.getLogger(AbstractLease.class.getName());

    private enum State {
        CURRENT,
        EXPIRED,
        LOST,
        RELEASED
    }

    private final String key;
    private final long token;
    private final Ticker ticker;
    private final long marginNanos;
    private final LeaseLimits limits;
    private final List<Consumer<Lease>> listeners = new ArrayList<>();

    private final ReentrantLock extending = new ReentrantLock();
    private volatile State state = State.CURRENT;
    /** Set by the first release() call, under this monitor: the delete it sent may not have reached the store. */
    private boolean releasePending;

    private boolean releaseInFlight;
    /** Whether the lease was current (and before its deadline) when release() was first called. */
    private boolean currentAtRelease;

    private volatile long deadline;
    private @Nullable ScheduledFuture<?> timer;

    /**
     * @param sentNanos {@code ticker} reading taken before the acquire request was sent
     * @param guaranteed how long the store promises to keep the lease after that request
     * @param driftMargin subtracted from the deadline for clock drift between client and store
     * @param limits the backend's {@link io.lockkit.JobLock#leaseLimits()}; {@link #extend} refuses
     *     a duration outside them before anything is sent
     */
    protected AbstractLease(
            String key,
            long token,
            Ticker ticker,
            long sentNanos,
            Duration guaranteed,
            Duration driftMargin,
            LeaseLimits limits) {
        this.key = Objects.requireNonNull(key, "key");
        this.token = token;
        this.ticker = Objects.requireNonNull(ticker, "ticker");
        this.limits = Objects.requireNonNull(limits, "limits");
        this.marginNanos = Checks.saturatedNanos(driftMargin);
        // The backend checked the lease against its limits before sending it, so this cannot overflow.
        this.deadline = sentNanos + Checks.saturatedNanos(guaranteed) - marginNanos;
    }

    /** The limits {@link #extend} checks. */
    public final LeaseLimits limits() {
        return limits;
    }

    /** One owner-checked round trip: extend this lease to {@code lease}; false when it is no longer ours. */
    protected abstract boolean doExtend(Duration lease);

    /** One owner-checked round trip: delete this lease; false when it is no longer ours. */
    protected abstract boolean doRelease();

    /**
     * The drift margin subtracted after an extend to {@code lease}; the margin given to the
     * constructor unless the backend scales it with the lease (clock rate error grows with time).
     */
    protected Duration margin(Duration lease) {
        return Duration.ofNanos(marginNanos);
    }

    /**
     * How long the store guarantees to keep the lease after an extend to {@code requested}; the
     * requested duration unless the store keeps it for less (a ZooKeeper session timeout).
     */
    protected Duration guaranteed(Duration requested) {
        return requested;
    }

    @Override
    public final String key() {
        return key;
    }

    @Override
    public final long token() {
        return token;
    }

    /** The injected clock, for subclasses that time their requests. */
    protected final Ticker ticker() {
        return ticker;
    }

    @Override
    public final boolean isValid() {
        if (state != State.CURRENT) {
            return false;
        }
        if (ticker.nanos() - deadline >= 0) {
            end(State.EXPIRED);
            return false;
        }
        return true;
    }

    @Override
    public final Duration remaining() {
        if (!isValid()) {
            return Duration.ZERO;
        }
        return Duration.ofNanos(Math.max(0, deadline - ticker.nanos()));
    }

    @Override
    public final boolean extend(Duration lease) {
        limits.check(lease);
        // One extend at a time: two in flight with different lengths could leave the deadline of the
        // longer while the store kept the shorter. Release and isValid() never wait for this lock.
        extending.lock();
        try {
            return extendOnce(lease);
        } finally {
            extending.unlock();
        }
    }

    private boolean extendOnce(Duration lease) {
        if (!isValid()) {
            return false;
        }
        long sent = ticker.nanos();
        boolean extended = doExtend(lease);
        synchronized (this) {
            if (!extended) {
                endLocked(State.LOST);
                return false;
            }
            // If the old deadline passed during the round trip the lease was invalid for a while;
            // it must never become valid again (L5).
            if (state != State.CURRENT || ticker.nanos() - deadline >= 0) {
                endLocked(State.EXPIRED);
                return false;
            }
            deadline = sent + guaranteed(lease).toNanos() - margin(lease).toNanos();
            rescheduleLocked();
            return true;
        }
    }

    @Override
    public final boolean release() {
        isValid(); // a passed deadline makes this lease EXPIRED first, so release reports false (L3)
        State before;
        synchronized (this) {
            before = state;
            if (before == State.RELEASED) {
                if (!releasePending || releaseInFlight) {
                    return false; // released, or another thread's release is on its way
                }
            } else {
                // From here on the lease is given up for ever, whatever the store answers (L5):
                // a release whose reply was lost may already have let somebody else in.
                state = State.RELEASED;
                listeners.clear();
                cancelTimerLocked();
                currentAtRelease = before == State.CURRENT;
                if (before == State.LOST) {
                    return false; // the store told us it is gone: nothing of ours is left to delete
                }
            }
            releasePending = true;
            releaseInFlight = true;
        }
        boolean released = false;
        try {
            // Owner-checked: an expired lease the store still keeps is freed early; a taken-over one is not touched.
            released = doRelease();
            synchronized (this) {
                releasePending = false;
            }
        } finally {
            synchronized (this) {
                releaseInFlight = false; // still pending when doRelease threw: a later release() retries it
            }
        }
        // A retry reports true only if the lease was still within its deadline when it went through.
        return released && currentAtRelease && (before != State.RELEASED || ticker.nanos() - deadline < 0);
    }

    @Override
    public final void close() {
        release();
    }

    @Override
    public final void onLost(Consumer<Lease> listener) {
        Objects.requireNonNull(listener, "listener");
        boolean now;
        synchronized (this) {
            if (state == State.RELEASED) {
                return; // given up by its holder: never reported lost
            }
            now = state == State.EXPIRED || state == State.LOST;
            if (!now) {
                listeners.add(listener);
                rescheduleLocked();
            }
        }
        if (now) {
            notify(listener);
        } else {
            isValid(); // fires at once if the deadline already passed
        }
    }

    /** Called by the backend when the store reports this lease gone (session expired, connection lost). */
    protected final void markLost() {
        end(State.LOST);
    }

    private synchronized void end(State to) {
        endLocked(to);
    }

    private void endLocked(State to) {
        if (state != State.CURRENT) {
            return;
        }
        state = to;
        cancelTimerLocked();
        List<Consumer<Lease>> toCall = List.copyOf(listeners);
        listeners.clear();
        if (!toCall.isEmpty()) {
            // Listeners run on a worker thread, never under this lease's monitor or on the timer.
            LeaseTimer.notifyListeners(() -> toCall.forEach(this::notify));
        }
    }

    private void notify(Consumer<Lease> listener) {
        try {
            listener.accept(this);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "onLost listener of lease on '" + key + "' threw", e);
        }
    }

    private void rescheduleLocked() {
        cancelTimerLocked();
        if (!listeners.isEmpty() && state == State.CURRENT) {
            timer = LeaseTimer.schedule(this::isValidOrReschedule, deadline - ticker.nanos());
        }
    }

    private void isValidOrReschedule() {
        if (isValid()) {
            synchronized (this) {
                rescheduleLocked();
            }
        }
    }

    private void cancelTimerLocked() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[key=" + key + ", token=" + token + ", state=" + state + "]";
    }
}
