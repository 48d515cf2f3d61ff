package io.lockkit.micrometer;

import io.lockkit.BackendUnavailableException;
import io.lockkit.FencedOutException;
import io.lockkit.OutcomeUnknownException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.lang.System.Logger.Level;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The meters of one instrumented backend and the only place that touches the registry: every
 * method catches what the registry or the key-tag function throws, so metrics never reach the
 * caller's path. Thread-safe.
 */
final class Meters {
    private static final System.Logger LOG = System.getLogger(LockKitMetrics.class.getName());
    private static final StackWalker WALKER = StackWalker.getInstance();
    private static final String UPDATER = "io.lockkit.Updater";
    /** The exception tag of a call that returned. */
    static final String NONE = "none";

    private final MeterRegistry registry;
    private final @Nullable Function<String, String> keyTag;
    private final boolean tagKeys;
    private final AtomicBoolean warned = new AtomicBoolean();

    private final Meter.MeterProvider<Timer> acquire;
    private final Meter.MeterProvider<Timer> held;
    private final Meter.MeterProvider<Timer> extend;
    private final Meter.MeterProvider<Timer> release;
    private final Meter.MeterProvider<Counter> lost;
    private final Meter.MeterProvider<Counter> conflicts;
    private final Meter.MeterProvider<Counter> fencedOut;
    private final Meter.MeterProvider<Counter> outcomeUnknown;
    private final Meter.MeterProvider<Counter> unavailable;
    private final Meter.MeterProvider<Counter> updaterConflicts;

    Meters(MeterRegistry registry, Tags common, @Nullable Function<String, String> keyTag) {
        this.registry = registry;
        this.keyTag = keyTag;
        this.tagKeys = keyTag != null;
        this.acquire = Timer.builder(LockKitMetrics.ACQUIRE)
                .description("tryAcquire and acquire calls, by outcome: the time from the call to its return")
                .tags(common)
                .withRegistry(registry);
        this.held = Timer.builder(LockKitMetrics.LEASE_HELD)
                .description("leases from grant to release or loss")
                .tags(common)
                .withRegistry(registry);
        this.extend = Timer.builder(LockKitMetrics.LEASE_EXTEND)
                .description("Lease.extend calls (KeepAlive's included), by outcome")
                .tags(common)
                .withRegistry(registry);
        this.release = Timer.builder(LockKitMetrics.LEASE_RELEASE)
                .description("Lease.release calls (close included), by outcome")
                .tags(common)
                .withRegistry(registry);
        this.lost = Counter.builder(LockKitMetrics.LEASE_LOST)
                .description("leases lost before their release, by cause")
                .baseUnit("leases")
                .tags(common)
                .withRegistry(registry);
        this.conflicts = Counter.builder(LockKitMetrics.WRITE_CONFLICTS)
                .description("create, compareAndSet and delete calls that lost: key exists, version moved on, key gone")
                .baseUnit("writes")
                .tags(common)
                .withRegistry(registry);
        this.fencedOut = Counter.builder(LockKitMetrics.WRITE_FENCED_OUT)
                .description("fenced writes refused with FencedOutException: a larger token already wrote the key")
                .baseUnit("writes")
                .tags(common)
                .withRegistry(registry);
        this.outcomeUnknown = Counter.builder(LockKitMetrics.WRITE_OUTCOME_UNKNOWN)
                .description("writes that threw OutcomeUnknownException: sent, result unknown")
                .baseUnit("writes")
                .tags(common)
                .withRegistry(registry);
        this.unavailable = Counter.builder(LockKitMetrics.BACKEND_UNAVAILABLE)
                .description("calls that threw BackendUnavailableException: the store could not be reached")
                .baseUnit("calls")
                .tags(common)
                .withRegistry(registry);
        this.updaterConflicts = Counter.builder(LockKitMetrics.UPDATER_CONFLICTS)
                .description("conflicts met by the retrying Updater; each is followed by a retry unless its"
                        + " RetryPolicy is exhausted")
                .baseUnit("writes")
                .tags(common)
                .withRegistry(registry);
    }

    /** The registry's monotonic clock. */
    long now() {
        try {
            return registry.config().clock().monotonicTime();
        } catch (RuntimeException e) {
            warn(e);
            return System.nanoTime();
        }
    }

    // ---- the lock ----

    void acquired(String method, String key, long start, boolean granted) {
        timed(acquire, start, key, null, null, "method", method, "outcome", granted ? "acquired" : "not_acquired");
    }

    void acquireFailed(String method, String key, long start, Throwable failure) {
        timed(acquire, start, key, method, failure, "method", method, "outcome", "failed");
    }

