package io.lockkit.tck;

import io.lockkit.FencedOutException;
import io.lockkit.Versioned;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * An in-memory store that is correct except for one deliberate {@link Flaw}, each a real incident
 * from PITFALLS.md. The TCK's self-test runs the scenario aimed at each flaw and expects it to fail.
 * Thread-safe.
 */
final class BrokenStore {
    /** The one thing this store gets wrong. */
    enum Flaw {
        /** None: the positive control. */
        NONE,
        /** Acquire checks, then inserts; a latch lets the first two callers both see the key free (PITFALLS 1). */
        CHECK_THEN_INSERT,
        /** Release deletes the key whoever holds it (PITFALLS 2, 5). */
        UNCONDITIONAL_RELEASE,
        /** Fenced writes ignore the token (PITFALLS 6). */
        NO_FENCING,
        /** Tokens count per key and restart when the key is freed (PITFALLS 7). */
        TOKENS_PER_KEY,
        /** Compare-and-set ignores the expected version (PITFALLS 3, 16). */
        CAS_IGNORES_VERSION,
        /** An unreachable store reports every key as held and every value as absent (E2). */
        UNREACHABLE_LOOKS_HELD
    }

    record Grant(long owner, long token, long grantedAt) {}

    private record Holder(long owner, long token, long expiresAt) {}

    private static final class Cell {
        byte[] value = new byte[0];
        long version;
        long fence;
        boolean deleted = true;
    }

    final Flaw flaw;
    private final Map<String, Holder> holders = new HashMap<>();
    private final Map<String, Long> perKeyTokens = new HashMap<>();
    private final Map<String, Cell> cells = new HashMap<>();
    private final Map<String, CountDownLatch> widen = new ConcurrentHashMap<>();
    private long lastToken;
    private long owners;

    BrokenStore(Flaw flaw) {
        this.flaw = flaw;
    }

    @Nullable
    Grant tryAcquire(String key, long leaseNanos) {
        if (flaw != Flaw.CHECK_THEN_INSERT) {
            synchronized (this) {
                return live(key) == null ? insert(key, leaseNanos) : null;
            }
        }
        synchronized (this) {
            if (live(key) != null) {
                return null;
            }
        }
        CountDownLatch race = widen.computeIfAbsent(key, k -> new CountDownLatch(2));
        race.countDown();
        try {
            race.await(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (this) {
            return insert(key, leaseNanos);
        }
    }

    synchronized boolean extend(String key, long owner, long leaseNanos) {
        Holder h = live(key);
        if (h == null || h.owner() != owner) {
            return false;
        }
        holders.put(key, new Holder(owner, h.token(), System.nanoTime() + leaseNanos));
        return true;
    }

    synchronized boolean release(String key, long owner) {
        Holder h = holders.get(key);
        if (h == null || (h.owner() != owner && flaw != Flaw.UNCONDITIONAL_RELEASE)) {
            return false;
        }
        boolean wasLive = live(key) != null;
        free(key);
        return wasLive;
    }

    private Grant insert(String key, long leaseNanos) {
        long token = flaw == Flaw.TOKENS_PER_KEY ? perKeyTokens.merge(key, 1L, Long::sum) : ++lastToken;
        long now = System.nanoTime();
        Holder h = new Holder(++owners, token, now + leaseNanos);
        holders.put(key, h);
        return new Grant(h.owner(), token, now);
    }

    private @Nullable Holder live(String key) {
        Holder h = holders.get(key);
        if (h != null && System.nanoTime() - h.expiresAt() >= 0) {
            free(key);
            return null;
        }
        return h;
    }

    private void free(String key) {
        holders.remove(key);
        perKeyTokens.remove(key);
    }

    synchronized Optional<Versioned> read(String key) {
        Cell c = cells.get(key);
        return c == null || c.deleted ? Optional.empty() : Optional.of(new Versioned(key, c.value, c.version));
    }

    synchronized Optional<Versioned> create(String key, byte[] value) {
        Cell c = cells.computeIfAbsent(key, k -> new Cell());
        return c.deleted ? Optional.of(write(key, c, value)) : Optional.empty();
    }

    /** {@code token} 0 means unfenced. */
    synchronized Optional<Versioned> compareAndSet(String key, long expected, byte[] value, long token) {
        Cell c = cells.get(key);
        boolean fenced = token != 0 && flaw != Flaw.NO_FENCING;
        if (c != null && fenced && c.fence > token) {
            throw new FencedOutException(key, token, c.fence);
        }
        boolean versionOk = c != null && (c.version == expected || flaw == Flaw.CAS_IGNORES_VERSION);
        if (c == null || c.deleted || !versionOk) {
            return Optional.empty();
        }
        if (fenced) {
            c.fence = Math.max(c.fence, token);
        }
        return Optional.of(write(key, c, value));
    }

    synchronized boolean delete(String key, long expected) {
        Cell c = cells.get(key);
        if (c == null || c.deleted || c.version != expected) {
            return false;
        }
        c.deleted = true;
        return true;
    }

    private static Versioned write(String key, Cell c, byte[] value) {
        c.value = value.clone();
        c.version++;
        c.deleted = false;
        return new Versioned(key, c.value, c.version);
    }
}
