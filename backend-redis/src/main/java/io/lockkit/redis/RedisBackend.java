package io.lockkit.redis;

import io.lockkit.Backend;
import io.lockkit.BackendUnavailableException;
import io.lockkit.Capability;
import io.lockkit.JobLock;
import io.lockkit.LeaseLimits;
import io.lockkit.LockKitException;
import io.lockkit.Ticker;
import io.lockkit.VersionedUpdate;
import io.lockkit.redis.internal.Unreachable;
import io.lockkit.spi.Checks;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import org.redisson.api.RScript;
import org.redisson.api.RTopic;
import org.redisson.api.RedissonClient;
import org.redisson.api.listener.StatusListener;
import org.redisson.client.codec.StringCodec;

/**
 * lockkit on Redis, through the {@link RedissonClient} the application already has. Thread-safe.
 *
 * <ul>
 *   <li>{@link JobLock}: timed leases ({@link Capability#TIMED_LEASE}) from twice the drift margin
 *       to 365 days ({@link JobLock#leaseLimits()}). Acquire is one Lua round trip: {@code SET NX
 *       PX} under a random per-lease owner id, and a fencing token {@code max(counter + 1, server
 *       TIME in µs)} from one store-wide counter (L1, L2). Release and extend are owner-checked
 *       scripts (L3); release publishes the key so that one waiter per client wakes at once, and a
 *       waiter never sleeps past the holder's remaining PTTL, so a lost message costs at most the
 *       rest of that lease (L7). A lease's deadline is the monotonic time read before the
 *       acquire/extend went out + the lease − the drift margin (L5).
 *   <li>{@link VersionedUpdate}: one hash per key, each write one Lua round trip (V1). A version is
 *       {@code max(previous version + 1, server TIME in µs)}; a delete leaves a tombstone with the
 *       version and the highest fence (V2, V3). Fenced writes (create, compareAndSet, delete) check
 *       the key's fence and the store epoch before the version.
 *   <li>Errors: no reply within {@link Builder#timeout} → {@link BackendUnavailableException}, or
 *       {@link io.lockkit.OutcomeUnknownException} for a write that was sent (E2, V4). Scripts are
 *       never re-sent by Redisson (retries off per call) and are re-loaded after {@code NOSCRIPT}.
 * </ul>
 *
 * <p>Durability. {@link Builder#build} refuses a server whose {@code maxmemory-policy} evicts keys (an
 * evicted lock is an L1 breach, an evicted counter or fence an L2/V3 breach) unless told to only
 * warn. Tokens and versions are never below the server's clock in µs when drawn, and never run
 * ahead of it (a script takes more than a µs). After a restart that lost every key (no persistence):
 * held locks and values are gone (L1 does not survive it); the first script that finds the token
 * counter missing records the store epoch (the server's µs then) and restarts the counter there,
 * so every later token is above every earlier one (L2); a key's next version is above every
 * version it had (V2); and every fenced write with a token below the epoch, that is every token
 * granted before the restart, is refused with {@link io.lockkit.FencedOutException} on every key
 * (V3). This holds as long as the server's clock after the restart reads later than at every grant
 * and write before it: a clock set back by more than the downtime is the residual risk. Hence
 * {@link Capability#FENCING_SURVIVES_STORE_RESTART}. It also means a fencing token must be one this
 * backend granted: a token below the epoch is refused. Values, fences and leases survive a restart
 * only with AOF and {@code appendfsync always}, declared by {@link Builder#persistent(boolean)}
 * ({@link Capability#DATA_SURVIVES_STORE_RESTART}). A restart from an older state (RDB snapshots,
 * {@code appendfsync everysec}) or a failover to an asynchronous replica keeps the counter, so sets
 * no epoch: tokens and versions still go up by the clock rule — after a failover only if the
 * replica's clock reads later than the old primary's did at its last grant — but locks, values and
 * fences written after the snapshot or in the replication lag are lost (L1, V1, V3 can break for
 * those keys).
 *
 * <pre>{@code
 * try (Backend locks = RedisBackend.builder(redisson).build()) {
 *     locks.jobLock().tryAcquire("job-42", Duration.ofSeconds(30)).ifPresent(lease -> ...);
 * }
 * }</pre>
 */
