package io.lockkit.bench;

import io.lockkit.JobLock;
import io.lockkit.Lease;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * Measures steps <em>interleaved</em>: {@code batch} runs of each step in turn, round after round,
 * in the calling thread, so the load of a shared machine falls on all of them alike and their
 * medians can be compared and subtracted (separate JMH forks, minutes apart, cannot). Warm-up
 * rounds first, unmeasured, so the JIT has compiled every step's path. Used by {@link IdleRun},
 * {@link PgBreakdown} and {@link UncontendedRun}. Stateless.
 */
final class Interleaved {
    /** One step; returns the nanoseconds it took (a step may time only part of itself). */
    @FunctionalInterface
    interface Step {
        long run() throws Exception;

        /** Whether it runs in the warm-up rounds too (a step that idles on purpose need not). */
        default boolean warmsUp() {
            return true;
        }
    }

    /** What a step does, timed whole by {@link #timed}. */
    @FunctionalInterface
    interface Body {
        void run() throws Exception;
    }

    private Interleaved() {}

    /** A step timed from its start to its end. */
    static Step timed(Body body) {
        return () -> {
            long t = System.nanoTime();
            body.run();
            return System.nanoTime() - t;
        };
    }

    /** The samples (ns) of each step, {@code rounds × batch} each, in the order of {@code steps}. */
    static long[][] run(List<Step> steps, int batch, int warmUpRounds, int rounds) throws Exception {
        long[][] samples = new long[steps.size()][rounds * batch];
        for (int round = -warmUpRounds; round < rounds; round++) {
            for (int s = 0; s < steps.size(); s++) {
                Step step = steps.get(s);
                if (round < 0 && !step.warmsUp()) {
                    continue;
                }
                for (int i = 0; i < batch; i++) {
                    long took = step.run();
                    if (round >= 0) {
                        samples[s][round * batch + i] = took;
                    }
                }
            }
        }
        return samples;
    }

    /** The {@code q} quantile (0–1) of {@code nanos}, in µs. */
    static double micros(long[] nanos, double q) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        return sorted[Math.min(sorted.length - 1, (int) (sorted.length * q))] / 1000.0;
    }

    /** How long {@code body} takes, in nanoseconds. */
    static long time(Body body) throws Exception {
        long t = System.nanoTime();
        body.run();
        return System.nanoTime() - t;
    }

    /** An uncontended {@code tryAcquire} of {@code key}, which must win. */
    static Lease acquireFree(JobLock lock, String key, Duration lease) {
        return lock.tryAcquire(key, lease)
                .orElseThrow(() -> new IllegalStateException("uncontended tryAcquire of " + key + " lost"));
    }

    /** A release of a lease still held, which must free it. */
    static void releaseHeld(Lease lease) {
        if (!lease.release()) {
            throw new IllegalStateException("release of a held lease returned false");
        }
    }
}
