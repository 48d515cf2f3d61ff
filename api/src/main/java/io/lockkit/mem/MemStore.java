package io.lockkit.mem;

import io.lockkit.BackendUnavailableException;
import io.lockkit.FencedOutException;
import io.lockkit.Ticker;
import io.lockkit.Versioned;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * An in-process store shared by any number of {@link MemBackend} clients: locks with one global
 * token order (L2), versioned cells whose versions and fences survive delete (V2, V3), expiry on
 * the store's own {@link Ticker} (L1, L4), and the faults the TCK injects. Thread-safe; every
 * operation is linearizable under one lock.
 */
public final class MemStore {
    private static final Map<String, MemStore> NAMED = new ConcurrentHashMap<>();

    private final String name;
    /** Whether the store lives in the {@link #named} registry (while a client of it is open). */
    private final boolean registered;

    private final Ticker ticker;
    private volatile boolean reachable;
    /** How long a call waits for an answer before it fails, when the store is not reachable: 0 but for {@link #unanswering}. */
    private final long answerWaitNanos;

    private final ReentrantLock lock = new ReentrantLock();
    private final Map<String, Holder> holders = new HashMap<>();
    /** Keys that have waiters right now; an entry goes when its last waiter leaves. */
    private final Map<String, Waiters> waiting = new HashMap<>();

    private final Map<String, Cell> cells = new HashMap<>();
    private final AtomicLong ownerIds = new AtomicLong();
    /** Open clients, so that a restart can end their sessions and a named store can go with its last one. */
    private final Set<MemBackend> clients = ConcurrentHashMap.newKeySet();

    private long lastToken;
    /** Keys whose record a test holds ({@link #holdRecord}), and how many requests wait on them. */
    private final Set<String> heldRecords = new java.util.HashSet<>();

    private final Condition recordFreed = lock.newCondition();
    private int recordWaiters;

    /** The waiters on one key: one release signal wakes one of them (L7). */
    private static final class Waiters {
        final Condition released;
        int count;

        Waiters(Condition released) {
            this.released = released;
        }
    }

    /** The current holder of a key: expires at {@code expiresAt} on the store's ticker. */
    private record Holder(long owner, long token, long expiresAt, MemBackend client, boolean session) {}

    /** A key's value; a deleted cell keeps its version and fence so neither ever goes back (V2, V3). */
    private static final class Cell {
        byte[] value = new byte[0];
        long version;
        long fence;
        boolean deleted = true;
    }

    /** What a successful acquire returns to the client. */
    record Grant(long owner, long token, long grantedAt) {}

    private MemStore(String name, Ticker ticker, boolean reachable, boolean registered) {
        this(name, ticker, reachable, registered, 0);
    }

    private MemStore(String name, Ticker ticker, boolean reachable, boolean registered, long answerWaitNanos) {
        this.name = name;
        this.registered = registered;
        this.ticker = ticker;
        this.reachable = reachable;
        this.answerWaitNanos = answerWaitNanos;
    }

    /** A fresh store on the system clock. */
    public static MemStore create() {
        return create(Ticker.system());
    }

    /** A fresh store whose lease expiry follows {@code ticker} (move it to expire leases without sleeping). */
    public static MemStore create(Ticker ticker) {
        return new MemStore("anonymous", Objects.requireNonNull(ticker, "ticker"), true, false);
    }

    /**
     * The store registered under {@code name} in this JVM, created on first use ({@code mem:name}).
     * It stays registered while a client of it is open: when its last client closes, the name is
     * free again and the next {@code named(name)} is a fresh, empty store.
     */
    public static MemStore named(String name) {
        Objects.requireNonNull(name, "name");
        return NAMED.computeIfAbsent(name, n -> new MemStore(n, Ticker.system(), true, true));
    }

    /** A store no client can reach: every call fails with {@link BackendUnavailableException} (E2). */
    public static MemStore unreachable() {
        return new MemStore("unreachable", Ticker.system(), false, false);
    }

    /**
     * A store that takes every call and never answers, as a stopped server or a black-holing firewall
     * does: each call waits {@code answerWait} (the client's wait for an answer) and then fails with
     * {@link BackendUnavailableException} (E2). An interrupt ends the wait early, and the call fails
     * the same way with the thread's flag set.
     */
    public static MemStore unanswering(Duration answerWait) {
        Objects.requireNonNull(answerWait, "answerWait");
        if (answerWait.isNegative() || answerWait.isZero()) {
            throw new IllegalArgumentException("answerWait must be positive: " + answerWait);
        }
        return new MemStore("unanswering", Ticker.system(), false, false, answerWait.toNanos());
    }