public final class RedisBackend implements Backend {
    /** How {@link Builder#build()} treats a server whose {@code maxmemory-policy} evicts keys. */
    public enum EvictionPolicyCheck {
        /** Fail with {@link IllegalStateException} (the default). */
        REFUSE,
        /** Log a warning and go on. */
        WARN,
        /** Do not look (for servers that hide INFO). */
        OFF
    }

    /** The longest any call waits for Redis before it fails (E2). */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(3);
    /** The longest {@link Builder#timeout}: a day (longer ones would overflow a nanosecond deadline). */
    public static final Duration MAX_TIMEOUT = Duration.ofDays(1);
    /** Subtracted from every deadline: Redis expires keys by its wall clock in whole ms. */
    public static final Duration DEFAULT_DRIFT_MARGIN = Duration.ofMillis(10);
    /** The hash tag that every lockkit key starts with. */
    public static final String DEFAULT_PREFIX = "lockkit";
    /**
     * Clock-rate allowance added to the drift margin, per unit of lease: 1000 ppm, twice the
     * fastest rate at which NTP slews a clock.
     */
    static final long RATE_DRIFT_DIVISOR = 1000;

    private static final System.Logger LOG = System.getLogger(RedisBackend.class.getName());

    private final RedissonClient redisson;
    private final Keys keys;
    private final Store store;
    private final Ticker ticker;
    private final Duration timeout;
    private final Duration driftMargin;
    private final LeaseLimits leaseLimits;
    private final boolean shutdownClientOnClose;
    private final Set<Capability> capabilities;
    private final @Nullable RTopic topic;
    private final ReleaseSignals signals = new ReleaseSignals();
    private final RedisJobLock jobLock = new RedisJobLock(this);
    private final RedisVersionedUpdate versionedUpdate = new RedisVersionedUpdate(this);
    /** The subscription to release messages (the listener's id once made); null until first needed. */
    private @Nullable CompletableFuture<Integer> subscription; // guarded by this
    /** The reply of the release channel's check sent with the last subscription (guarded by this). */
    private @Nullable CompletableFuture<byte[]> channelCheck;

    /** The listener that looks at every waited key again when Redisson subscribes anew. */
    private @Nullable CompletableFuture<Integer> statusListener; // guarded by this

    private boolean closed; // guarded by this

    private RedisBackend(Builder b) {
        this.redisson = b.redisson;
        this.keys = new Keys(b.prefix);
        this.ticker = b.ticker;
        this.timeout = b.timeout;
        this.driftMargin = b.driftMargin;
        // The margin grows by 1000 ppm of the lease, but twice the fixed margin still leaves a lease of
        // the shortest length valid for about the fixed margin when it is returned; at the longest
        // (365 days) every sum stays far from overflowing a nanosecond count.
        this.leaseLimits = LeaseLimits.forDriftMargin(b.driftMargin);
        this.shutdownClientOnClose = b.shutdownClientOnClose;
        this.store = new Store(redisson, timeout);
        this.topic = b.releaseNotification ? redisson.getTopic(keys.channel(), StringCodec.INSTANCE) : null;
        EnumSet<Capability> caps = EnumSet.of(Capability.TIMED_LEASE, Capability.FENCING_SURVIVES_STORE_RESTART);
        if (b.releaseNotification) {
            caps.add(Capability.RELEASE_NOTIFICATION);
        }
        if (b.persistent) {
            caps.add(Capability.DATA_SURVIVES_STORE_RESTART);
        }
        this.capabilities = Set.copyOf(caps);
    }

    /** A builder over {@code redisson}, which stays the caller's: {@link #close()} does not shut it down. */
    public static Builder builder(RedissonClient redisson) {
        return new Builder(redisson);
    }

    @Override
    public String name() {
        return "redis";
    }

    @Override
    public Set<Capability> capabilities() {
        return capabilities;
    }

    @Override
    public JobLock jobLock() {
        return jobLock;
    }

    @Override
    public VersionedUpdate versionedUpdate() {
        return versionedUpdate;
    }

