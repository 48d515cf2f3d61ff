package io.lockkit.peers.internal;

import io.lockkit.Lease;
import io.lockkit.spi.Checks;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ScheduledFuture;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * A peer's lock as a lockkit {@link Lease}. {@link #isValid()} is local: the deadline is the
 * moment before the acquire request was sent plus the lease (no drift margin), and a lease the
 * peer reported lost ({@link #markLost()}: Curator's connection SUSPENDED or LOST, an extend the
 * peer refused) is invalid. {@link #extend} and {@link #release} ask the peer and report its
 * answer, also for a lease that is already invalid locally, so the table shows what the peer does
 * for a zombie holder. Exceptions: for a peer without an extend, {@code extend} returns false
 * without a call and the lease becomes invalid as if its deadline had passed (the Lease contract:
 * a false extend ends it), while its release still reports the peer's answer; a release of a lease
 * the peer itself reported lost is passed to the peer and returns false, as the peer has already
 * said it is gone; a second release returns false without asking the peer. Thread-safe.
 */
public final class PeerLease implements Lease {
    private enum State {
        CURRENT,
        LOST,
        RELEASED
    }

    private final String key;
    private final long token;
    private final PeerHold hold;
    private final String peer;
    private final List<Consumer<Lease>> listeners = new ArrayList<>();
    private @Nullable ScheduledFuture<?> timer;
    private volatile State state = State.CURRENT;
    private volatile boolean expired;
    private volatile long deadline;

    /**
     * @param sentNanos {@link System#nanoTime()} read before the acquire request was sent
     * @param lease the lease asked of the peer
     */
    public PeerLease(String peer, String key, PeerHold hold, long sentNanos, Duration lease) {
        this.peer = peer;
        this.key = Objects.requireNonNull(key, "key");
        this.hold = Objects.requireNonNull(hold, "hold");
        this.token = hold.token().orElseGet(LocalTokens::next);
        this.deadline = sentNanos + Checks.saturatedNanos(lease);
    }

    @Override
    public String key() {
        return key;
    }

    /** The peer's fencing token, or a {@link LocalTokens local one} that fences nothing. */
    @Override
    public long token() {
        return token;
    }

    @Override
    public boolean isValid() {
        if (state != State.CURRENT || expired) {
            return false;
        }
        if (System.nanoTime() - deadline >= 0) {
            expired = true;
            fireLost();
            return false;
        }
        return true;
    }

    @Override
    public Duration remaining() {
        return isValid() ? Duration.ofNanos(Math.max(0, deadline - System.nanoTime())) : Duration.ZERO;
    }

    @Override
    public boolean extend(Duration lease) {
        Checks.lease(lease);
        if (state == State.RELEASED) {
            return false;
        }
        if (!hold.canExtend()) {
            expired = true; // the lockkit contract: a false extend ends the lease; the peer was not asked
            fireLost();
            return false;
        }
        long sent = System.nanoTime();
        boolean extended;
        try {
            extended = hold.extend(lease);
        } catch (Exception e) {
            throw Failures.translate(peer + " extend", e);
        }
        synchronized (this) {
            if (!extended) {
                markLost();
            } else if (isValid()) {
                // Once invalid, never valid again (L5): a zombie's successful extend moves nothing here.
                deadline = sent + Checks.saturatedNanos(lease);
                reschedule();
            }
        }
        return extended;
    }

    @Override
    public boolean release() {
        State before;
        synchronized (this) {
            before = state;
            if (before == State.RELEASED) {
                return false;
            }
            state = State.RELEASED;
            cancelTimer();
            listeners.clear();
        }
        boolean released;
        try {
            released = hold.release();
        } catch (Exception e) {
            throw Failures.translate(peer + " release", e);
        }
        return released && before == State.CURRENT;
    }

    @Override
    public void close() {
        release();
    }

    @Override
    public void onLost(Consumer<Lease> listener) {
        Objects.requireNonNull(listener, "listener");
        boolean now;
        synchronized (this) {
            now = state == State.LOST || expired;
            if (!now && state == State.CURRENT) {
                listeners.add(listener);
                reschedule();
            }
        }
        if (now) {
            notify(listener);
        } else {
            isValid();
        }
    }

    /** Called when the peer reports this lock gone (a connection state, a refused extend). */
    public void markLost() {
        synchronized (this) {
            if (state != State.CURRENT) {
                return;
            }
            state = State.LOST;
        }
        fireLost();
    }

    private void fireLost() {
        List<Consumer<Lease>> toCall;
        synchronized (this) {
            cancelTimer();
            toCall = List.copyOf(listeners);
            listeners.clear();
        }
        if (!toCall.isEmpty()) {
            LeaseTimer.execute(() -> toCall.forEach(this::notify));
        }
    }

    private void notify(Consumer<Lease> listener) {
        try {
            listener.accept(this);
        } catch (RuntimeException e) {
            System.getLogger(PeerLease.class.getName())
                    .log(System.Logger.Level.WARNING, "onLost listener of " + peer + " lease threw", e);
        }
    }

    private synchronized void reschedule() {
        cancelTimer();
        if (!listeners.isEmpty() && state == State.CURRENT && !expired) {
            timer = LeaseTimer.schedule(this::isValid, deadline - System.nanoTime());
        }
    }

    private synchronized void cancelTimer() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    @Override
    public String toString() {
        return peer + " lease[key=" + key + ", token=" + token + ", state=" + state + (expired ? ", expired" : "")
                + "]";
    }
}
