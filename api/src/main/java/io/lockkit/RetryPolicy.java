package io.lockkit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

/**
 * When the {@link Updater} gives up, and how long it waits between attempts: exponential backoff
 * with full jitter ({@code random × min(maxBackoff, initialBackoff × 2^(attempt−1))}). Immutable
 * and thread-safe; the sleeper, random source and ticker are injectable for tests.
 */
public final class RetryPolicy {
    public static final int DEFAULT_MAX_ATTEMPTS = 100;
    public static final Duration DEFAULT_MAX_DURATION = Duration.ofSeconds(30);
    public static final Duration DEFAULT_INITIAL_BACKOFF = Duration.ofMillis(1);
    public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofMillis(100);

    /** Waits between attempts; {@link Thread#sleep} by default. */
    @FunctionalInterface
    public interface Sleeper {
        void sleep(Duration duration) throws InterruptedException;
    }

    private static final RetryPolicy DEFAULTS = builder().build();

    private final int maxAttempts;
    private final Duration maxDuration;
    private final Duration initialBackoff;
    private final Duration maxBackoff;
    private final Sleeper sleeper;
    private final DoubleSupplier random;
    private final Ticker ticker;

    private RetryPolicy(Builder b) {
        this.maxAttempts = b.maxAttempts;
        this.maxDuration = b.maxDuration;
        this.initialBackoff = b.initialBackoff;
        this.maxBackoff = b.maxBackoff;
        this.sleeper = b.sleeper;
        this.random = b.random;
        this.ticker = b.ticker;
    }

    /** {@value #DEFAULT_MAX_ATTEMPTS} attempts within 30 s, backoff from 1 ms up to 100 ms. */
    public static RetryPolicy ofDefaults() {
        return DEFAULTS;
    }

    /** A builder starting from the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** At most this many compare-and-set attempts. */
    public int maxAttempts() {
        return maxAttempts;
    }

    /** No new attempt starts after this much time since the first. */
    public Duration maxDuration() {
        return maxDuration;
    }

    /** The backoff cap after the first failed attempt (before jitter). */
    public Duration initialBackoff() {
        return initialBackoff;
    }

    /** The largest backoff cap (before jitter). */
    public Duration maxBackoff() {
        return maxBackoff;
    }

    Sleeper sleeper() {
        return sleeper;
    }

    Ticker ticker() {
        return ticker;
    }

    /** The wait after failed attempt number {@code attempt} (1-based), with full jitter. */
    public Duration backoff(int attempt) {
        if (attempt < 1) {
            throw new IllegalArgumentException("attempt must be ≥ 1, was " + attempt);
        }
        long cap = maxBackoff.toNanos();
        long base = initialBackoff.toNanos();
        int shift = Math.min(attempt - 1, 62);
        long exp = base > (cap >> shift) ? cap : Math.min(cap, base << shift);
        double r = random.getAsDouble();
        if (!(r >= 0.0 && r < 1.0)) {
            throw new IllegalStateException("random source returned " + r + ", outside [0, 1)");
        }
        return Duration.ofNanos((long) (r * exp));
    }

    /** Builds a {@link RetryPolicy}; {@link #build()} reports every bad option at once. */
    public static final class Builder {
        private int maxAttempts = DEFAULT_MAX_ATTEMPTS;
        private Duration maxDuration = DEFAULT_MAX_DURATION;
        private Duration initialBackoff = DEFAULT_INITIAL_BACKOFF;
        private Duration maxBackoff = DEFAULT_MAX_BACKOFF;
        private Sleeper sleeper = d -> Thread.sleep(d.toMillis(), (int) (d.toNanos() % 1_000_000));
        private DoubleSupplier random = () -> ThreadLocalRandom.current().nextDouble();
        private Ticker ticker = Ticker.system();

        private Builder() {}

        /** At most this many compare-and-set attempts (≥ 1). */
        public Builder maxAttempts(int maxAttempts) {
            this.maxAttempts = maxAttempts;
            return this;
        }

        /** No new attempt starts after this much time since the first (positive). */
        public Builder maxDuration(Duration maxDuration) {
            this.maxDuration = Objects.requireNonNull(maxDuration, "maxDuration");
            return this;
        }

        /** The backoff cap after the first failed attempt; zero or positive. */
        public Builder initialBackoff(Duration initialBackoff) {
            this.initialBackoff = Objects.requireNonNull(initialBackoff, "initialBackoff");
            return this;
        }

        /** The largest backoff cap; at least {@code initialBackoff}. */
        public Builder maxBackoff(Duration maxBackoff) {
            this.maxBackoff = Objects.requireNonNull(maxBackoff, "maxBackoff");
            return this;
        }

        /** How to wait between attempts (inject one in tests to record instead of sleeping). */
        public Builder sleeper(Sleeper sleeper) {
            this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
            return this;
        }

        /** Uniform values in [0, 1) for the jitter. */
        public Builder random(DoubleSupplier random) {
            this.random = Objects.requireNonNull(random, "random");
            return this;
        }

        /** The clock that measures {@code maxDuration}. */
        public Builder ticker(Ticker ticker) {
            this.ticker = Objects.requireNonNull(ticker, "ticker");
            return this;
        }

        /** Validates every option and reports all bad ones at once. */
        public RetryPolicy build() {
            List<String> bad = new ArrayList<>();
            if (maxAttempts < 1) {
                bad.add("maxAttempts must be ≥ 1, was " + maxAttempts);
            }
            if (maxDuration.isNegative() || maxDuration.isZero() || maxDuration.compareTo(LeaseLimits.MAX) > 0) {
                bad.add("maxDuration must be positive and at most " + LeaseLimits.MAX + ", was " + maxDuration);
            }
            if (initialBackoff.isNegative()) {
                bad.add("initialBackoff must not be negative, was " + initialBackoff);
            }
            if (maxBackoff.compareTo(LeaseLimits.MAX) > 0) {
                bad.add("maxBackoff must be at most " + LeaseLimits.MAX + ", was " + maxBackoff);
            } else if (maxBackoff.compareTo(initialBackoff) < 0) {
                bad.add("maxBackoff must be ≥ initialBackoff (" + initialBackoff + "), was " + maxBackoff);
            }
            if (!bad.isEmpty()) {
                throw new IllegalArgumentException("invalid RetryPolicy: " + String.join("; ", bad));
            }
            return new RetryPolicy(this);
        }
    }

    @Override
    public String toString() {
        return "RetryPolicy[maxAttempts=" + maxAttempts + ", maxDuration=" + maxDuration + ", backoff=" + initialBackoff
                + ".." + maxBackoff + "]";
    }
}
