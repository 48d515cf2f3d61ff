package io.lockkit.redis;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * This client's acquire waiters, per key, in arrival order. A release message wakes only the
 * first waiter of its key (L7: one release wakes at most one waiter per client process); a waiter
 * that leaves with a wake-up it did not use passes it on. Thread-safe.
 */
final class ReleaseSignals {
    private final Map<String, ArrayDeque<Waiter>> byKey = new HashMap<>();

    /** One waiting {@code acquire}. At most one wake-up is kept: a second says nothing new. */
    static final class Waiter {
        private final String key;
        private final Semaphore wakeUp = new Semaphore(0);

        private Waiter(String key) {
            this.key = key;
        }

        /** Waits for a release message or {@code nanos}, whichever comes first. */
        void await(long nanos) throws InterruptedException {
            wakeUp.tryAcquire(nanos, TimeUnit.NANOSECONDS);
        }

        private void wake() {
            if (wakeUp.availablePermits() == 0) {
                wakeUp.release();
            }
        }
    }

    /** Registers a waiter before its first attempt, so that no release after that attempt is missed. */
    synchronized Waiter register(String key) {
        Waiter w = new Waiter(key);
        byKey.computeIfAbsent(key, k -> new ArrayDeque<>()).addLast(w);
        return w;
    }

    synchronized void unregister(Waiter w) {
        ArrayDeque<Waiter> waiters = byKey.get(w.key);
        if (waiters == null || !waiters.remove(w)) {
            return;
        }
        if (waiters.isEmpty()) {
            byKey.remove(w.key);
        } else if (w.wakeUp.availablePermits() > 0) {
            waiters.peekFirst().wake();
        }
    }

    /** Called for each release message of {@code key}. */
    synchronized void released(String key) {
        ArrayDeque<Waiter> waiters = byKey.get(key);
        if (waiters != null) {
            waiters.peekFirst().wake();
        }
    }
}
