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
        /** Woken since its last attempt: a waiter that leaves before it attempts again passes it on. */
        private volatile boolean woken;

        private Waiter(String key) {
            this.key = key;
        }

        /** Waits for a release message or {@code nanos}, whichever comes first; true when woken. */
        boolean await(long nanos) throws InterruptedException {
            if (wakeUp.tryAcquire(nanos, TimeUnit.NANOSECONDS)) {
                woken = true;
            }
            return woken;
        }

        /** Its attempt after a wake-up came back (granted, or held by whoever took the key first). */
        void attempted() {
            woken = false;
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
        } else if (w.woken || w.wakeUp.availablePermits() > 0) {
            // a wake-up it took and did not use (its attempt failed, or it was interrupted first)
            waiters.peekFirst().wake();
        }
    }

    /**
     * Wakes the first waiter of every key: release messages may have been lost while the
     * subscription was down, so each key is looked at again (L7).
     */
    synchronized void wakeAll() {
        byKey.values().forEach(waiters -> waiters.peekFirst().wake());
    }

    /** Called for each release message of {@code key}. */
    synchronized void released(String key) {
        ArrayDeque<Waiter> waiters = byKey.get(key);
        if (waiters != null) {
            waiters.peekFirst().wake();
        }
    }
}
