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

    /**
     * Returns {@code key} if it is well-formed UTF-16 of 1–256 UTF-8 bytes; otherwise throws naming
     * it. A key with an unpaired surrogate is refused: it has no UTF-8 form, and encoders replace it
     * with {@code ?}, which would make distinct keys share one lock or value.
     */
    public static String key(String key) {
        Objects.requireNonNull(key, "key must not be null");
        if (key.isEmpty()) {
            throw new IllegalArgumentException("key must not be empty");
        }
        int bad = unpairedSurrogate(key);
        if (bad >= 0) {
            throw new IllegalArgumentException(String.format(
                    "key is not well-formed UTF-16: unpaired surrogate \\u%04X at index %d of '%s'",
                    (int) key.charAt(bad), bad, abbreviate(escapeSurrogates(key))));
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

    /** Index of the first unpaired surrogate in {@code s}, or -1. */
    static int unpairedSurrogate(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return i;
            }
        }
        return -1;
    }

    private static String escapeSurrogates(String s) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean paired =
                    Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))
                            || Character.isLowSurrogate(c) && i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
            if (Character.isSurrogate(c) && !paired) {
                out.append(String.format("\\u%04X", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    /** The longest drift margin a backend accepts: 10 minutes. */
    public static final Duration MAX_DRIFT_MARGIN = Duration.ofMinutes(10);

    /** Returns {@code driftMargin} if it is from zero to {@link #MAX_DRIFT_MARGIN}. */
    public static Duration driftMargin(Duration driftMargin) {
        Objects.requireNonNull(driftMargin, "driftMargin must not be null");
        if (driftMargin.isNegative() || driftMargin.compareTo(MAX_DRIFT_MARGIN) > 0) {
            throw new IllegalArgumentException(
                    "driftMargin must be from 0 to " + MAX_DRIFT_MARGIN + ", was " + driftMargin);
        }
        return driftMargin;
    }

    /** Returns {@code lease} if it is positive and at most {@link io.lockkit.LeaseLimits#MAX}. */
    public static Duration lease(Duration lease) {
        Objects.requireNonNull(lease, "lease must not be null");
        if (lease.isZero() || lease.isNegative()) {
            throw new IllegalArgumentException("lease must be positive, was " + lease);
        }
        if (lease.compareTo(io.lockkit.LeaseLimits.MAX) > 0) {
            throw new IllegalArgumentException(
                    "lease must be at most " + io.lockkit.LeaseLimits.MAX + ", was " + lease);
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
