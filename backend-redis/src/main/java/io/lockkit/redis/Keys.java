package io.lockkit.redis;

/**
 * Where lockkit keeps its data in Redis. Every name starts with the hash tag {@code {prefix}}, so
 * that on a cluster all of them live in one slot: one script can take a lock and draw a token from
 * the store-wide counter (L2). Immutable.
 *
 * <p>The layout is injective: the prefix has no braces, so its {@code }} ends the tag and two
 * prefixes never produce the same name; after it come the fixed {@code :token}, {@code :epoch},
 * {@code :released}, or {@code :lock:} / {@code :value:} followed by the user key as it is, with no
 * escaping, splitting or normalisation, so a user key (braces, colons, {@code %}, NUL and all) only
 * ever maps to itself, and a lock never shares a name with a value. The names reach Redis as UTF-8,
 * which is injective on well-formed UTF-16; keys and prefixes with an unpaired surrogate are refused.
 */
record Keys(String prefix) {
    /** The lock on {@code key}: a string holding the owner id, with the lease as its PTTL. */
    String lock(String key) {
        return "{" + prefix + "}:lock:" + key;
    }

    /** The versioned value of {@code key}: a hash of value, version and fence; a tombstone keeps the last two. */
    String value(String key) {
        return "{" + prefix + "}:value:" + key;
    }

    /** The store-wide fencing-token counter. */
    String counter() {
        return "{" + prefix + "}:token";
    }

    /**
     * The store epoch: the server time in µs when a script last found the counter missing. Every
     * token granted since is above it; fenced writes with a token below it are refused.
     */
    String epoch() {
        return "{" + prefix + "}:epoch";
    }

    /** The keys of {@code acquire.lua}: the lock, the counter and the epoch. */
    java.util.List<Object> acquireKeys(String key) {
        return java.util.List.of(lock(key), counter(), epoch());
    }

    /** The keys of the value scripts: the value's hash, the counter and the epoch. */
    java.util.List<Object> valueKeys(String key) {
        return java.util.List.of(value(key), counter(), epoch());
    }

    /** The keys of {@code release.lua}: the lock and the channel. */
    java.util.List<Object> releaseKeys(String key) {
        return java.util.List.of(lock(key), channel());
    }

    /** The channel that release publishes the released key on. */
    String channel() {
        return "{" + prefix + "}:released";
    }
}
