package io.lockkit;

import java.time.Duration;
import java.util.function.Consumer;

/**
 * A granted lock on one key, with a fencing token. Thread-safe: any thread may extend or release
 * it (never bound to the acquiring thread). Never reentrant: acquiring the same key again, even
 * from the same client, does not succeed while this lease is current.
 *
 * <p>The lease's <b>deadline</b> is the moment the last acknowledged acquire/extend request was
 * sent (monotonic clock) plus the time the store guarantees to keep it, minus a drift margin.
 */
public interface Lease extends AutoCloseable {
    /** The locked key. */
    String key();

    /**
     * The fencing token (L2): greater than every token the same store granted earlier, for any key.
     * Pass it to {@link VersionedUpdate#compareAndSet(String, long, byte[], long)} so that a writer
     * whose lease was taken over is rejected.
     */
    long token();

    /**
     * True while this lease is current and before its deadline (L5). MUST do no I/O; once false it
     * MUST never become true again.
     */
    boolean isValid();

    /** Time left until the deadline; {@link Duration#ZERO} once {@link #isValid()} is false. */
    Duration remaining();

    /**
     * Extends the lease to {@code lease} from now (one round trip). Returns false, and changes
     * nothing in the store, when this lease is no longer current: expired, lost, taken over or
     * released (L3). A false return marks the lease lost.
     *
     * @throws IllegalArgumentException when {@code lease} is outside the backend's {@link
     *     JobLock#leaseLimits()}; nothing is sent and the lease is unchanged (E1)
     * @throws BackendUnavailableException when the store cannot be reached (E2)
     */
    boolean extend(Duration lease);

    /**
     * Releases the lease. Returns true when this call freed the current lease; false when it was no
     * longer current or already released, in which case the current holder is untouched (L3).
     *
     * <p>From the moment it is called, {@link #isValid()} is false for ever, whatever the outcome
     * (L5): the holder has given the key up, and a release whose reply was lost may have freed it
     * for somebody else already. When the store cannot be reached it throws; the release may or may
     * not have been applied. Calling {@code release()} again retries the owner-checked delete, which
     * never frees another holder; if it is never retried, the store drops the lease at its deadline
     * (L4) or with the session.
     *
     * @throws BackendUnavailableException when the store cannot be reached (E2)
     */
    boolean release();

    /** Same as {@link #release()}, ignoring its result. */
    @Override
    void close();

    /**
     * Registers a listener called once, on some lockkit or backend thread, when this lease is
     * known to be lost: its deadline passed, the store reported the session gone, or an extend
     * was refused. Not called after a {@link #release()}. Called at once when already lost.
     */
    void onLost(Consumer<Lease> listener);
}
