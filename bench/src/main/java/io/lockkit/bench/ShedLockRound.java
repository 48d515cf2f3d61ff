package io.lockkit.bench;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import net.javacrumbs.shedlock.core.LockConfiguration;
import net.javacrumbs.shedlock.core.LockProvider;
import net.javacrumbs.shedlock.core.SimpleLock;

/**
 * ShedLock's lock + unlock of a free lock, on 64 names taken in turn. ShedLock's plain JDBC provider
 * keeps {@code lock_until} in whole milliseconds from the JVM clock, so a name unlocked and locked
 * again within the same millisecond is refused: each name comes round only after several
 * milliseconds (all of them exist after the first lap, so every lock after it takes the update
 * path). Every ShedLock row of the benchmark rotates alike, so they all do the same work. Not
 * thread-safe: one benchmark thread.
 */
final class ShedLockRound {
    private static final int NAMES = 64;
    private static final Duration LEASE = Duration.ofSeconds(30);

    private final LockProvider provider;
    private final String[] names = new String[NAMES];
    private int next;

    ShedLockRound(LockProvider provider, String prefix) {
        this.provider = provider;
        for (int i = 0; i < names.length; i++) {
            names[i] = prefix + "-" + i;
        }
    }

    /** Locks the next name, which must be free. */
    SimpleLock lock() {
        String name = names[next++ % names.length];
        return provider.lock(new LockConfiguration(Instant.now(), name, LEASE, Duration.ZERO))
                .orElseThrow(() -> new IllegalStateException("ShedLock: uncontended lock of " + name + " failed"));
    }

    /** Lock + unlock. */
    void lockUnlock() {
        lock().unlock();
    }

    /** The breakdown's three steps: lock + unlock, the lock alone and the unlock alone (the other half untimed). */
    void putSteps(Map<String, Interleaved.Step> steps, String both, String lockAlone, String unlockAlone) {
        steps.put(both, Interleaved.timed(this::lockUnlock));
        steps.put(lockAlone, () -> {
            long t = System.nanoTime();
            SimpleLock held = lock();
            long took = System.nanoTime() - t;
            held.unlock();
            return took;
        });
        steps.put(unlockAlone, () -> {
            SimpleLock held = lock();
            long t = System.nanoTime();
            held.unlock();
            return System.nanoTime() - t;
        });
    }
}
