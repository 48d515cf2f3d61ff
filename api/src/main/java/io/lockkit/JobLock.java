package io.lockkit;

import java.time.Duration;
import java.util.Optional;
import java.util.function.Function;

/**
 * Exclusive leases on string keys, with fencing tokens. Implementations MUST be thread-safe.
 *
 * <p>Losing a race is a value ({@link Optional#empty()}), never an exception (L6); an unreachable
 * store is a {@link BackendUnavailableException}, never "held" (E2).
 */
public interface JobLock {
    /**
     * The shortest and longest lease this backend grants. {@link #tryAcquire}, {@link #acquire} and
     * {@link Lease#extend} refuse a duration outside them with an {@link IllegalArgumentException}
     * naming it, before anything is written (E1).
     */
    LeaseLimits leaseLimits();

    /**
     * One attempt to take {@code key} for {@code lease}. Empty when another lease is current (L1).
     *
     * @throws IllegalArgumentException for a bad key or a lease outside {@link #leaseLimits()} (E1)
     * @throws NullPointerException for a null argument (E1)
     * @throws BackendUnavailableException when the store cannot be reached (E2)
     */
    Optional<Lease> tryAcquire(String key, Duration lease);

    /**
     * Takes {@code key}, waiting up to {@code maxWait} for the current holder to release or lose it.
     * Waiting is woken by the store's release notification where the backend has one (L7); a zero
     * {@code maxWait} is one attempt.
     *
     * <p>When interrupted it throws {@link InterruptedException} with the thread's interrupt flag
     * set again, and holds no lock afterwards (L8).
     *
     * @throws IllegalArgumentException for a bad key, a lease outside {@link #leaseLimits()} or a
     *     negative wait
     * @throws BackendUnavailableException when the store cannot be reached (E2)
     */
    Optional<Lease> acquire(String key, Duration lease, Duration maxWait) throws InterruptedException;

    /**
     * Runs {@code action} under a lease on {@code key} and releases the lease afterwards, also when
     * the action throws. Empty when the lease could not be had within {@code maxWait}. The action
     * receives the lease so it can fence its writes with {@link Lease#token()}.
     */
    default <T> Optional<T> callWithLease(String key, Duration lease, Duration maxWait, Function<Lease, T> action)
            throws InterruptedException {
        Optional<Lease> acquired = acquire(key, lease, maxWait);
        if (acquired.isEmpty()) {
            return Optional.empty();
        }
        try (Lease held = acquired.get()) {
            return Optional.of(action.apply(held));
        }
    }

    /** {@link #callWithLease} for an action without a result; returns whether it ran. */
    default boolean runWithLease(
            String key, Duration lease, Duration maxWait, java.util.function.Consumer<Lease> action)
            throws InterruptedException {
        return callWithLease(key, lease, maxWait, held -> {
                    action.accept(held);
                    return Boolean.TRUE;
                })
                .isPresent();
    }
}
