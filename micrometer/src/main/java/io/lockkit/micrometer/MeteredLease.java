package io.lockkit.micrometer;

import io.lockkit.Lease;
import io.lockkit.spi.ForwardingLease;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * A granted lease that records its extends and release, its hold time (grant to release or loss)
 * and, once, its loss with the cause. Everything else, {@link #onLost} included (listeners receive
 * this lease), is {@link ForwardingLease}'s. Thread-safe.
 *
 * <p><b>The cause of a loss.</b> {@link Lease#onLost} says that a lease is lost, not why. The cause
 * is told apart here: {@code extend_refused} when an extend through this lease returned false while
 * the lease was valid just before it and its deadline had not passed by the reply; otherwise {@code
 * expired} when the loss came at or after the deadline (the deadline is {@link #remaining()} added to
 * {@link System#nanoTime()}, read after the grant and after each extend, which is exact for leases
 * on the system ticker) and {@code session_ended} when it came before: the store reported the lease
 * gone (session expired, connection lost).
 */
final class MeteredLease extends ForwardingLease {
    static final String EXPIRED = "expired";
    static final String SESSION_ENDED = "session_ended";
    static final String EXTEND_REFUSED = "extend_refused";

    private final Meters meters;
    private final @Nullable String key;
    private final long grantedAt;

    /** Guarded by this: set once the hold time is recorded (release or loss, whichever came first). */
    private boolean ended;
    /** Guarded by this: extends through this lease in flight; a loss reported meanwhile waits for them. */
    private int extending;
    /** Guarded by this: a loss reported while an extend was in flight, recorded when it returns. */
    private boolean lossPending;
    /** Guarded by this: the cause an extend that returned false found. */
    private @Nullable String refusal;
    /** The deadline on System.nanoTime(), never later than the lease's own. */
    private volatile long deadline;

    private MeteredLease(Lease delegate, Meters meters, long grantedAt) {
        super(delegate);
        this.meters = meters;
        this.grantedAt = grantedAt;
        this.key = keyOf(delegate);
    }

    private static @Nullable String keyOf(Lease lease) {
        try {
            return lease.key();
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** Wraps a lease just granted and starts watching for its loss. */
    static MeteredLease granted(Lease lease, Meters meters) {
        MeteredLease metered = new MeteredLease(lease, meters, meters.now());
        metered.sampleDeadline(true);
        try {
            lease.onLost(l -> metered.lossReported());
        } catch (RuntimeException e) {
            // Nothing observed then, but the lease is the caller's as granted.
        }
        return metered;
    }

    /** Reads the deadline off {@link #remaining()}: the clock is read before it, so it is never late. */
    private void sampleDeadline(boolean always) {
        try {
            long before = System.nanoTime();
            long left = delegate.remaining().toNanos();
            if (always || left > 0) {
                deadline = before + left;
            }
        } catch (RuntimeException e) {
            // an estimate only: a lease that cannot say its remaining time keeps the last one
        }
    }

    @Override
    public boolean extend(Duration lease) {
        long start = meters.now();
        long before = System.nanoTime();
        long left = remainingNanos();
        synchronized (this) {
            extending++;
        }
        boolean extended = false;
        boolean threw = true;
        try {
            extended = delegate.extend(lease);
            threw = false;
            return extended;
        } catch (RuntimeException | Error e) {
            meters.extendFailed(key, start, e);
            throw e;
        } finally {
            if (!threw) {
                meters.extended(key, start, extended);
                if (extended) {
                    sampleDeadline(false);
                }
            }
            String cause = null;
            synchronized (this) {
                extending--;
                if (!threw && !extended && left > 0) {
                    refusal = System.nanoTime() - before >= left ? EXPIRED : EXTEND_REFUSED;
                }
                if (lossPending && extending == 0) {
                    lossPending = false;
                    cause = causeLocked();
                }
            }
            if (cause != null) {
                lost(cause);
            }
        }
    }

    private long remainingNanos() {
        try {
            return delegate.remaining().toNanos();
        } catch (RuntimeException e) {
            return 0;
        }
    }

    @Override
    public boolean release() {
        long start = meters.now();
        boolean valid;
        try {
            valid = delegate.isValid(); // what release() does first: an expired lease is reported lost, not released
        } catch (RuntimeException e) {
            valid = false;
        }
        if (valid) {
            boolean first;
            synchronized (this) {
                first = !ended;
                ended = true;
            }
            if (first) {
                meters.ended(key, grantedAt, "released", null);
            }
        }
        boolean released;
        try {
            released = delegate.release();
        } catch (RuntimeException | Error e) {
            meters.releaseFailed(key, start, e);
            throw e;
        }
        meters.released(key, start, released);
        return released;
    }

    /** The original lease's onLost listener. */
    private void lossReported() {
        String cause;
        synchronized (this) {
            if (ended) {
                return;
            }
            if (extending > 0) {
                lossPending = true; // the extend in flight knows better why: it records the loss
                return;
            }
            cause = causeLocked();
        }
        lost(cause);
    }

    private String causeLocked() {
        if (refusal != null) {
            return refusal;
        }
        return System.nanoTime() - deadline >= 0 ? EXPIRED : SESSION_ENDED;
    }

    private void lost(String cause) {
        synchronized (this) {
            if (ended) {
                return;
            }
            ended = true;
        }
        meters.ended(key, grantedAt, "lost", cause);
    }

    @Override
    public String toString() {
        return "metered " + delegate;
    }
}
