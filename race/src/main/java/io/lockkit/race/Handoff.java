package io.lockkit.race;

import io.lockkit.Backend;
import io.lockkit.Lease;
import io.lockkit.tck.TckTarget;
import io.lockkit.tck.harness.Keys;
import io.lockkit.tck.harness.Poll;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Handoff latency on one {@link TckTarget}: how long a waiter blocked in {@code acquire} takes to
 * get a key after its holder releases it (L7). Not thread-safe; one measurement at a time.
 *
 * <p>Two clients of the target, A (holder) and B (waiter), one fresh key. Each round, untimed: A
 * takes the key, B starts {@code acquire(key, lease, maxWait)} on its own thread, and the
 * measurement makes sure B is waiting: a latch says B's thread has started, then it MUST have had
 * at least {@link #SETTLE} and be seen parked ({@code WAITING}, {@code TIMED_WAITING} or {@code
 * BLOCKED}), polled for up to {@link #PATIENCE}. A backend that waits in a socket read stays
 * {@code RUNNABLE}; it gets the whole patience. Timed: from just before A's {@code release()} to B's {@code acquire}
 * returning, both read with {@link System#nanoTime()} in this JVM. B then releases, untimed.
 *
 * <p>Rounds stop after the requested count or when the time budget is spent, whichever comes first.
 * Any error (A cannot take a free key, A's release returns false, B gets the key while A holds it,
 * B is not handed the key within {@code maxWait}, an exception) ends the measurement as a skip
 * with the reason: a latency is reported only from clean rounds.
 */
final class Handoff {
    /**
     * The least time B is given after its thread started, before A may release: long enough for B's
     * first attempt to have failed on every store here, so B is measured being woken, not racing
     * its own first attempt against the release (the bench's {@code HandoffBench} pauses as long).
     */
    static final Duration SETTLE = Duration.ofMillis(20);
    /** How long B's thread is polled for a parked state before A releases anyway. */
    static final Duration PATIENCE = Duration.ofMillis(50);

    static final Duration LEASE = Duration.ofSeconds(30);
    static final Duration MAX_WAIT = Duration.ofSeconds(10);
    static final Duration DEFAULT_BUDGET = Duration.ofSeconds(30);

    private Handoff() {}

    /**
     * The latencies of one target, in microseconds, nearest-rank percentiles.
     *
     * @param count clean rounds measured (0 when skipped)
     * @param skipReason why no latency is reported; empty when measured
     */
    record Result(
            int count,
            long p50Micros,
            long p90Micros,
            long p99Micros,
            long maxMicros,
            List<Long> samplesMicros,
            Optional<String> skipReason) {
        Result {
            samplesMicros = List.copyOf(samplesMicros);
        }

        static Result of(List<Long> micros) {
            if (micros.isEmpty()) {
                return skipped("no handoff was measured (count or budget too small)");
            }
            long[] sorted = micros.stream().mapToLong(Long::longValue).sorted().toArray();
            return new Result(
                    sorted.length,
                    rank(sorted, 50),
                    rank(sorted, 90),
                    rank(sorted, 99),
                    sorted[sorted.length - 1],
                    micros,
                    Optional.empty());
        }

        static Result skipped(String reason) {
            return new Result(0, 0, 0, 0, 0, List.of(), Optional.of(reason));
        }

        boolean skipped() {
            return skipReason.isPresent();
        }

        /** {@code p50 120 µs, p90 …, p99 …, max … (n = 100)} or {@code skipped: reason}. */
        String summary() {
            return skipReason
                    .map(r -> "skipped: " + r)
                    .orElseGet(() -> String.format(
                            "p50 %d µs, p90 %d µs, p99 %d µs, max %d µs (n = %d)",
                            p50Micros, p90Micros, p99Micros, maxMicros, count));
        }

        private static long rank(long[] sorted, int percentile) {
            int index = (int) Math.ceil(percentile / 100.0 * sorted.length) - 1;
            return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
        }
    }

    /**
     * Measures up to {@code rounds} handoffs on {@code target} within {@code budget}.
     *
     * @throws IllegalArgumentException when {@code rounds} is below 1 or {@code budget} is not positive
     * @throws InterruptedException when the calling thread is interrupted
     */
    static Result measure(TckTarget target, int rounds, Duration budget) throws InterruptedException {
        if (rounds < 1) {
            throw new IllegalArgumentException("handoff rounds must be ≥ 1, was " + rounds);
        }
        if (budget.isZero() || budget.isNegative()) {
            throw new IllegalArgumentException("handoff budget must be positive, was " + budget);
        }
        AtomicReference<Thread> waiterThread = new AtomicReference<>();
        ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "handoff-waiter " + target.name());
            t.setDaemon(true);
            waiterThread.set(t);
            return t;
        });
        List<Long> micros = new ArrayList<>();
        try (Backend a = target.newClient();
                Backend b = target.newClient()) {
            String key = Keys.fresh("handoff");
            long end = System.nanoTime() + budget.toNanos();
            while (micros.size() < rounds && System.nanoTime() - end < 0) {
                micros.add(round(a, b, key, executor, waiterThread));
            }
            return Result.of(micros);
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            return Result.skipped("handoff failed after " + micros.size() + " rounds: " + brief(e));
        } finally {
            executor.shutdownNow();
        }
    }

    /** One handoff from A to B, in microseconds; throws on any error. */
    private static long round(
            Backend a, Backend b, String key, ExecutorService executor, AtomicReference<Thread> waiterThread)
            throws Exception {
        Lease held = a.jobLock()
                .tryAcquire(key, LEASE)
                .orElseThrow(() -> new IllegalStateException("the holder could not take the free key " + key));
        CountDownLatch started = new CountDownLatch(1);
        CompletableFuture<Long> acquiredAt = new CompletableFuture<>();
        AtomicReference<Lease> handedOver = new AtomicReference<>();
        executor.execute(() -> {
            started.countDown();
            try {
                Optional<Lease> got = b.jobLock().acquire(key, LEASE, MAX_WAIT);
                long at = System.nanoTime();
                got.ifPresent(handedOver::set);
                if (got.isPresent()) {
                    acquiredAt.complete(at);
                } else {
                    acquiredAt.completeExceptionally(
                            new IllegalStateException("the waiter was not handed the key within " + MAX_WAIT));
                }
            } catch (Throwable t) {
                acquiredAt.completeExceptionally(t);
            }
        });
        try {
            started.await();
            awaitWaiting(waiterThread.get());
            if (acquiredAt.isDone()) {
                // Completed exceptionally: get() throws the waiter's own error, unwrapped below.
                if (!acquiredAt.isCompletedExceptionally()) {
                    throw new IllegalStateException("the waiter's acquire returned the key while the holder held it");
                }
                acquiredAt.get();
            }
            long releasedAt = System.nanoTime();
            if (!held.release()) {
                throw new IllegalStateException("the holder's release returned false");
            }
            long at = acquiredAt.get(MAX_WAIT.plusSeconds(5).toNanos(), TimeUnit.NANOSECONDS);
            return Math.max(0, TimeUnit.NANOSECONDS.toMicros(at - releasedAt));
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        } catch (TimeoutException e) {
            throw new IllegalStateException("the waiter's acquire did not return within " + MAX_WAIT.plusSeconds(5));
        } finally {
            // Untimed clean-up; a failure here is the next round's (or the report's) problem.
            quietly(held);
            Lease got = handedOver.get();
            if (got != null) {
                quietly(got);
            }
        }
    }

    /** At least {@link #SETTLE}, then until the waiter is seen parked or {@link #PATIENCE} is spent. */
    private static void awaitWaiting(Thread waiter) throws InterruptedException {
        long settled = System.nanoTime() + SETTLE.toNanos();
        Poll.untilTime(settled);
        Poll.until(PATIENCE, () -> switch (waiter.getState()) {
            case WAITING, TIMED_WAITING, BLOCKED, TERMINATED -> true;
            default -> false;
        });
    }

    private static void quietly(Lease lease) {
        try {
            lease.release();
        } catch (RuntimeException e) {
            // The lease expires by itself (L4); the measurement reports the error that mattered.
        }
    }

    private static String brief(Throwable t) {
        return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
    }
}