    /** The name given to {@link #named}, or {@code anonymous}/{@code unreachable}/{@code unanswering}. */
    public String name() {
        return name;
    }

    Ticker ticker() {
        return ticker;
    }

    /** Called when a client is built: a named store is registered again if its last client had closed. */
    void opened(MemBackend client) {
        synchronized (NAMED) { // with closed(): a client opening as the last one closes keeps the name
            if (registered) {
                MemStore current = NAMED.computeIfAbsent(name, n -> this);
                if (current != this) {
                    throw new IllegalStateException("mem store '" + name + "' was dropped when its last client closed,"
                            + " and a new one took the name: call MemStore.named(\"" + name + "\") again");
                }
            }
            clients.add(client);
        }
    }

    /** Called when a client closes: a named store with no client left leaves the registry. */
    void closed(MemBackend client) {
        synchronized (NAMED) {
            clients.remove(client);
            if (clients.isEmpty()) {
                NAMED.remove(name, this);
            }
        }
    }

    /** Cuts every client off (false) or lets them back (true); leases keep expiring meanwhile. */
    public void setReachable(boolean reachable) {
        this.reachable = reachable;
    }

    // ---- faults (StoreFaults in the TCK) ----

    /** Ends {@code client}'s server session: its session leases end and it is told so. Timed leases stay. */
    public void expireSession(MemBackend client) {
        endSession(client);
    }

    /** Drops {@code client}'s connection: its session (and session leases) end; timed leases survive. */
    public void killConnection(MemBackend client) {
        endSession(client);
    }

    /** {@code client} vanishes without releasing: it is unusable; session leases end with its connection, timed ones by expiry. */
    public void crash(MemBackend client) {
        client.markCrashed();
        dropSessionHolders(client);
    }

    /**
     * Restarts the store as a durable store restarts: every server session ends (session leases end
     * and their clients are told); timed leases, values, versions, fences and the token counter stay.
     */
    public void restart() {
        clients.forEach(this::endSession);
    }

    /**
     * Restarts the store as a store that keeps nothing restarts, with counters that start again:
     * every lease, value, version, fence and the token counter are lost, so tokens and versions are
     * handed out again (it breaks L2, V2 and V3 across the restart). For the TCK's self-test, whose
     * broken backends must be caught by the kit's restart tests; no real backend may behave so.
     */
    public void restartForgettingEverything() {
        lock.lock();
        try {
            holders.clear();
            cells.clear();
            lastToken = 0;
            waiting.values().forEach(w -> w.released.signalAll());
        } finally {
            lock.unlock();
        }
        clients.forEach(this::endSession);
    }

    /**
     * Restarts the store as a store that hands a token out before it is durable restarts after it
     * was killed: the last {@code lost} tokens are handed out again, while leases, values, versions
     * and fences stay (it breaks L2 across the kill). For the TCK's self-test, whose broken backends
     * must be caught by the kit's crash test; no real backend may behave so.
     */
    public void restartLosingTheLastTokens(int lost) {
        lock.lock();
        try {
            lastToken = Math.max(0, lastToken - lost);
        } finally {
            lock.unlock();
        }
        restart();
    }

    /**
     * While {@code on}, every reply to {@code client} is lost after the store applied the call: a
     * write throws {@link io.lockkit.OutcomeUnknownException}, any other call {@link
     * BackendUnavailableException}; a session lease granted meanwhile ends with the connection the
     * client gives up.
     */
    public void loseReplies(MemBackend client, boolean on) {
        client.loseReplies(on);
    }

    /** Every reply to {@code client} comes {@code delay} after the store applied the call; zero ends it. */
    public void delayReplies(MemBackend client, java.time.Duration delay) {
        client.delayReplies(delay);
    }

    /** Whether {@code key} is held right now, and by which token (a look into the store for tests). */
    public Optional<Long> holderToken(String key) {
        lock.lock();
        try {
            Holder h = live(key);
            return h == null ? Optional.empty() : Optional.of(h.token());
        } finally {
            lock.unlock();
        }
    }