    /** Stops listening for release messages; shuts the Redisson client down only if the builder was told to. */
    @Override
    public void close() {
        List<CompletableFuture<Integer>> listeners = new ArrayList<>();
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            if (subscription != null) {
                listeners.add(subscription);
            }
            if (statusListener != null) {
                listeners.add(statusListener);
            }
        }
        store.close();
        if (topic != null && !redisson.isShutdown()) {
            listeners.forEach(listener -> listener.thenAccept(topic::removeListenerAsync));
        }
        if (shutdownClientOnClose) {
            redisson.shutdown(0, timeout.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public String toString() {
        return "RedisBackend[prefix=" + keys.prefix() + ", capabilities=" + capabilities + "]";
    }

    Keys keys() {
        return keys;
    }

    Store store() {
        return store;
    }

    Ticker ticker() {
        return ticker;
    }

    LeaseLimits leaseLimits() {
        return leaseLimits;
    }

    Duration driftMargin(Duration lease) {
        return driftMargin.plus(lease.dividedBy(RATE_DRIFT_DIVISOR));
    }

    /**
     * Registers an acquire waiter, subscribing to release messages on first use: it waits for the
     * subscription reacting to interrupts (L8), until {@code deadline} ({@link System#nanoTime()},
     * the acquire's wait: then it is registered all the same, and its attempt still tells whether
     * the key is free) or for {@code timeout}, whichever comes first (then {@link
     * BackendUnavailableException}, E2).
     */
    ReleaseSignals.Waiter waitForReleases(String key, long deadline) throws InterruptedException {
        CompletableFuture<Integer> subscribed = subscription();
        if (subscribed != null) {
            long left = deadline - System.nanoTime();
            boolean deadlineFirst = left < timeout.toNanos();
            try {
                subscribed.get(Math.max(0, deadlineFirst ? left : timeout.toNanos()), TimeUnit.NANOSECONDS);
            } catch (ExecutionException e) {
                throwIfTheChannelIsRefused();
                throw new BackendUnavailableException(
                        "cannot subscribe to " + keys.channel(), Credentials.scrubbed(e.getCause()));
            } catch (TimeoutException e) {
                throwIfTheChannelIsRefused();
                if (!deadlineFirst) {
                    throw new BackendUnavailableException(
                            "cannot subscribe to " + keys.channel() + " within " + timeout, e);
                }
            }
        }
        return signals.register(key);
    }

    /**
     * A subscription that failed or has not come yet: when the server refuses this client's user the
     * release channel (an ACL without it; Redis 7 gives a new user no channel), that is a setting to
     * change, not a store that is down, and the caller is told which. Redisson retries a refused
     * subscribe without reporting the refusal, so the check ({@link Script#CHANNEL_CHECK}) is sent
     * with the subscription and only its reply, when it has come, is looked at here: no wait, and
     * nothing when the store did not answer it (then the caller reports the store unavailable).
     */
    private void throwIfTheChannelIsRefused() {
        CompletableFuture<byte[]> check;
        synchronized (this) {
            check = channelCheck;
        }
        byte[] reply = check == null || !check.isDone() || check.isCompletedExceptionally() ? null : check.join();
        String refusal = reply == null ? "" : new String(reply, StandardCharsets.UTF_8);
        if (!refusal.isEmpty()) {
            throw new LockKitException("the Redis user of this client may not use lockkit's release channel "
                    + keys.channel() + " (as named before the client's NameMapper), which a waiting acquire"
                    + " subscribes to (" + Credentials.scrub(refusal) + "); grant it, for example ACL SETUSER"
                    + " <user> &" + keys.channel() + " (Redis 7 gives a new user no channel). tryAcquire and"
                    + " release work without it");
        }
    }

    void stopWaiting(ReleaseSignals.Waiter waiter) {
        signals.unregister(waiter);
    }

    /**
     * The subscription, started on first use and again after one failed. Each waiter waits for it on
     * its own, outside this lock: a subscription that takes long holds no caller past its own
     * timeout, and an interrupt ends only that caller's wait (the subscription goes on and serves
     * the next waiter, so nothing leaks).
     */
    private synchronized @Nullable CompletableFuture<Integer> subscription() {
        if (closed || topic == null) {
            return null;
        }
        try {
            if (subscription == null || subscription.isCompletedExceptionally()) {
                subscription = topic.addListenerAsync(String.class, (ch, key) -> signals.released(key))
                        .toCompletableFuture();
                // answered at once where the channel is allowed, looked at only if the subscription fails or lags
                channelCheck = store.sendOnce(Script.CHANNEL_CHECK, RScript.ReturnType.VALUE, List.of(keys.channel()));
            }
            if (statusListener == null || statusListener.isCompletedExceptionally()) {
                // A release published while the subscription was down (a dropped pub/sub connection,
                // a failover) is never delivered: when Redisson subscribes again, every waited key is
                // looked at again rather than left to its holder's expiry (L7). Redisson reports
                // each new subscription to status listeners.
                statusListener = topic.addListenerAsync(new StatusListener() {
                            @Override
                            public void onSubscribe(String channel) {
                                signals.wakeAll();
                            }

                            @Override
                            public void onUnsubscribe(String channel) {
                                // the messages missed meanwhile are made up for on the next subscribe
                            }
                        })
                        .toCompletableFuture();
            }
        } catch (RuntimeException e) {
            throw new BackendUnavailableException("cannot subscribe to " + keys.channel(), Credentials.scrubbed(e));
        }
        return subscription;
    }

    /** Reads INFO {@code section} from the node that holds lockkit's keys. */
    private String info(String section) {
        byte[] reply = store.run(Script.SERVER_INFO, RScript.ReturnType.VALUE, List.of(keys.counter()), section);
        return new String(reply, StandardCharsets.UTF_8);
    }

    /** The value of {@code field} in an INFO reply, or empty. */
    static String infoField(String info, String field) {
        for (String line : info.split("\r?\n")) {
            if (line.startsWith(field + ":")) {
                return line.substring(field.length() + 1).trim();
            }
        }
        return "";
    }

    private void checkServer(EvictionPolicyCheck check, boolean persistent) {
        if (check != EvictionPolicyCheck.OFF) {
            String memory = info("memory");
            String policy = infoField(memory, "maxmemory_policy");
            if (!policy.isEmpty() && !policy.equals("noeviction")) {
                String msg = evictionMessage(policy);
                if (check == EvictionPolicyCheck.REFUSE) {
                    throw new IllegalStateException(msg);
                }
                LOG.log(Level.WARNING, msg);
            }
        }
        if (persistent && !infoField(info("persistence"), "aof_enabled").equals("1")) {
            throw new IllegalStateException("persistent=true (RedisBackend.Builder.persistent(true)) was declared"
                    + " but the Redis server has AOF off (aof_enabled:0): values and fences would not survive a"
                    + " restart; turn AOF on with appendfsync always, or leave persistent false");
        }
    }

    /** Why {@code policy} (not {@code noeviction}) is a risk, and how to fix it or accept it, for every way of opening. */
    static String evictionMessage(String policy) {
        String risk = policy.startsWith("volatile-")
                ? "under memory pressure it evicts keys that have a TTL, and every held lock is such a key:"
                        + " another client could then acquire a lock that is still held (two holders at once, L1)"
                : "under memory pressure it evicts any key: a held lock (two holders at once, L1), a stored"
                        + " value (an acknowledged write lost, V1), the fencing token counter or a key's fence"
                        + " (a stale holder's fenced write accepted, L2, V3)";
        return "Redis maxmemory-policy is '" + policy + "' (managed Redis such as Memorystore and ElastiCache"
                + " default to volatile-lru): " + risk + ". Set maxmemory-policy to noeviction, or accept the"
                + " risk: add ?evictionPolicyCheck=warn to the URI (&evictionPolicyCheck=warn after other options),"
                + " or put evictionPolicyCheck=warn in LockKit.open's options map, or call"
                + " RedisBackend.Builder.evictionPolicyCheck(WARN)";
    }

    /**
     * Options for a {@link RedisBackend}, validated by {@link #build()}. Not thread-safe.
     */
    public static final class Builder {
        private final RedissonClient redisson;
        private String prefix = DEFAULT_PREFIX;
        private Duration timeout = DEFAULT_TIMEOUT;
        private Duration driftMargin = DEFAULT_DRIFT_MARGIN;
        private EvictionPolicyCheck evictionPolicyCheck = EvictionPolicyCheck.REFUSE;
        private boolean persistent;
        private boolean releaseNotification = true;
        private boolean shutdownClientOnClose;
        private Ticker ticker = Ticker.system();

        private Builder(RedissonClient redisson) {
            this.redisson = Objects.requireNonNull(redisson, "redisson");
        }

        /** The hash tag of every key: clients that share a prefix share locks, tokens and values. */
        public Builder prefix(String prefix) {
            this.prefix = Objects.requireNonNull(prefix, "prefix");
            return this;
        }

        /**
         * The longest any call waits for Redis (E2); also Redisson's response timeout for lockkit's
         * calls. A lazily initialised Redisson client connects inside its first call, bounded by its
         * own connect timeout and retries instead.
         */
        public Builder timeout(Duration timeout) {
            this.timeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /**
         * Subtracted from every lease's deadline (L5), plus 1000 ppm of the lease; from zero to 10
         * minutes. The shortest lease granted is twice this ({@link JobLock#leaseLimits()}).
         */
        public Builder driftMargin(Duration driftMargin) {
            this.driftMargin = Objects.requireNonNull(driftMargin, "driftMargin");
            return this;
        }

        /** What {@link #build()} does about an evicting {@code maxmemory-policy}; {@code REFUSE} by default. */
        public Builder evictionPolicyCheck(EvictionPolicyCheck check) {
            this.evictionPolicyCheck = Objects.requireNonNull(check, "check");
            return this;
        }

        /**
         * Declares that the server keeps data across a restart: AOF with {@code appendfsync always}
         * (checked: {@link #build()} refuses when AOF is off). Adds {@link
         * Capability#DATA_SURVIVES_STORE_RESTART}. False by default.
         */
        public Builder persistent(boolean persistent) {
            this.persistent = persistent;
            return this;
        }

        /** Whether waiters listen for release messages (L7); true by default. Without, they poll by the holder's PTTL. */
        public Builder releaseNotification(boolean releaseNotification) {
            this.releaseNotification = releaseNotification;
            return this;
        }

        /** Whether {@link RedisBackend#close()} shuts the Redisson client down; false by default. */
        public Builder shutdownClientOnClose(boolean shutdownClientOnClose) {
            this.shutdownClientOnClose = shutdownClientOnClose;
            return this;
        }

        /** The monotonic clock for lease deadlines (tests move it). */
        public Builder ticker(Ticker ticker) {
            this.ticker = Objects.requireNonNull(ticker, "ticker");
            return this;
        }

        /**
         * Validates the options and checks the server (one INFO each for memory and persistence).
         *
         * @throws IllegalArgumentException naming every bad option
         * @throws IllegalStateException when the server's eviction policy or persistence contradicts the options
         * @throws BackendUnavailableException when the server cannot be reached for that check
         */
        public RedisBackend build() {
            List<String> bad = new java.util.ArrayList<>();
            // No braces: the first '}' ends the hash tag, so prefixes cannot run into each other or into
            // the ':lock:' / ':value:' part. Well-formed UTF-16: an unpaired surrogate encodes as '?'.
            if (prefix.isEmpty()
                    || prefix.length() > 64
                    || prefix.contains("{")
                    || prefix.contains("}")
                    || !new String(prefix.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8).equals(prefix)) {
                bad.add("prefix must be 1-64 characters of well-formed UTF-16 without braces, was '" + prefix + "'");
            }
            if (timeout.isZero() || timeout.isNegative() || timeout.compareTo(MAX_TIMEOUT) > 0) {
                bad.add("timeout must be positive and at most " + MAX_TIMEOUT + ", was " + timeout);
            }
            try {
                Checks.driftMargin(driftMargin);
            } catch (IllegalArgumentException e) {
                bad.add(e.getMessage());
            }
            if (!bad.isEmpty()) {
                throw new IllegalArgumentException("bad options for redis: " + String.join("; ", bad));
            }
            RedisBackend backend = new RedisBackend(this);
            try {
                backend.checkServer(evictionPolicyCheck, persistent);
            } catch (BackendUnavailableException e) {
                backend.close();
                throw new BackendUnavailableException(
                        "Redis did not answer lockkit's check of the server within "
                                + Unreachable.format(timeout) + ": " + Unreachable.reason(e)
                                + "; timeout(Duration) sets how long build() waits, the Redisson client's"
                                + " connectTimeout each connection attempt",
                        e);
            } catch (RuntimeException e) {
                backend.close();
                throw e;
            }
            return backend;
        }

        @Override
        public String toString() {
            return "RedisBackend.Builder[prefix=" + prefix + ", timeout=" + timeout + ", evictionPolicyCheck="
                    + evictionPolicyCheck.name().toLowerCase(Locale.ROOT) + "]";
        }
    }
}
