package io.lockkit.spi;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;

/** Input validation shared by every backend (E1): the same limits and messages everywhere. */
public final class Checks {
    /** Longest key, in UTF-8 bytes. */
    public static final int MAX_KEY_BYTES = 256;
    /** Largest value, in bytes (512 KiB). */
    public static final int MAX_VALUE_BYTES = 512 * 1024;

    private Checks() {}

    /** Returns {@code key} if it is 1–256 UTF-8 bytes; otherwise throws naming it. */
    public static String key(String key) {
        Objects.requireNonNull(key, "key must not be null");
        if (key.isEmpty()) {
            throw new IllegalArgumentException("key must not be empty");
        }
        int bytes = key.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_KEY_BYTES) {
            throw new IllegalArgumentException("key is " + bytes + " UTF-8 bytes, over the limit of " + MAX_KEY_BYTES
                    + ": '" + abbreviate(key) + "'");
        }
        return key;
    }

    /** Returns {@code value} if it is at most 512 KiB. */
    public static byte[] value(byte[] value) {
        Objects.requireNonNull(value, "value must not be null");
        if (value.length > MAX_VALUE_BYTES) {
            throw new IllegalArgumentException(
                    "value is " + value.length + " bytes, over the limit of " + MAX_VALUE_BYTES + " (512 KiB)");
        }
        return value;
    }

    /** Returns {@code lease} if it is positive. */
    public static Duration lease(Duration lease) {
        Objects.requireNonNull(lease, "lease must not be null");
        if (lease.isZero() || lease.isNegative()) {
            throw new IllegalArgumentException("lease must be positive, was " + lease);
        }
        return lease;
    }

    /** Returns {@code maxWait} if it is zero or positive. */
    public static Duration maxWait(Duration maxWait) {
        Objects.requireNonNull(maxWait, "maxWait must not be null");
        if (maxWait.isNegative()) {
            throw new IllegalArgumentException("maxWait must not be negative, was " + maxWait);
        }
        return maxWait;
    }

    /** {@code duration} in nanoseconds, saturated at {@link Long#MAX_VALUE} for "forever" waits. */
    public static long saturatedNanos(Duration duration) {
        try {
            return duration.toNanos();
        } catch (ArithmeticException e) {
            return duration.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
    }

    /** Returns {@code version} if it is ≥ 1 (V2: the first version is 1 or more). */
    public static long expectedVersion(long version) {
        if (version < 1) {
            throw new IllegalArgumentException("expectedVersion must be ≥ 1, was " + version);
        }
        return version;
    }

    /** Returns {@code token} if it is ≥ 1. */
    public static long fencingToken(long token) {
        if (token < 1) {
            throw new IllegalArgumentException("fencingToken must be ≥ 1, was " + token);
        }
        return token;
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "…";
    }
}
