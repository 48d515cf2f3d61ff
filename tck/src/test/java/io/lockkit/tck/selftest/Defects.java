package io.lockkit.tck.selftest;

import io.lockkit.BackendUnavailableException;
import io.lockkit.Capability;
import io.lockkit.JobLock;
import io.lockkit.Lease;
import io.lockkit.LeaseLimits;
import io.lockkit.OutcomeUnknownException;
import io.lockkit.Versioned;
import io.lockkit.VersionedUpdate;
import io.lockkit.mem.MemBackend;
import io.lockkit.mem.MemStore;
import io.lockkit.spi.Checks;
import io.lockkit.spi.ForwardingBackend;
import io.lockkit.spi.ForwardingJobLock;
import io.lockkit.spi.ForwardingLease;
import io.lockkit.spi.ForwardingVersionedUpdate;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

/**
 * The deliberately broken backends, one per class of incident the kit must catch (the rows of
 * INCIDENTS.md). Each is the reference
 * backend with exactly one thing wrong. <b>All backends in this file are wrong.</b>
 */
final class Defects {
    private Defects() {}

    /** INCIDENTS.md row 6: no fencing. Every lease has the same token and fenced writes (creates too) ignore it. */
    static BrokenTarget noFencing() {
        return new BrokenTarget("broken/no-fencing", (store, client) -> new ForwardingBackend(client) {
            @Override
            public JobLock jobLock() {
                return wrapping(client.jobLock(), Defects::constantToken);
            }

            @Override
            public VersionedUpdate versionedUpdate() {
                return new ForwardingVersionedUpdate(client.versionedUpdate()) {
                    @Override
                    public Optional<Versioned> create(String key, byte[] value, long token) {
                        Checks.fencingToken(token);
                        return delegate.create(key, value);
                    }

                    @Override
                    public Optional<Versioned> compareAndSet(String key, long expected, byte[] value, long token) {
                        Checks.fencingToken(token);
                        return delegate.compareAndSet(key, expected, value);
                    }
                };
            }
        });
    }

    private static Lease constantToken(Lease lease) {
        return new ForwardingLease(lease) {
            @Override
            public long token() {
                return 1;
            }
        };
    }

    /**
     * INCIDENTS.md row 7: tokens per key, restarting when the key is free again (a sequence node under a
     * parent that is removed when empty). Tokens collide across keys and across holders of one key.
     */
    static BrokenTarget tokensPerKey() {
        Map<String, AtomicLong> perKey = new ConcurrentHashMap<>();
        return new BrokenTarget("broken/tokens-per-key", (store, client) -> new ForwardingBackend(client) {
            @Override
            public JobLock jobLock() {
                return new ForwardingJobLock(client.jobLock()) {
                    @Override
                    public Optional<Lease> tryAcquire(String key, Duration lease) {
                        boolean wasFree = store.holderToken(key).isEmpty();
                        return delegate.tryAcquire(key, lease).map(l -> perKeyToken(perKey, wasFree, l));
                    }

                    @Override
                    public Optional<Lease> acquire(String key, Duration lease, Duration maxWait)
                            throws InterruptedException {
                        boolean wasFree = store.holderToken(key).isEmpty();
                        return delegate.acquire(key, lease, maxWait).map(l -> perKeyToken(perKey, wasFree, l));
                    }
                };
            }
        });
    }

    private static Lease perKeyToken(Map<String, AtomicLong> perKey, boolean wasFree, Lease lease) {
        if (wasFree) {
            perKey.remove(lease.key()); // the parent node went away with its last child
        }
        long token = perKey.computeIfAbsent(lease.key(), k -> new AtomicLong()).incrementAndGet();
        return new ForwardingLease(lease) {
            @Override
            public long token() {
                return token;
            }
        };
    }

    /**
     * INCIDENTS.md row 36: the token is drawn when the request reaches the store (a sequence in the
     * insert's VALUES), before the request waits on the key's record, so a grant after that wait
     * carries a token older than grants made meanwhile. Without a wait in the store the token is the
     * one it would have been, so only a store-side wait shows it.
     */
    static BrokenTarget tokenDrawnBeforeTheStoreSideWait() {
        return new BrokenTarget(
                "broken/token-before-the-store-side-wait", (store, client) -> new ForwardingBackend(client) {
                    @Override
                    public JobLock jobLock() {
                        return new ForwardingJobLock(client.jobLock()) {
                            @Override
                            public Optional<Lease> tryAcquire(String key, Duration lease) {
                                OptionalLong early = drawnEarly(key);
                                return delegate.tryAcquire(key, lease).map(l -> withToken(l, early));
                            }

                            @Override
                            public Optional<Lease> acquire(String key, Duration lease, Duration maxWait)
                                    throws InterruptedException {
                                OptionalLong early = drawnEarly(key);
                                return delegate.acquire(key, lease, maxWait).map(l -> withToken(l, early));
                            }

                            /** The token a request that is about to wait on the key's record draws now. */
                            private OptionalLong drawnEarly(String key) {
                                if (!store.recordHeld(key)) {
                                    return OptionalLong.empty();
                                }
                                Lease reserved = delegate.tryAcquire(
                                                key + "/token-drawn-on-arrival", Duration.ofSeconds(5))
                                        .orElseThrow();
                                reserved.release();
                                return OptionalLong.of(reserved.token());
                            }
                        };
                    }
                });
    }

    private static Lease withToken(Lease lease, OptionalLong early) {
        if (early.isEmpty()) {
            return lease;
        }
        return new ForwardingLease(lease) {
            @Override
            public long token() {
                return early.getAsLong();
            }
        };
    }

    /** INCIDENTS.md row 5: release deletes whatever holds the key, without checking the owner. */
    static BrokenTarget unconditionalRelease() {
        return new BrokenTarget("broken/unconditional-release", (store, client) -> new ForwardingBackend(client) {
            @Override
            public JobLock jobLock() {
                return wrapping(client.jobLock(), l -> deletesAnyHolder(store, l));
            }
        });
    }

    private static Lease deletesAnyHolder(MemStore store, Lease lease) {
        return new ForwardingLease(lease) {
            @Override
            public boolean release() {
                // DELETE FROM locks WHERE key = ? — no owner check, one statement: whoever holds the
                // key now is freed. The owner-checked release after it only ends the lease locally;
                // in the other order a waiter woken by that release could be evicted by the second
                // step, which no single DELETE would do (a flake in unrelated kit tests).
                store.evict(key());
                delegate.release();
                return true;
            }
        };
    }

