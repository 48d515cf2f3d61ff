package io.lockkit.jdbc.internal;

import io.lockkit.Lease;
import java.time.Duration;

/** What every database's waiting acquire does at its ends: the wait's length and L8. Stateless. */
public final class Acquiring {
    private Acquiring() {}

    /** {@code d} in nanoseconds, {@link Long#MAX_VALUE} for a wait longer than the JVM counts ("forever", L7). */
    public static long saturatedNanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    /** L8: a lease granted to an interrupted thread is released, and the interrupt reported. */
    public static Lease keepUnlessInterrupted(Lease lease) throws InterruptedException {
        if (!Thread.currentThread().isInterrupted()) {
            return lease;
        }
        try {
            lease.release(); // L8: an interrupted acquire leaves no lock held
        } catch (RuntimeException e) {
            // it expires by itself (L4)
        }
        throw new InterruptedException("interrupted while acquiring '" + lease.key() + "'");
    }

    public static void throwIfInterrupted() throws InterruptedException {
        if (Thread.currentThread().isInterrupted()) {
            throw new InterruptedException("interrupted while waiting to acquire");
        }
    }

    /** The safety margin subtracted from a lease's deadline: the drift margin, at most a tenth of the lease. */
    public static Duration margin(Duration driftMargin, Duration lease) {
        Duration tenth = lease.dividedBy(10);
        return driftMargin.compareTo(tenth) < 0 ? driftMargin : tenth;
    }

    /** A lease's length in whole microseconds, rounded up so the server never keeps it shorter. */
    public static long micros(Duration lease) {
        return lease.getSeconds() * 1_000_000 + (lease.getNano() + 999) / 1000;
    }
}
