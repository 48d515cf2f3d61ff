package io.lockkit.micrometer;

import io.lockkit.Backend;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import java.util.Objects;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Micrometer meters for any lockkit {@link Backend}: {@link #instrument} returns a backend that
 * forwards every call to the original and records what happened. The decorated backend behaves as
 * the original does (same results, same exceptions, same lease semantics); recording never throws
 * into the caller's path.
 *
 * <p>Every meter is tagged {@code backend} and {@code variant}, taken from {@link Backend#name()}
 * ({@code zookeeper/session} → {@code zookeeper}, {@code session}; a name without a slash has the
 * variant {@code default}). Keys are never a tag unless {@link Builder#keyTag} maps them to a bounded
 * set of values.
 *
 * <pre>{@code
 * Backend backend = LockKitMetrics.instrument(LockKit.open("zookeeper://zk:2181"), registry);
 * }</pre>
 */
public final class LockKitMetrics {
    /** Timer: tryAcquire and acquire calls; tags {@code method}, {@code outcome}, {@code exception}. */
    public static final String ACQUIRE = "lockkit.acquire";
    /** Timer: leases from grant to release or loss; tag {@code outcome} ({@code released}, {@code lost}). */
    public static final String LEASE_HELD = "lockkit.lease.held";
    /** Counter: leases lost before their release; tag {@code cause}. */
    public static final String LEASE_LOST = "lockkit.lease.lost";
    /** Timer: extend calls, KeepAlive's included; tags {@code outcome}, {@code exception}. */
    public static final String LEASE_EXTEND = "lockkit.lease.extend";
    /** Timer: release calls, close included; tags {@code outcome}, {@code exception}. */
    public static final String LEASE_RELEASE = "lockkit.lease.release";
    /** Counter: writes that lost (empty create or compareAndSet, false delete); tags {@code operation}, {@code fenced}. */
    public static final String WRITE_CONFLICTS = "lockkit.write.conflicts";
    /** Counter: fenced writes refused with FencedOutException; tag {@code operation}. */
    public static final String WRITE_FENCED_OUT = "lockkit.write.fenced.out";
    /** Counter: calls that threw OutcomeUnknownException; tag {@code operation}. */
    public static final String WRITE_OUTCOME_UNKNOWN = "lockkit.write.outcome.unknown";
    /** Counter: calls that threw BackendUnavailableException; tag {@code operation}. */
    public static final String BACKEND_UNAVAILABLE = "lockkit.backend.unavailable";
    /** Counter: create and compareAndSet conflicts met by the retrying Updater; tag {@code operation}. */
    public static final String UPDATER_CONFLICTS = "lockkit.updater.conflicts";

    /** The tag naming the backend ({@code mem}, {@code postgresql}, {@code redis}, {@code zookeeper}). */
    public static final String BACKEND_TAG = "backend";
    /** The tag naming the backend's variant ({@code timed}, {@code session}, {@code table}, …). */
    public static final String VARIANT_TAG = "variant";
    /** The tag {@link Builder#keyTag} adds to every meter. */
    public static final String KEY_TAG = "key";

    private LockKitMetrics() {}

    /** {@code backend} with meters in {@code registry}, tagged by its name and without key tags. */
    public static Backend instrument(Backend backend, MeterRegistry registry) {
        return builder(registry).instrument(backend);
    }

    /** A builder for other tags: fixed backend or variant tags, common tags, a key tag. */
    public static Builder builder(MeterRegistry registry) {
        return new Builder(registry);
    }

    /** Options of {@link #instrument}; not thread-safe, the backends it builds are. */
    public static final class Builder {
        private final MeterRegistry registry;
        private @Nullable String backendTag;
        private @Nullable String variantTag;
        private Tags tags = Tags.empty();
        private @Nullable Function<String, String> keyTag;

        private Builder(MeterRegistry registry) {
            this.registry = Objects.requireNonNull(registry, "registry");
        }

        /** The {@code backend} tag, instead of the part of {@link Backend#name()} before the slash. */
        public Builder backendTag(String value) {
            this.backendTag = Objects.requireNonNull(value, "value");
            return this;
        }

        /** The {@code variant} tag, instead of the part of {@link Backend#name()} after the slash. */
        public Builder variantTag(String value) {
            this.variantTag = Objects.requireNonNull(value, "value");
            return this;
        }

        /** Tags added to every meter (an application or client name, say). */
        public Builder tags(Iterable<Tag> tags) {
            this.tags = this.tags.and(Objects.requireNonNull(tags, "tags"));
            return this;
        }

        /** {@link #tags(Iterable)} from key/value pairs. */
        public Builder tags(String... keyValues) {
            return tags(Tags.of(keyValues));
        }

        /**
         * Tags every meter with {@value #KEY_TAG}, the value {@code mapping} gives for the call's key
         * (a null result is {@code none}; a throwing mapping is {@code unmapped} and logged). It MUST
         * map to a small, bounded set of values ({@code "job-42"} → {@code "job"}): every distinct
         * value is a new time series. Off by default.
         */
        public Builder keyTag(Function<String, String> mapping) {
            this.keyTag = Objects.requireNonNull(mapping, "mapping");
            return this;
        }

        /** {@code backend} with these meters; the tags are fixed now, from its name unless given. */
        public Backend instrument(Backend backend) {
            Objects.requireNonNull(backend, "backend");
            @Nullable String name;
            try {
                name = backend.name();
            } catch (RuntimeException e) {
                name = null;
            }
            String[] parts = split(name);
            Tags common = Tags.of(
                            BACKEND_TAG,
                            backendTag != null ? backendTag : parts[0],
                            VARIANT_TAG,
                            variantTag != null ? variantTag : parts[1])
                    .and(tags);
            return new MeteredBackend(backend, new Meters(registry, common, keyTag));
        }

        static String[] split(@Nullable String name) {
            if (name == null || name.isBlank()) {
                return new String[] {"unknown", "default"};
            }
            int slash = name.indexOf('/');
            if (slash < 0) {
                return new String[] {name, "default"};
            }
            String variant = name.substring(slash + 1);
            return new String[] {name.substring(0, slash), variant.isEmpty() ? "default" : variant};
        }
    }
}
