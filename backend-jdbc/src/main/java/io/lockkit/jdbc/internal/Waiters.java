package io.lockkit.jdbc.internal;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The acquire calls of one client waiting for keys, woken by release notifications (L7), or by
 * nothing but their own timeout where the database sends none (MariaDB's lock table, for now). One
 * notification wakes at most one waiter of its key: it leaves one wake-up permit, which the first
 * waiter to look takes. A waiter registers before its attempt, so a release between a failed
 * attempt and the wait is not missed. Thread-safe.
 */
public final class Waiters {
    private static final class Slot {
        final Condition woken;
        int waiters;
        int permits;

        Slot(Condition woken) {
            this.woken = woken;
        }
    }

    private final ReentrantLock lock = new ReentrantLock();
    private final Map<String, Slot> slots = new HashMap<>();

    /** Registers a waiter for {@code payload} (a key's notification payload). */
    public void register(String payload) {
        lock.lock();
        try {
            slots.computeIfAbsent(payload, p -> new Slot(lock.newCondition())).waiters++;
        } finally {
            lock.unlock();
        }
    }

    /** Ends a registration; a permit no remaining waiter can take is dropped. */
    public void unregister(String payload) {
        lock.lock();
        try {
            Slot slot = slots.get(payload);
            if (slot != null && --slot.waiters == 0) {
                slots.remove(payload);
            } else if (slot != null && slot.permits > 0) {
                slot.permits = Math.min(slot.permits, slot.waiters);
                slot.woken.signal(); // a permit this waiter did not take is someone else's now
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits up to {@code nanos} for a release of {@code payload}; true when woken by one. On an
     * interrupt the permit, if any, stays for another waiter.
     */
    public boolean await(String payload, long nanos) throws InterruptedException {
        lock.lock();
        try {
            Slot slot = slots.get(payload);
            if (slot == null) {
                throw new IllegalStateException("not registered: " + payload);
            }
            long left = nanos;
            while (slot.permits == 0 && left > 0) {
                left = slot.woken.awaitNanos(left);
            }
            if (slot.permits == 0) {
                return false;
            }
            slot.permits--;
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** One release of {@code payload}: wakes one waiter of this client, if it has any. */
    public void released(String payload) {
        lock.lock();
        try {
            Slot slot = slots.get(payload);
            if (slot != null && slot.permits < slot.waiters) {
                slot.permits++;
                slot.woken.signal();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Wakes every waiter once, after notifications may have been missed (the listener reconnected). */
    public void wakeAll() {
        lock.lock();
        try {
            for (Slot slot : slots.values()) {
                slot.permits = slot.waiters;
                slot.woken.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }
}