    void extended(String key, long start, boolean extended) {
        timed(extend, start, key, null, null, "outcome", extended ? "extended" : "refused");
    }

    void extendFailed(String key, long start, Throwable failure) {
        timed(extend, start, key, "extend", failure, "outcome", "failed");
    }

    void released(String key, long start, boolean released) {
        timed(release, start, key, null, null, "outcome", released ? "released" : "not_held");
    }

    void releaseFailed(String key, long start, Throwable failure) {
        timed(release, start, key, "release", failure, "outcome", "failed");
    }

    /**
     * Records one timed call since {@code start} with {@code keyValues} and its exception tag; a
     * {@code failure} of {@code operation} also counts in the store's condition meters ({@link
     * #failed}). A meter that throws is warned about once and never reaches the caller.
     */
    private void timed(
            Meter.MeterProvider<Timer> timer,
            long start,
            String key,
            @Nullable String operation,
            @Nullable Throwable failure,
            String... keyValues) {
        try {
            String[] all = Arrays.copyOf(keyValues, keyValues.length + 2);
            all[keyValues.length] = "exception";
            all[keyValues.length + 1] = failure == null ? NONE : exception(failure);
            timer.withTags(tags(key, all)).record(now() - start, TimeUnit.NANOSECONDS);
            if (failure != null && operation != null) {
                failed(operation, key, failure);
            }
        } catch (RuntimeException e) {
            warn(e);
        }
    }

    /** A lease ended: {@code outcome} is {@code released} or {@code lost}; a loss also counts its cause. */
    void ended(@Nullable String key, long grantedAt, String outcome, @Nullable String cause) {
        try {
            held.withTags(tags(key, "outcome", outcome)).record(now() - grantedAt, TimeUnit.NANOSECONDS);
            if (cause != null) {
                lost.withTags(tags(key, "cause", cause)).increment();
            }
        } catch (RuntimeException e) {
            warn(e);
        }
    }

    // ---- the store ----

    /** An empty create/compareAndSet or a false delete; counted for the Updater too when it made the call. */
    void conflict(String operation, boolean fenced, String key) {
        try {
            conflicts
                    .withTags(tags(key, "operation", operation, "fenced", Boolean.toString(fenced)))
                    .increment();
            if (!operation.equals("delete") && calledByUpdater()) {
                updaterConflicts.withTags(tags(key, "operation", operation)).increment();
            }
        } catch (RuntimeException e) {
            warn(e);
        }
    }

    /** Counts {@code failure} if it is one of the store conditions that have a meter of their own. */
    void failed(String operation, String key, Throwable failure) {
        try {
            if (failure instanceof FencedOutException) {
                fencedOut.withTags(tags(key, "operation", operation)).increment();
            } else if (failure instanceof OutcomeUnknownException) {
                outcomeUnknown.withTags(tags(key, "operation", operation)).increment();
            } else if (failure instanceof BackendUnavailableException) {
                unavailable.withTags(tags(key, "operation", operation)).increment();
            }
        } catch (RuntimeException e) {
            warn(e);
        }
    }

    // ---- helpers ----

    /**
     * Whether the write being counted was sent by {@link io.lockkit.Updater}: its class among the
     * few frames above this decorator (walked only on a conflict, the rare path).
     */
    private static boolean calledByUpdater() {
        return WALKER.walk(
                frames -> frames.limit(12).anyMatch(f -> f.getClassName().equals(UPDATER)));
    }

    private Tags tags(@Nullable String key, String... keyValues) {
        Tags tags = Tags.of(keyValues);
        return tagKeys ? tags.and(Tag.of(LockKitMetrics.KEY_TAG, keyValue(key))) : tags;
    }

    private String keyValue(@Nullable String key) {
        if (key == null) {
            return "none";
        }
        Function<String, String> mapping = keyTag;
        if (mapping == null) {
            return "none";
        }
        try {
            String value = mapping.apply(key);
            return value == null ? "none" : value;
        } catch (RuntimeException e) {
            warn(e);
            return "unmapped";
        }
    }

    static String exception(Throwable failure) {
        String simple = failure.getClass().getSimpleName();
        return simple.isEmpty() ? failure.getClass().getName() : simple;
    }

    /** Logs the first failure of the metrics themselves; later ones at debug level. */
    private void warn(RuntimeException e) {
        try {
            LOG.log(
                    warned.compareAndSet(false, true) ? Level.WARNING : Level.DEBUG,
                    "lockkit-micrometer could not record a meter; the call itself is not affected",
                    e);
        } catch (RuntimeException ignored) {
            // a logger that throws must not reach the caller either
        }
    }
}