    /** How many keys have waiters right now (a look into the store for tests: it must not grow). */
    public int waitingKeys() {
        lock.lock();
        try {
            return waiting.size();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Holds {@code key}'s record as a concurrent writer's open transaction holds a row: until the
     * returned handle runs, a request to acquire the key waits inside the store on that record,
     * before anything is decided for it, while the store serves everything else. For tests (the
     * kit's store-side wait).
     */
    public Runnable holdRecord(String key) {
        lock.lock();
        try {
            heldRecords.add(key);
        } finally {
            lock.unlock();
        }
        return () -> {
            lock.lock();
            try {
                heldRecords.remove(key);
                recordFreed.signalAll();
            } finally {
                lock.unlock();
            }
        };
    }

    /** Whether a test holds {@code key}'s record ({@link #holdRecord}). */
    public boolean recordHeld(String key) {
        lock.lock();
        try {
            return heldRecords.contains(key);
        } finally {
            lock.unlock();
        }
    }

    /** How many requests wait on a record held by {@link #holdRecord} (a look into the store for tests). */
    public int recordWaiters() {
        lock.lock();
        try {
            return recordWaiters;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Called with the lock held: waits while a test holds {@code key}'s record; an interrupt ends the
     * wait (L8), and a client cut off meanwhile is told so ({@link #check}).
     */
    private void awaitRecord(MemBackend client, String key) throws InterruptedException {
        boolean waited = false;
        while (heldRecords.contains(key)) {
            waited = true;
            recordWaiters++;
            try {
                recordFreed.await();
            } finally {
                recordWaiters--;
            }
        }
        if (waited) {
            check(client);
        }
    }

    /** {@link #awaitRecord} for a try, which has no wait to interrupt: an interrupt is kept for later. */
    private void awaitRecordUninterruptibly(MemBackend client, String key) {
        boolean interrupted = false;
        while (true) {
            try {
                awaitRecord(client, key);
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Deletes whatever holds {@code key}, as an operator would; the holder is not told. */
    public void evict(String key) {
        lock.lock();
        try {
            if (holders.remove(key) != null) {
                signal(key);
            }
        } finally {
            lock.unlock();
        }
    }

    private void endSession(MemBackend client) {
        if (client.isSessionKind()) {
            dropSessionHolders(client);
            client.sessionEnded();
        }
    }

    private void dropSessionHolders(MemBackend client) {
        lock.lock();
        try {
            List<String> keys = new ArrayList<>();
            holders.forEach((k, h) -> {
                if (h.client() == client && h.session()) {
                    keys.add(k);
                }
            });
            keys.forEach(k -> {
                holders.remove(k);
                signal(k);
            });
        } finally {
            lock.unlock();
        }
    }

    // ---- locks ----

    @Nullable
    Grant tryAcquire(MemBackend client, String key, long leaseNanos) {
        enter(client);
        try {
            awaitRecordUninterruptibly(client, key);
            return grantLocked(client, key, leaseNanos);
        } finally {
            lock.unlock();
        }
    }

    /** Waits, by real time, up to {@code maxWaitNanos}; woken by one release signal or the holder's expiry (L7). */
    @Nullable
    Grant acquire(MemBackend client, String key, long leaseNanos, long maxWaitNanos) throws InterruptedException {
        // A "forever" wait is capped at a century so the sum cannot overflow.
        long waitUntil = System.nanoTime() + Math.min(maxWaitNanos, TimeUnit.DAYS.toNanos(36_500));
        check(client);
        try {
            lock.lockInterruptibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // L8: the flag stays set for the caller
            throw e;
        }
        try {
            while (true) {
                try {
                    awaitRecord(client, key);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt(); // L8: the flag stays set for the caller
                    throw e;
                }
                Grant grant = grantLocked(client, key, leaseNanos);
                long left = waitUntil - System.nanoTime();
                if (grant != null || left <= 0) {
                    return grant;
                }
                Holder h = holders.get(key);
                long untilExpiry = h == null ? left : h.expiresAt() - ticker.nanos();
                Waiters w = waiting.computeIfAbsent(key, k -> new Waiters(lock.newCondition()));
                w.count++;
                try {
                    w.released.awaitNanos(Math.max(1, Math.min(left, untilExpiry)));
                } catch (InterruptedException e) {
                    w.released.signal(); // pass on a release signal this waiter may have consumed
                    Thread.currentThread().interrupt();
                    throw e;
                } finally {
                    if (--w.count == 0) {
                        waiting.remove(key);
                    }
                }
                check(client);
            }
        } finally {
            lock.unlock();
        }
    }

    boolean extend(MemBackend client, String key, long owner, long leaseNanos) {
        enter(client);
        try {
            Holder h = live(key);
            if (h == null || h.owner() != owner) {
                return false;
            }
            holders.put(key, new Holder(owner, h.token(), ticker.nanos() + leaseNanos, client, h.session()));
            return true;
        } finally {
            lock.unlock();
        }
    }

    boolean release(MemBackend client, String key, long owner) {
        enter(client);
        try {
            Holder h = holders.get(key);
            if (h == null || h.owner() != owner) {
                return false;
            }
            boolean wasLive = live(key) != null;
            holders.remove(key);
            signal(key);
            return wasLive;
        } finally {
            lock.unlock();
        }
    }

    private @Nullable Grant grantLocked(MemBackend client, String key, long leaseNanos) {
        if (live(key) != null) {
            return null;
        }
        long owner = ownerIds.incrementAndGet();
        long token = ++lastToken;
        long now = ticker.nanos();
        holders.put(key, new Holder(owner, token, now + leaseNanos, client, client.isSessionKind()));
        return new Grant(owner, token, now);
    }

    private @Nullable Holder live(String key) {
        Holder h = holders.get(key);
        return h != null && ticker.nanos() - h.expiresAt() < 0 ? h : null;
    }

    private void signal(String key) {
        Waiters w = waiting.get(key);
        if (w != null) {
            w.released.signal(); // one waiter per release (L7), not the herd
        }
    }

    // ---- versioned cells ----

    Optional<Versioned> read(MemBackend client, String key) {
        enter(client);
        try {
            Cell c = cells.get(key);
            return c == null || c.deleted ? Optional.empty() : Optional.of(new Versioned(key, c.value, c.version));
        } finally {
            lock.unlock();
        }
    }

    /** {@code token} 0 means unfenced; the fence is checked before existence, as in {@link #compareAndSet}. */
    Optional<Versioned> create(MemBackend client, String key, byte[] value, long token) {
        enter(client);
        try {
            Cell c = cells.get(key);
            if (c != null && token != 0 && c.fence > token) {
                throw new FencedOutException(key, token, c.fence);
            }
            if (c == null) {
                c = new Cell();
                cells.put(key, c);
            }
            if (!c.deleted) {
                return Optional.empty();
            }
            c.fence = Math.max(c.fence, token);
            return Optional.of(write(key, c, value));
        } finally {
            lock.unlock();
        }
    }

    /** {@code token} 0 means unfenced. */
    Optional<Versioned> compareAndSet(MemBackend client, String key, long expected, byte[] value, long token) {
        enter(client);
        try {
            Cell c = cells.get(key);
            if (c != null && token != 0 && c.fence > token) {
                throw new FencedOutException(key, token, c.fence);
            }
            if (c == null || c.deleted || c.version != expected) {
                return Optional.empty();
            }
            c.fence = Math.max(c.fence, token);
            return Optional.of(write(key, c, value));
        } finally {
            lock.unlock();
        }
    }

    /** {@code token} 0 means unfenced; the fence is checked before the version, and the tombstone keeps it. */
    boolean delete(MemBackend client, String key, long expected, long token) {
        enter(client);
        try {
            Cell c = cells.get(key);
            if (c != null && token != 0 && c.fence > token) {
                throw new FencedOutException(key, token, c.fence);
            }
            if (c == null || c.deleted || c.version != expected) {
                return false;
            }
            c.fence = Math.max(c.fence, token);
            c.deleted = true;
            c.value = new byte[0];
            return true;
        } finally {
            lock.unlock();
        }
    }

    private static Versioned write(String key, Cell c, byte[] value) {
        c.value = value.clone();
        c.version++;
        c.deleted = false;
        return new Versioned(key, c.value, c.version);
    }

    /**
     * Takes the store lock after checking the client may talk to the store at all. Uninterruptible:
     * an interrupted thread can still release its lease (L8); only waiting in acquire is interruptible.
     */
    private void enter(MemBackend client) {
        check(client);
        lock.lock();
    }

    private void check(MemBackend client) {
        client.checkUsable();
        if (!reachable) {
            if (answerWaitNanos > 0 && !lock.isHeldByCurrentThread()) {
                awaitNoAnswer();
                throw new BackendUnavailableException(
                        "mem store '" + name + "' did not answer within " + Duration.ofNanos(answerWaitNanos));
            }
            throw new BackendUnavailableException("mem store '" + name + "' is unreachable");
        }
    }

    /** {@link #unanswering}: the client's wait for an answer that never comes; an interrupt ends it, flag kept. */
    private void awaitNoAnswer() {
        long until = System.nanoTime() + answerWaitNanos;
        for (long left = answerWaitNanos; left > 0 && !Thread.currentThread().isInterrupted(); ) {
            LockSupport.parkNanos(left);
            left = until - System.nanoTime();
        }
    }
}
