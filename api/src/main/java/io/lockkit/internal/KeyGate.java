package io.lockkit.internal;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * One in-process gate per (store instance, key): the retrying updater passes it for each attempt
 * (read → function → compare-and-set), so threads of one process take turns on a hot key instead
 * of sending compare-and-sets that all but one must lose. Rivals in other processes, or on other
 * store instances, still race through the store, which alone decides (V1). A gate exists only
 * while a thread holds or waits for it, so idle keys cost nothing. Thread-safe; reentrant.
 */
public final class KeyGate {
    private static final ConcurrentHashMap<Id, Gate> GATES = new ConcurrentHashMap<>();

    /** The store by identity (its {@code equals} is not ours to trust) and the key. */
    private record Id(Object store, String key) {
        @Override
        public boolean equals(@Nullable Object o) {
            return o instanceof Id other && other.store == store && other.key.equals(key);
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(store) * 31 + key.hashCode();
        }
    }

    private static final class Gate {
        final ReentrantLock lock = new ReentrantLock();
        int users; // guarded by the map's per-entry lock (compute)
    }

    /** Held while inside the gate; {@link #close()} lets the next thread in. */
    public static final class Pass implements AutoCloseable {
        private final Id id;
        private final Gate gate;

        private Pass(Id id, Gate gate) {
            this.id = id;
            this.gate = gate;
        }

        @Override
        public void close() {
            gate.lock.unlock();
            leave(id);
        }
    }

    private KeyGate() {}

    /**
     * Enters the gate of {@code key} on {@code store}, waiting at most {@code timeoutNanos}.
     *
     * @return the pass, or null when the wait ran out
     * @throws InterruptedException when interrupted while waiting (a free gate is entered regardless)
     */
    public static @Nullable Pass enter(Object store, String key, long timeoutNanos) throws InterruptedException {
        Id id = new Id(store, key);
        Gate gate = GATES.compute(id, (k, g) -> {
            Gate joined = g == null ? new Gate() : g;
            joined.users++;
            return joined;
        });
        boolean entered = false;
        try {
            // A free gate is taken without looking at the interrupt flag, as an ungated attempt would be.
            entered = gate.lock.tryLock() || gate.lock.tryLock(Math.max(0, timeoutNanos), TimeUnit.NANOSECONDS);
        } finally {
            if (!entered) {
                leave(id);
            }
        }
        return entered ? new Pass(id, gate) : null;
    }

    /** How many gates exist now (held or waited for); for tests. */
    public static int inUse() {
        return GATES.size();
    }

    private static void leave(Id id) {
        GATES.computeIfPresent(id, (k, g) -> --g.users == 0 ? null : g);
    }
}