    /**
     * INCIDENTS.md rows 1, 2: check, then delete the old row, then insert — with a pause between check and
     * insert that widens the race. Concurrent callers both pass the check; the second delete removes
     * the first caller's fresh lock, and a lost insert surfaces as a duplicate-key error.
     */
    static BrokenTarget checkThenInsert() {
        return new BrokenTarget("broken/check-then-insert", (store, client) -> new ForwardingBackend(client) {
            @Override
            public JobLock jobLock() {
                return new ForwardingJobLock(client.jobLock()) {
                    @Override
                    public Optional<Lease> tryAcquire(String key, Duration lease) {
                        Checks.key(key);
                        Checks.lease(lease);
                        if (store.holderToken(key).isPresent()) {
                            return Optional.empty();
                        }
                        widen();
                        store.evict(key); // "clear the expired row" — or someone's fresh one
                        return Optional.of(delegate.tryAcquire(key, lease)
                                .orElseThrow(() ->
                                        new IllegalStateException("Duplicate entry '" + key + "' for key 'PRIMARY'")));
                    }

                    @Override
                    public Optional<Lease> acquire(String key, Duration lease, Duration maxWait)
                            throws InterruptedException {
                        long until = System.nanoTime()
                                + Math.min(Checks.saturatedNanos(Checks.maxWait(maxWait)), TimeUnit.DAYS.toNanos(1));
                        while (true) {
                            Optional<Lease> got = tryAcquire(key, lease);
                            if (got.isPresent() || System.nanoTime() >= until) {
                                return got;
                            }
                            try {
                                TimeUnit.MILLISECONDS.sleep(1);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt(); // L8 is not this backend's defect
                                throw e;
                            }
                        }
                    }
                };
            }
        });
    }

    private static final AtomicReference<CountDownLatch> WAITING = new AtomicReference<>();

    /**
     * The latch that widens the gap between check and insert: the first caller past the check waits
     * (up to 100 ms) for a second one; the second lets it go first and follows 2 ms later, so its
     * "delete the old row" removes the first caller's fresh lock. Spins, since a sleep would
     * interfere with the interrupt tests.
     */
    private static void widen() {
        CountDownLatch partner = WAITING.getAndSet(null);
        if (partner != null) {
            partner.countDown();
            spin(TimeUnit.MILLISECONDS.toNanos(2), () -> false);
            return;
        }
        CountDownLatch mine = new CountDownLatch(1);
        if (WAITING.compareAndSet(null, mine)) {
            spin(TimeUnit.MILLISECONDS.toNanos(100), () -> mine.getCount() == 0);
            WAITING.compareAndSet(mine, null);
        }
    }

    private static void spin(long nanos, BooleanSupplier done) {
        long until = System.nanoTime() + nanos;
        while (!done.getAsBoolean() && System.nanoTime() < until) {
            Thread.onSpinWait();
        }
    }

    /** INCIDENTS.md row 3: compare-and-set that ignores the expected version (last writer wins). */
    static BrokenTarget casIgnoresVersion() {
        return new BrokenTarget("broken/cas-ignores-version", (store, client) -> new ForwardingBackend(client) {
            @Override
            public VersionedUpdate versionedUpdate() {
                return new ForwardingVersionedUpdate(client.versionedUpdate()) {
                    @Override
                    public Optional<Versioned> compareAndSet(String key, long expected, byte[] value) {
                        return delegate.compareAndSet(key, currentVersionInsteadOf(delegate, key, expected), value);
                    }

                    @Override
                    public Optional<Versioned> compareAndSet(String key, long expected, byte[] value, long token) {
                        return delegate.compareAndSet(
                                key, currentVersionInsteadOf(delegate, key, expected), value, token);
                    }
                };
            }
        });
    }

    /** How many leases a client of {@link #uninterruptibleSessionWait} holds at once. */
    static final int SESSIONS_PER_CLIENT = 6;

    /**
     * INCIDENTS.md row 39 (L7, L8): a client that pins one of its sessions to each lease (a
     * session backend with a bounded pool) waits for a free one without reacting to interrupts, for
     * its own connection wait rather than the acquire's maxWait, then throws: on a full client an
     * acquire keeps to neither its maxWait nor an interrupt.
     */
    static BrokenTarget uninterruptibleSessionWait() {
        return new BrokenTarget(
                        "broken/uninterruptible-session-wait", (store, client) -> new ForwardingBackend(client) {
                            private final Sessions sessions = new Sessions();

                            @Override
                            public JobLock jobLock() {
                                return new ForwardingJobLock(client.jobLock()) {
                                    @Override
                                    public Optional<Lease> tryAcquire(String key, Duration lease) {
                                        sessions.await();
                                        return sessions.pin(delegate.tryAcquire(key, lease));
                                    }

                                    @Override
                                    public Optional<Lease> acquire(String key, Duration lease, Duration maxWait)
                                            throws InterruptedException {
                                        sessions.await();
                                        return sessions.pin(delegate.acquire(key, lease, maxWait));
                                    }
                                };
                            }
                        })
                .withLeasesPerClient(SESSIONS_PER_CLIENT);
    }

    /** The lease sessions of one client of {@link #uninterruptibleSessionWait}: a count of the leases it holds. */
    private static final class Sessions {
        private static final Duration CONNECTION_WAIT = Duration.ofSeconds(5);
        private int held; // guarded by this

