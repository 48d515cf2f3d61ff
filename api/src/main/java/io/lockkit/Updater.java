package io.lockkit;

import io.lockkit.internal.KeyGate;
import io.lockkit.spi.Checks;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The retrying updater: read → the caller's {@link UpdateFunction} → compare-and-set (or create
 * when absent), until it wins, the function declines, or the {@link RetryPolicy} is exhausted.
 * Backend-independent and thread-safe.
 *
 * <p>It never retries {@link FencedOutException} or {@link OutcomeUnknownException}: both reach
 * the caller (V3, V4). Every acknowledged success is applied exactly once (V4).
 *
 * <p>Threads of one process updating the same key through the same store instance take turns, one
 * attempt at a time (any {@code Updater} over that instance): a compare-and-set that a thread of
 * the same process is bound to beat is not sent at all, so a hot key costs about one read and one
 * write per success instead of a storm of conflicts. Rivals in other processes still race through
 * the store and back off as the policy says; the wait for a turn counts against {@code
 * maxDuration}, and the backoff is spent outside the turn.
 */
public final class Updater {
    private final VersionedUpdate store;
    private final RetryPolicy policy;

    /** An updater over {@code store} that retries as {@code policy} says; see {@link VersionedUpdate#updater}. */
    public Updater(VersionedUpdate store, RetryPolicy policy) {
        this.store = Objects.requireNonNull(store, "store");
        this.policy = Objects.requireNonNull(policy, "policy");
    }

    /**
     * Updates {@code key} with {@code function}. Returns the written value, or empty when the
     * function declined.
     *
     * @throws ConcurrentUpdateException when the policy is exhausted (or the thread is interrupted
     *     while backing off or waiting for its turn; the interrupt flag is then set again)
     */
    public Optional<Versioned> update(String key, UpdateFunction function) {
        return run(key, 0, function);
    }

    /**
     * {@link #update(String, UpdateFunction)} with every write fenced by {@code fencingToken} (V3),
     * the create of an absent key included: a token lower than one that already wrote the key, also
     * before it was deleted, gets {@link FencedOutException}.
     */
    public Optional<Versioned> update(String key, long fencingToken, UpdateFunction function) {
        return run(key, Checks.fencingToken(fencingToken), function);
    }

    private Optional<Versioned> run(String key, long token, UpdateFunction function) {
        Checks.key(key);
        Objects.requireNonNull(function, "function");
        Ticker ticker = policy.ticker();
        long start = ticker.nanos();
        long lastVersion = 0;
        for (int attempt = 1; ; attempt++) {
            try (KeyGate.Pass turn = turn(key, ticker, start, attempt - 1, lastVersion)) {
                Optional<Versioned> current = store.read(key);
                lastVersion = current.map(Versioned::version).orElse(lastVersion);
                Optional<byte[]> next = function.apply(current);
                if (next.isEmpty()) {
                    return Optional.empty();
                }
                byte[] value = Checks.value(next.get());
                Optional<Versioned> written;
                if (current.isEmpty()) {
                    // A fenced update creates fenced too: the fence a deleted key left behind MUST stop a zombie (V3).
                    written = token == 0 ? store.create(key, value) : store.create(key, value, token);
                } else if (token == 0) {
                    written = store.compareAndSet(key, current.get().version(), value);
                } else {
                    written = store.compareAndSet(key, current.get().version(), value, token);
                }
                if (written.isPresent()) {
                    return written;
                }
            }
            if (attempt >= policy.maxAttempts()) {
                throw new ConcurrentUpdateException(key, attempt, lastVersion, "maxAttempts reached");
            }
            Duration pause = policy.backoff(attempt);
            if (ticker.nanos() - start + pause.toNanos() >= policy.maxDuration().toNanos()) {
                throw new ConcurrentUpdateException(
                        key, attempt, lastVersion, "maxDuration " + policy.maxDuration() + " reached");
            }
            try {
                policy.sleeper().sleep(pause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ConcurrentUpdateException(key, attempt, lastVersion, "interrupted", e);
            }
        }
    }

    /** Waits for this process's turn on {@code key} (see the class comment), within the policy's deadline. */
    private KeyGate.Pass turn(String key, Ticker ticker, long start, int attempts, long lastVersion) {
        long left = policy.maxDuration().toNanos() - (ticker.nanos() - start);
        KeyGate.Pass pass;
        try {
            pass = KeyGate.enter(store, key, left);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConcurrentUpdateException(key, attempts, lastVersion, "interrupted", e);
        }
        if (pass == null) {
            throw new ConcurrentUpdateException(
                    key,
                    attempts,
                    lastVersion,
                    "maxDuration " + policy.maxDuration()
                            + " reached waiting for the turn of other threads of this process on the key");
        }
        return pass;
    }
}