        /** The defect: waits for a free session deaf to interrupts, for the client's own wait, then throws. */
        synchronized void await() {
            long until = System.nanoTime() + CONNECTION_WAIT.toNanos();
            boolean interrupted = false;
            try {
                while (held >= SESSIONS_PER_CLIENT) {
                    long left = until - System.nanoTime();
                    if (left <= 0) {
                        throw new BackendUnavailableException("all " + SESSIONS_PER_CLIENT
                                + " lease sessions of this client are in use; none came free within "
                                + CONNECTION_WAIT);
                    }
                    try {
                        wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                    } catch (InterruptedException e) {
                        interrupted = true;
                    }
                }
            } finally {
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        /** Counts a granted lease until its release. */
        Optional<Lease> pin(Optional<Lease> granted) {
            return granted.map(lease -> {
                synchronized (this) {
                    held++;
                }
                return new ForwardingLease(lease) {
                    private boolean pinned = true; // guarded by Sessions.this

                    @Override
                    public boolean release() {
                        synchronized (Sessions.this) {
                            if (pinned) {
                                pinned = false;
                                held--;
                                Sessions.this.notifyAll();
                            }
                        }
                        return delegate.release();
                    }
                };
            });
        }
    }

    /** INCIDENTS.md row 34 (E2): an unreachable store answers "held" (empty) instead of failing. */
    static BrokenTarget unreachableLooksHeld() {
        return new BrokenTarget("broken/unreachable-looks-held", (store, client) -> new ForwardingBackend(client) {
            @Override
            public JobLock jobLock() {
                return new ForwardingJobLock(client.jobLock()) {
                    @Override
                    public Optional<Lease> tryAcquire(String key, Duration lease) {
                        try {
                            return delegate.tryAcquire(key, lease);
                        } catch (BackendUnavailableException e) {
                            return Optional.empty();
                        }
                    }

                    @Override
                    public Optional<Lease> acquire(String key, Duration lease, Duration maxWait)
                            throws InterruptedException {
                        try {
                            return delegate.acquire(key, lease, maxWait);
                        } catch (BackendUnavailableException e) {
                            return Optional.empty();
                        }
                    }
                };
            }
        });
    }

    /**
     * INCIDENTS.md row 46: a connect timeout but no bound on the wait for the store's first answer.
     * A store where nothing listens fails at once, as it should; a store that takes the connection
     * and never answers keeps every call waiting for ever (here: until its thread is interrupted).
     */
    static BrokenTarget waitsForeverForAnAnswer() {
        return new BrokenTarget(
                "broken/waits-for-ever-for-an-answer", (store, client) -> new ForwardingBackend(client) {
                    @Override
                    public JobLock jobLock() {
                        return new ForwardingJobLock(client.jobLock()) {
                            @Override
                            public Optional<Lease> tryAcquire(String key, Duration lease) {
                                return untilAnswered(() -> delegate.tryAcquire(key, lease));
                            }

                            @Override
                            public Optional<Lease> acquire(String key, Duration lease, Duration maxWait)
                                    throws InterruptedException {
                                while (true) {
                                    try {
                                        return delegate.acquire(key, lease, maxWait);
                                    } catch (BackendUnavailableException e) {
                                        waitAgain(e);
                                    }
                                }
                            }
                        };
                    }

                    @Override
                    public VersionedUpdate versionedUpdate() {
                        return new ForwardingVersionedUpdate(client.versionedUpdate()) {
                            @Override
                            public Optional<Versioned> read(String key) {
                                return untilAnswered(() -> delegate.read(key));
                            }

                            @Override
                            public Optional<Versioned> create(String key, byte[] value) {
                                return untilAnswered(() -> delegate.create(key, value));
                            }

                            @Override
                            public Optional<Versioned> create(String key, byte[] value, long token) {
                                return untilAnswered(() -> delegate.create(key, value, token));
                            }

                            @Override
                            public Optional<Versioned> compareAndSet(String key, long expected, byte[] value) {
                                return untilAnswered(() -> delegate.compareAndSet(key, expected, value));
                            }

                            @Override
                            public Optional<Versioned> compareAndSet(
                                    String key, long expected, byte[] value, long token) {
                                return untilAnswered(() -> delegate.compareAndSet(key, expected, value, token));
                            }

                            @Override
                            public boolean delete(String key, long expected) {
                                return untilAnswered(() -> delegate.delete(key, expected));
                            }
                        };
                    }
                });
    }

    /** The defect: a store that took the call and did not answer yet is waited for again, without end. */
    private static <T> T untilAnswered(java.util.function.Supplier<T> call) {
        while (true) {
            try {
                return call.get();
            } catch (BackendUnavailableException e) {
                waitAgain(e);
            }
        }
    }

    /** Returns to wait again after a store that did not answer; throws {@code e} otherwise. */
    private static void waitAgain(BackendUnavailableException e) {
        if (e.getMessage() == null || !e.getMessage().contains("did not answer")) {
            throw e; // nothing listens: that fails at once, as it should
        }
        if (Thread.currentThread().isInterrupted()) {
            throw e; // the kit's guard gave up on this call
        }
    }

    /** The defect: whatever version the caller expected, use the one stored now (last writer wins). */
    private static long currentVersionInsteadOf(VersionedUpdate store, String key, long expected) {
        Checks.expectedVersion(expected);
        return store.read(key).map(Versioned::version).orElse(expected);
    }

    /** INCIDENTS.md row 16: versions restart at 1 after delete and re-create (ABA). */
    static BrokenTarget versionsRestartAfterDelete() {
        Map<String, Long> base = new ConcurrentHashMap<>();
        return new BrokenTarget("broken/versions-restart", (store, client) -> new ForwardingBackend(client) {
            @Override
            public VersionedUpdate versionedUpdate() {
                return new ForwardingVersionedUpdate(client.versionedUpdate()) {
                    private Versioned shown(Versioned v) {
                        return new Versioned(v.key(), v.value(), v.version() - base.getOrDefault(v.key(), 0L));
                    }

                    private long real(String key, long shown) {
                        return shown + base.getOrDefault(key, 0L);
                    }

                    @Override
                    public Optional<Versioned> read(String key) {
                        return delegate.read(key).map(this::shown);
                    }

                    @Override
                    public Optional<Versioned> create(String key, byte[] value) {
                        Optional<Versioned> created = delegate.create(key, value);
                        created.ifPresent(v -> base.put(key, v.version() - 1));
                        return created.map(this::shown);
                    }

                    @Override
                    public Optional<Versioned> create(String key, byte[] value, long token) {
                        Optional<Versioned> created = delegate.create(key, value, token);
                        created.ifPresent(v -> base.put(key, v.version() - 1));
                        return created.map(this::shown);
                    }

                    @Override
                    public Optional<Versioned> compareAndSet(String key, long expected, byte[] value) {
                        return delegate.compareAndSet(key, real(key, expected), value)
                                .map(this::shown);
                    }

                    @Override
                    public Optional<Versioned> compareAndSet(String key, long expected, byte[] value, long token) {
                        return delegate.compareAndSet(key, real(key, expected), value, token)
                                .map(this::shown);
                    }

                    @Override
                    public boolean delete(String key, long expected) {
                        return delegate.delete(key, real(key, expected));
                    }
                };
            }
        });
    }

    /**
     * INCIDENTS.md row 23: a failed release brings the lease back. When the release's reply is lost,
     * the lease goes back to what it was, valid until its old deadline, although the store may
     * already have freed the key for someone else (two holders).
     */
    static BrokenTarget releaseResurrects() {
        return new BrokenTarget("broken/release-resurrects", (store, client) -> new ForwardingBackend(client) {
            @Override
            public JobLock jobLock() {
                return wrapping(client.jobLock(), Resurrecting::new);
            }
        });
    }

    /** A lease that is valid again until its old deadline after a release that threw. */
    private static final class Resurrecting extends ForwardingLease {
        private volatile long validUntil;
        private volatile boolean restored;

        Resurrecting(Lease delegate) {
            super(delegate);
        }

        @Override
        public boolean release() {
            long until = System.nanoTime() + delegate.remaining().toNanos();
            try {
                boolean released = delegate.release();
                restored = false;
                return released;
            } catch (RuntimeException e) {
                if (!restored) {
                    validUntil = until;
                    restored = true; // "not released after all"
                }
                throw e;
            }
        }

        @Override
        public boolean isValid() {
            return restored ? System.nanoTime() - validUntil < 0 : delegate.isValid();
        }

        @Override
        public Duration remaining() {
            return restored ? Duration.ofNanos(Math.max(0, validUntil - System.nanoTime())) : delegate.remaining();
        }
    }

    /**
     * INCIDENTS.md row 31: the fenced delete ignores its token. A zombie deletes the new holder's
     * value, and leaves no fence.
     */
    static BrokenTarget fencedDeleteIgnoresTheToken() {
        return new BrokenTarget("broken/unfenced-delete", (store, client) -> new ForwardingBackend(client) {
            @Override
            public VersionedUpdate versionedUpdate() {
                return new ForwardingVersionedUpdate(client.versionedUpdate()) {
                    @Override
                    public boolean delete(String key, long expectedVersion, long fencingToken) {
                        Checks.fencingToken(fencingToken);
                        return delegate.delete(key, expectedVersion);
                    }
                };
            }
        });
    }

    /**
     * INCIDENTS.md row 28: a write whose reply was lost is reported as a conflict ("the timeout
     * means it did not happen"): a caller that retries on conflict applies it twice, one that gives
     * up loses track.
     */
    static BrokenTarget lostReplyIsAConflict() {
        return new BrokenTarget("broken/lost-reply-is-a-conflict", (store, client) -> new ForwardingBackend(client) {
            @Override
            public VersionedUpdate versionedUpdate() {
                return new ForwardingVersionedUpdate(client.versionedUpdate()) {
                    @Override
                    public Optional<Versioned> create(String key, byte[] value) {
                        try {
                            return delegate.create(key, value);
                        } catch (OutcomeUnknownException e) {
                            return Optional.empty();
                        }
                    }

                    @Override
                    public Optional<Versioned> compareAndSet(String key, long expectedVersion, byte[] value) {
                        try {
                            return delegate.compareAndSet(key, expectedVersion, value);
                        } catch (OutcomeUnknownException e) {
                            return Optional.empty();
                        }
                    }

                    @Override
                    public boolean delete(String key, long expectedVersion) {
                        try {
                            return delegate.delete(key, expectedVersion);
                        } catch (OutcomeUnknownException e) {
                            return false;
                        }
                    }
                };
            }
        });
    }

    /**
     * INCIDENTS.md row 29: a store that keeps nothing across a restart and starts its counters
     * again, honest about it (it declares neither restart capability): versions are handed out
     * again (V2 always holds).
     */
    static BrokenTarget versionsRepeatAfterAStoreRestart() {
        return new BrokenTarget(
                "broken/versions-repeat-after-restart",
                (store, client) -> new ForwardingBackend(client) {
                    @Override
                    public Set<Capability> capabilities() {
                        Set<Capability> declared = EnumSet.copyOf(delegate.capabilities());
                        declared.remove(Capability.FENCING_SURVIVES_STORE_RESTART);
                        declared.remove(Capability.DATA_SURVIVES_STORE_RESTART);
                        return declared;
                    }
                },
                MemStore::restartForgettingEverything);
    }

    /**
     * INCIDENTS.md row 30: a store that declares that tokens and data survive a restart, and
     * forgets everything.
     */
    static BrokenTarget forgetsWhatItClaimsSurvivesARestart() {
        return new BrokenTarget(
                "broken/forgets-on-restart",
                (store, client) -> new ForwardingBackend(client),
                MemStore::restartForgettingEverything);
    }

    /**
     * INCIDENTS.md row 35: a store that hands a token out before it is durable (a sequence value
     * covered by a log record nobody has flushed yet): a clean restart keeps everything, a kill loses
     * the last 32 tokens, which are handed out again.
     */
    static BrokenTarget tokensHandedOutBeforeTheyAreDurable() {
        return new BrokenTarget(
                "broken/tokens-not-durable",
                (store, client) -> new ForwardingBackend(client),
                MemStore::restart,
                store -> store.restartLosingTheLastTokens(32),
                MemBackend.LeaseKind.TIMED);
    }

    /**
     * INCIDENTS.md row 24: keys go through a lossy encoding without the well-formedness check: an
     * unpaired surrogate becomes {@code ?}, so distinct keys share one lock and one value.
     */
    static BrokenTarget lossyKeys() {
        return new BrokenTarget("broken/lossy-keys", (store, client) -> new ForwardingBackend(client) {
            @Override
            public JobLock jobLock() {
                return new ForwardingJobLock(client.jobLock()) {
                    @Override
                    public Optional<Lease> tryAcquire(String key, Duration lease) {
                        return delegate.tryAcquire(lossy(key), lease);
                    }

                    @Override
                    public Optional<Lease> acquire(String key, Duration lease, Duration maxWait)
                            throws InterruptedException {
                        return delegate.acquire(lossy(key), lease, maxWait);
                    }
                };
            }

            @Override
            public VersionedUpdate versionedUpdate() {
                return new ForwardingVersionedUpdate(client.versionedUpdate()) {
                    @Override
                    public Optional<Versioned> read(String key) {
                        return delegate.read(lossy(key));
                    }

                    @Override
                    public Optional<Versioned> create(String key, byte[] value) {
                        return delegate.create(lossy(key), value);
                    }

                    @Override
                    public Optional<Versioned> create(String key, byte[] value, long token) {
                        return delegate.create(lossy(key), value, token);
                    }
                };
            }
        });
    }

    private static String lossy(String key) {
        return key == null ? null : new String(key.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
    }

    /**
     * INCIDENTS.md row 25: a lease longer than the store can count is written first and then fails
     * in the client's arithmetic: no lease is returned and the key stays blocked (the store keeps the
     * longest lease).
     */
    static BrokenTarget overflowingLease() {
        return new BrokenTarget("broken/overflowing-lease", (store, client) -> new ForwardingBackend(client) {
            @Override
            public JobLock jobLock() {
                return new ForwardingJobLock(client.jobLock()) {
                    @Override
                    public Optional<Lease> tryAcquire(String key, Duration lease) {
                        if (lease != null && lease.compareTo(leaseLimits().longest()) > 0) {
                            delegate.tryAcquire(key, leaseLimits().longest());
                            throw new ArithmeticException("long overflow");
                        }
                        return delegate.tryAcquire(key, lease);
                    }
                };
            }
        });
    }

    /**
     * INCIDENTS.md row 27: the deadline counts from when the acquire or extend returned, not from
     * when it was sent: a late reply makes the holder believe in time the store never promised.
     */
    static BrokenTarget deadlineFromTheReply() {
        return new BrokenTarget("broken/deadline-from-reply", (store, client) -> new ForwardingBackend(client) {
            @Override
            public JobLock jobLock() {
                return new ForwardingJobLock(client.jobLock()) {
                    @Override
                    public Optional<Lease> tryAcquire(String key, Duration lease) {
                        return delegate.tryAcquire(key, lease).map(l -> new FromReply(l, lease));
                    }

                    @Override
                    public Optional<Lease> acquire(String key, Duration lease, Duration maxWait)
                            throws InterruptedException {
                        return delegate.acquire(key, lease, maxWait).map(l -> new FromReply(l, lease));
                    }
                };
            }
        });
    }

    /** A lease whose deadline is the moment its acquire or extend returned, plus the lease. */
    private static final class FromReply extends ForwardingLease {
        private volatile long deadline;
        private volatile boolean released;

        FromReply(Lease delegate, Duration lease) {
            super(delegate);
            this.deadline = System.nanoTime() + lease.toNanos();
        }

        @Override
        public boolean extend(Duration lease) {
            boolean extended = delegate.extend(lease);
            if (extended) {
                deadline = System.nanoTime() + lease.toNanos();
            }
            return extended;
        }

        @Override
        public boolean release() {
            released = true;
            return delegate.release();
        }

        @Override
        public boolean isValid() {
            return !released && System.nanoTime() - deadline < 0;
        }

        @Override
        public Duration remaining() {
            return isValid() ? Duration.ofNanos(Math.max(0, deadline - System.nanoTime())) : Duration.ZERO;
        }
    }

    /** A JobLock whose every granted lease is wrapped by {@code wrap}: the shape of most lease defects. */
    private static JobLock wrapping(JobLock lock, java.util.function.UnaryOperator<Lease> wrap) {
        return new ForwardingJobLock(lock) {
            @Override
            public Optional<Lease> tryAcquire(String key, Duration lease) {
                return delegate.tryAcquire(key, lease).map(wrap);
            }

            @Override
            public Optional<Lease> acquire(String key, Duration lease, Duration maxWait) throws InterruptedException {
                return delegate.acquire(key, lease, maxWait).map(wrap);
            }
        };
    }

    /** INCIDENTS.md row 8: the lease is lost and the holder is never told (onLost never fires). */
    static BrokenTarget lossNeverReported() {
        return new BrokenTarget(
                "broken/loss-never-reported (incident 8)", (store, client) -> new ForwardingBackend(client) {
                    @Override
                    public JobLock jobLock() {
                        return wrapping(client.jobLock(), lease -> new ForwardingLease(lease) {
                            @Override
                            public void onLost(java.util.function.Consumer<Lease> listener) {
                                // "the watchdog logs and stops": nobody is told
                            }
                        });
                    }
                });
    }

    /**
     * INCIDENTS.md row 9: a session lease whose connection was dropped goes on as valid until its
     * own clock says otherwise (SUSPENDED treated as still holding). Session-kind clients.
     */
    static BrokenTarget suspendedStillHolds() {
        return new BrokenTarget(
                "broken/suspended-still-holds (incident 9)",
                (store, client) -> new ForwardingBackend(client) {
                    @Override
                    public JobLock jobLock() {
                        return new ForwardingJobLock(client.jobLock()) {
                            @Override
                            public Optional<Lease> tryAcquire(String key, Duration lease) {
                                long sent = System.nanoTime();
                                return delegate.tryAcquire(key, lease).map(l -> new IgnoresLoss(l, sent, lease));
                            }

                            @Override
                            public Optional<Lease> acquire(String key, Duration lease, Duration maxWait)
                                    throws InterruptedException {
                                long sent = System.nanoTime();
                                return delegate.acquire(key, lease, maxWait).map(l -> new IgnoresLoss(l, sent, lease));
                            }
                        };
                    }
                },
                MemStore::restart,
                MemBackend.LeaseKind.SESSION);
    }

    /**
     * INCIDENTS.md row 42 (L1): {@code close()} ends the client's session and with it the locks it
     * holds, but an acquire whose reply was still on its way hands out its lease as valid until its
     * own deadline: another client takes the key while that lease says it holds it.
     */
    static BrokenTarget grantsAfterClose() {
        return new BrokenTarget(
                "broken/grants-after-close (incident 42)",
                (store, client) -> new ForwardingBackend(client) {
                    private volatile boolean closed;

                    @Override
                    public JobLock jobLock() {
                        return new ForwardingJobLock(client.jobLock()) {
                            @Override
                            public Optional<Lease> tryAcquire(String key, Duration lease) {
                                boolean openWhenSent = !closed;
                                long sent = System.nanoTime();
                                Optional<Lease> granted = delegate.tryAcquire(key, lease);
                                // The defect: a grant that came back after close() is not looked at.
                                return openWhenSent && closed
                                        ? granted.map(l -> new IgnoresLoss(l, sent, lease))
                                        : granted;
                            }
                        };
                    }

                    @Override
                    public void close() {
                        closed = true;
                        super.close();
                    }
                },
                MemStore::restart,
                MemBackend.LeaseKind.SESSION);
    }

    /** Valid until its own deadline whatever the session did; the loss is never reported. */
    private static final class IgnoresLoss extends ForwardingLease {
        private volatile long deadline;
        private volatile boolean released;

        IgnoresLoss(Lease delegate, long sent, Duration lease) {
            super(delegate);
            this.deadline = sent + lease.toNanos();
        }

        @Override
        public boolean extend(Duration lease) {
            long sent = System.nanoTime();
            boolean extended = delegate.extend(lease);
            if (extended) {
                deadline = sent + lease.toNanos();
            }
            return extended;
        }

        @Override
        public boolean isValid() {
            return !released && System.nanoTime() - deadline < 0;
        }

        @Override
        public Duration remaining() {
            return isValid() ? Duration.ofNanos(deadline - System.nanoTime()) : Duration.ZERO;
        }

        @Override
        public boolean release() {
            released = true;
            return delegate.release();
        }

        @Override
        public void onLost(java.util.function.Consumer<Lease> listener) {
            // connection state changes are not looked at
        }
    }

    /**
     * INCIDENTS.md row 10: expiry decided on the client's clock, which runs at twice the store's: a
     * lease that is half over looks expired, so the client deletes it and takes the key.
     */
    static BrokenTarget expiryOnTheClientsClock() {
        Map<String, long[]> granted = new ConcurrentHashMap<>(); // key → {granted at, lease} as this client saw it
        return new BrokenTarget(
                "broken/expiry-on-the-clients-clock (incident 10)", (store, client) -> new ForwardingBackend(client) {
                    @Override
                    public JobLock jobLock() {
                        return new ForwardingJobLock(client.jobLock()) {
                            @Override
                            public Optional<Lease> tryAcquire(String key, Duration lease) {
                                Checks.key(key);
                                leaseLimits().check(lease);
                                long[] seen = granted.get(key);
                                if (seen != null
                                        && store.holderToken(key).isPresent()
                                        && 2 * (System.nanoTime() - seen[0]) >= seen[1]) {
                                    store.evict(key); // "expired" by this client's fast clock
                                }
                                long now = System.nanoTime();
                                Optional<Lease> got = delegate.tryAcquire(key, lease);
                                got.ifPresent(l -> granted.put(key, new long[] {now, lease.toNanos()}));
                                return got;
                            }

                            @Override
                            public Optional<Lease> acquire(String key, Duration lease, Duration maxWait)
                                    throws InterruptedException {
                                long until = System.nanoTime()
                                        + Math.min(
                                                Checks.saturatedNanos(Checks.maxWait(maxWait)),
                                                TimeUnit.DAYS.toNanos(1));
                                while (true) {
                                    if (Thread.interrupted()) {
                                        Thread.currentThread().interrupt(); // L8 is not this backend's defect
                                        throw new InterruptedException("interrupted while acquiring '" + key + "'");
                                    }
                                    Optional<Lease> got = tryAcquire(key, lease);
                                    if (got.isPresent() || System.nanoTime() - until >= 0) {
                                        return got;
                                    }
                                    try {
                                        TimeUnit.MILLISECONDS.sleep(1);
                                    } catch (InterruptedException e) {
                                        Thread.currentThread().interrupt();
                                        throw e;
                                    }
                                }
                            }
                        };
                    }
                });
    }

    /** INCIDENTS.md row 11: only the thread that acquired a lease may release it. */
    static BrokenTarget unlockBoundToTheAcquiringThread() {
        return new BrokenTarget(
                "broken/thread-bound-unlock (incident 11)", (store, client) -> new ForwardingBackend(client) {
                    @Override
                    public JobLock jobLock() {
                        return wrapping(client.jobLock(), lease -> {
                            Thread owner = Thread.currentThread();
                            return new ForwardingLease(lease) {
                                @Override
                                public boolean release() {
                                    if (Thread.currentThread() != owner) {
                                        throw new IllegalMonitorStateException(
                                                "attempt to unlock lock, not locked by current thread");
                                    }
                                    return delegate.release();
                                }
                            };
                        });
                    }
                });
    }

    /**
     * INCIDENTS.md row 12: the release notification is lost, so a waiter sleeps through most of its
     * wait (seven tenths) before it looks again.
     */
    static BrokenTarget lostWakeUp() {
        return new BrokenTarget("broken/lost-wake-up (incident 12)", (store, client) -> new ForwardingBackend(client) {
            @Override
            public JobLock jobLock() {
                return new ForwardingJobLock(client.jobLock()) {
                    @Override
                    public Optional<Lease> acquire(String key, Duration lease, Duration maxWait)
                            throws InterruptedException {
                        Checks.maxWait(maxWait);
                        if (Thread.interrupted()) {
                            Thread.currentThread().interrupt(); // L8 is not this backend's defect
                            throw new InterruptedException("interrupted while acquiring '" + key + "'");
                        }
                        Optional<Lease> first = delegate.tryAcquire(key, lease);
                        if (first.isPresent() || maxWait.isZero()) {
                            return first;
                        }
                        // Most of the wait: past the half by which l7_waiterWakesAfterRelease requires the
                        // key, short of the end, so a waiter whose caller waits as long as it may still
                        // returns (the key is free by then) instead of racing the caller's own guard.
                        long wait = Math.min(Checks.saturatedNanos(maxWait), TimeUnit.DAYS.toNanos(1)) / 10 * 7;
                        try {
                            TimeUnit.NANOSECONDS.sleep(wait); // the message that would have woken it never came
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            throw e;
                        }
                        return delegate.tryAcquire(key, lease);
                    }
                };
            }
        });
    }

    /** INCIDENTS.md row 14: losing a race is thrown as the store's serialization failure instead of empty. */
    static BrokenTarget contentionThrows() {
        return new BrokenTarget(
                "broken/contention-throws (incident 14)", (store, client) -> new ForwardingBackend(client) {
                    @Override
                    public JobLock jobLock() {
                        return new ForwardingJobLock(client.jobLock()) {
                            @Override
                            public Optional<Lease> tryAcquire(String key, Duration lease) {
                                return Optional.of(
                                        delegate.tryAcquire(key, lease)
                                                .orElseThrow(
                                                        () -> new IllegalStateException(
                                                                "ERROR: could not serialize access due to concurrent update (SQLSTATE 40001)")));
                            }
                        };
                    }
                });
    }

    /**
     * INCIDENTS.md row 21: every client of the store has the same client id, and a lock "already
     * held by us" is granted again: two clients hold one key.
     */
    static BrokenTarget sharedClientId() {
        Map<String, Lease> heldByTheId = new ConcurrentHashMap<>();
        return new BrokenTarget(
                "broken/shared-client-id (incident 21)", (store, client) -> new ForwardingBackend(client) {
                    @Override
                    public JobLock jobLock() {
                        return new ForwardingJobLock(client.jobLock()) {
                            @Override
                            public Optional<Lease> tryAcquire(String key, Duration lease) {
                                Optional<Lease> got = delegate.tryAcquire(key, lease);
                                if (got.isPresent()) {
                                    heldByTheId.put(key, got.get());
                                    return got;
                                }
                                Lease ours = heldByTheId.get(key);
                                return ours != null && ours.isValid()
                                        ? Optional.of(new ForwardingLease(ours) {
                                            @Override
                                            public boolean release() {
                                                return false; // reentrant hold: the outer holder releases
                                            }
                                        })
                                        : Optional.empty();
                            }
                        };
                    }
                });
    }

    /** Where the version decorators of row 15 start a key's versions: its first version is 2³¹ − 3. */
    private static final long NEAR_2_TO_31 = (1L << 31) - 4;

    /**
     * INCIDENTS.md row 15: versions kept in a signed 32-bit field that starts just below 2³¹ (a
     * backend may start versions anywhere): the fourth version of a key wraps to −2³¹, so versions go
     * down, and a compare-and-set with the wrapped version is refused as a version below 1.
     */
    static BrokenTarget versionsIn32Bits() {
        return new BrokenTarget(
                "broken/versions-in-32-bits (incident 15)", (store, client) -> new ForwardingBackend(client) {
                    @Override
                    public VersionedUpdate versionedUpdate() {
                        return new ShiftedVersions(
                                client.versionedUpdate(),
                                real -> (long) (int) (real + NEAR_2_TO_31),
                                shown -> (shown - NEAR_2_TO_31) & 0xFFFF_FFFFL);
                    }
                });
    }

    /**
     * Not broken: the twin of {@link #versionsIn32Bits} with 64-bit versions starting at 2³¹ − 3. It
     * must pass the whole kit, which shows that the kit catches the wrap and not the starting point.
     */
    static BrokenTarget versionsStartNear2To31() {
        return new BrokenTarget("control/versions-start-near-2^31", (store, client) -> new ForwardingBackend(client) {
            @Override
            public VersionedUpdate versionedUpdate() {
                return new ShiftedVersions(
                        client.versionedUpdate(), real -> real + NEAR_2_TO_31, shown -> shown - NEAR_2_TO_31);
            }
        });
    }

    /** Shows the store's versions through {@code shown}, and maps the caller's back through {@code real}. */
    private static final class ShiftedVersions extends ForwardingVersionedUpdate {
        private final java.util.function.LongUnaryOperator shown;
        private final java.util.function.LongUnaryOperator real;

        ShiftedVersions(
                VersionedUpdate delegate,
                java.util.function.LongUnaryOperator shown,
                java.util.function.LongUnaryOperator real) {
            super(delegate);
            this.shown = shown;
            this.real = real;
        }

        private Optional<Versioned> shown(Optional<Versioned> v) {
            return v.map(x -> new Versioned(x.key(), x.value(), shown.applyAsLong(x.version())));
        }

        /** The store's version for the caller's, or 0 for one the store never handed out. */
        private long real(long expected) {
            Checks.expectedVersion(expected);
            long r = real.applyAsLong(expected);
            return r < 1 ? 0 : r;
        }

        @Override
        public Optional<Versioned> read(String key) {
            return shown(delegate.read(key));
        }

        @Override
        public Optional<Versioned> create(String key, byte[] value) {
            return shown(delegate.create(key, value));
        }

        @Override
        public Optional<Versioned> create(String key, byte[] value, long token) {
            return shown(delegate.create(key, value, token));
        }

        @Override
        public Optional<Versioned> compareAndSet(String key, long expected, byte[] value) {
            long r = real(expected);
            // Long.MAX_VALUE: a version no key has
            return shown(delegate.compareAndSet(key, r == 0 ? Long.MAX_VALUE : r, value));
        }

        @Override
        public Optional<Versioned> compareAndSet(String key, long expected, byte[] value, long token) {
            long r = real(expected);
            return shown(delegate.compareAndSet(key, r == 0 ? Long.MAX_VALUE : r, value, token));
        }

        @Override
        public boolean delete(String key, long expected) {
            long r = real(expected);
            return delegate.delete(key, r == 0 ? Long.MAX_VALUE : r);
        }

        @Override
        public boolean delete(String key, long expected, long token) {
            long r = real(expected);
            return delegate.delete(key, r == 0 ? Long.MAX_VALUE : r, token);
        }
    }

    /**
     * INCIDENTS.md row 17: a compare-and-set whose reply was lost is sent again, as a command retry
     * of a non-idempotent script does: the retry re-reads the key and writes the value again with the
     * version it finds, until it gets through (for up to 2 s, then the outcome is unknown). The write
     * lands twice, and a write another client made in between is overwritten.
     */
    static BrokenTarget resentWriteAppliedTwice() {
        return new BrokenTarget(
                "broken/resent-write-applied-twice (incident 17)", (store, client) -> new ForwardingBackend(client) {
                    @Override
                    public VersionedUpdate versionedUpdate() {
                        return new ForwardingVersionedUpdate(client.versionedUpdate()) {
                            @Override
                            public Optional<Versioned> compareAndSet(String key, long expected, byte[] value) {
                                try {
                                    return delegate.compareAndSet(key, expected, value);
                                } catch (OutcomeUnknownException lost) {
                                    return resend(lost, () -> delegate.read(key)
                                            .flatMap(now -> delegate.compareAndSet(key, now.version(), value)));
                                }
                            }

                            @Override
                            public Optional<Versioned> compareAndSet(
                                    String key, long expected, byte[] value, long token) {
                                try {
                                    return delegate.compareAndSet(key, expected, value, token);
                                } catch (OutcomeUnknownException lost) {
                                    return resend(lost, () -> delegate.read(key)
                                            .flatMap(now -> delegate.compareAndSet(key, now.version(), value, token)));
                                }
                            }
                        };
                    }
                });
    }

    /**
     * Sends {@code again} until it is applied, for up to 60 s (longer than any stall of the kit test
     * between losing the reply and healing it); then the first loss is thrown.
     */
    private static Optional<Versioned> resend(
            OutcomeUnknownException lost, java.util.function.Supplier<Optional<Versioned>> again) {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() - until < 0) {
            try {
                Optional<Versioned> applied = again.get();
                if (applied.isPresent()) {
                    return applied;
                }
            } catch (io.lockkit.LockKitException stillLost) {
                // the reply of the retry was lost too: try again
            }
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
        throw lost;
    }

    /**
     * INCIDENTS.md row 20: the token sequence has {@code CACHE 20}: each client takes tokens in
     * blocks of 20 from the store's counter and hands them out from its block, so tokens go out of
     * order across clients (client A gets 1, client B 21, client A 2).
     */
    static BrokenTarget tokenSequenceCachedPerClient() {
        AtomicLong blocks = new AtomicLong();
        return new BrokenTarget("broken/token-sequence-cache-20 (incident 20)", (store, client) -> {
            long[] block = {1, 0}; // next, last: empty
            java.util.function.LongSupplier next = () -> {
                synchronized (block) {
                    if (block[0] > block[1]) {
                        long first = blocks.getAndAdd(20) + 1;
                        block[0] = first;
                        block[1] = first + 19;
                    }
                    return block[0]++;
                }
            };
            return new ForwardingBackend(client) {
                @Override
                public JobLock jobLock() {
                    return wrapping(client.jobLock(), lease -> {
                        long token = next.getAsLong();
                        return new ForwardingLease(lease) {
                            @Override
                            public long token() {
                                return token;
                            }
                        };
                    });
                }
            };
        });
    }

    /**
     * INCIDENTS.md row 22: lock names hashed to 32 bits for the lock id ({@code
     * pg_advisory_lock(key.hashCode())}): distinct keys with the same hash share one lock. Deterministic:
     * {@code "…Aa"} and {@code "…BB"} always collide. Values are keyed correctly.
     */
    static BrokenTarget keysHashedTo32Bits() {
        return new BrokenTarget(
                        "broken/keys-hashed-to-32-bits (incident 22)",
                        (store, client) -> new ForwardingBackend(client) {
                            @Override
                            public JobLock jobLock() {
                                return new ForwardingJobLock(client.jobLock()) {
                                    @Override
                                    public Optional<Lease> tryAcquire(String key, Duration lease) {
                                        return delegate.tryAcquire(lockId(key), lease)
                                                .map(l -> namedAs(key, l));
                                    }

                                    @Override
                                    public Optional<Lease> acquire(String key, Duration lease, Duration maxWait)
                                            throws InterruptedException {
                                        return delegate.acquire(lockId(key), lease, maxWait)
                                                .map(l -> namedAs(key, l));
                                    }
                                };
                            }
                        })
                .storingKeysAs(Defects::lockId);
    }

    private static String lockId(String key) {
        return "advisory/" + Checks.key(key).hashCode();
    }

    private static Lease namedAs(String key, Lease lease) {
        return new ForwardingLease(lease) {
            @Override
            public String key() {
                return key;
            }
        };
    }

    /** The drift margin of {@link #shortestBelowTheDriftMargin}. */
    private static final Duration MARGIN = Duration.ofMillis(100);
    /** Its lease limits: the shortest half the margin, what a backend declares when it forgets its margin. */
    private static final LeaseLimits BELOW_THE_MARGIN = new LeaseLimits(MARGIN.dividedBy(2), LeaseLimits.MAX);

    /**
     * INCIDENTS.md row 26: a backend whose leases subtract a drift margin of 100 ms, but whose
     * {@code leaseLimits()} declare a shortest lease of half of it (50 ms): a lease of the shortest
     * duration is returned already invalid, while the store holds the key for it.
     */
    static BrokenTarget shortestBelowTheDriftMargin() {
        return new BrokenTarget(
                "broken/shortest-below-the-drift-margin (incident 26)",
                (store, client) -> new ForwardingBackend(client) {
                    @Override
                    public JobLock jobLock() {
                        return new ForwardingJobLock(client.jobLock()) {
                            @Override
                            public LeaseLimits leaseLimits() {
                                return BELOW_THE_MARGIN;
                            }

                            @Override
                            public Optional<Lease> tryAcquire(String key, Duration lease) {
                                leaseLimits().check(lease);
                                return delegate.tryAcquire(key, lease).map(WithMargin::new);
                            }

                            @Override
                            public Optional<Lease> acquire(String key, Duration lease, Duration maxWait)
                                    throws InterruptedException {
                                leaseLimits().check(lease);
                                return delegate.acquire(key, lease, maxWait).map(WithMargin::new);
                            }
                        };
                    }
                });
    }

    /** A lease whose deadline is the store's minus {@link #MARGIN}. */
    private static final class WithMargin extends ForwardingLease {
        private volatile long deadline;

        /** The store's deadline (mem subtracts no margin: it is the grant plus the lease) minus the margin. */
        WithMargin(Lease delegate) {
            super(delegate);
            this.deadline = System.nanoTime() + delegate.remaining().toNanos() - MARGIN.toNanos();
        }

        @Override
        public boolean extend(Duration lease) {
            BELOW_THE_MARGIN.check(lease);
            long sent = System.nanoTime();
            boolean extended = delegate.extend(lease);
            if (extended && sent - deadline < 0) {
                deadline = System.nanoTime() + delegate.remaining().toNanos() - MARGIN.toNanos();
            }
            return extended;
        }

        @Override
        public boolean isValid() {
            return delegate.isValid() && System.nanoTime() - deadline < 0;
        }

        @Override
        public Duration remaining() {
            return isValid() ? Duration.ofNanos(deadline - System.nanoTime()) : Duration.ZERO;
        }
    }

    /**
     * INCIDENTS.md row 4: every acquire first sweeps all expired leases under a store-wide lock, and
     * a sweep that meets another one fails with the store's deadlock error (InnoDB's gap locks, error
     * 1213), which reaches the caller. The sweep holds its lock until a second one arrives or 50 ms
     * have passed, so concurrent acquires always meet — on any keys, free ones too.
     */
    static BrokenTarget sweepOnAcquire() {
        java.util.concurrent.locks.ReentrantLock sweep = new java.util.concurrent.locks.ReentrantLock();
        java.util.concurrent.atomic.AtomicBoolean met = new java.util.concurrent.atomic.AtomicBoolean();
        Runnable sweepExpired = () -> {
            if (!sweep.tryLock()) {
                met.set(true);
                throw new IllegalStateException(
                        "Deadlock found when trying to get lock; try restarting transaction (MySQL error 1213)");
            }
            try {
                met.set(false);
                spin(TimeUnit.MILLISECONDS.toNanos(50), met::get); // DELETE FROM locks WHERE expires_at < now()
            } finally {
                sweep.unlock();
            }
        };
        return new BrokenTarget(
                "broken/sweep-on-acquire (incident 4)", (store, client) -> new ForwardingBackend(client) {
                    @Override
                    public JobLock jobLock() {
                        return new ForwardingJobLock(client.jobLock()) {
                            @Override
                            public Optional<Lease> tryAcquire(String key, Duration lease) {
                                Checks.key(key);
                                leaseLimits().check(lease);
                                sweepExpired.run();
                                return delegate.tryAcquire(key, lease);
                            }

                            @Override
                            public Optional<Lease> acquire(String key, Duration lease, Duration maxWait)
                                    throws InterruptedException {
                                Checks.key(key);
                                leaseLimits().check(lease);
                                Checks.maxWait(maxWait);
                                sweepExpired.run();
                                return delegate.acquire(key, lease, maxWait);
                            }
                        };
                    }
                });
    }
}
