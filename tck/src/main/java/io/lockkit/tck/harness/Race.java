package io.lockkit.tck.harness;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs N workers that all start at one barrier and each return an outcome. Usable outside JUnit.
 *
 * <p>Nothing is lost: an exception a worker throws is counted and kept (the first few with their
 * stack traces) in the {@link RaceResult}; a worker still running at the guard deadline is
 * interrupted and counted as hung, so a hung race ends as a reported failure, never as a hang.
 */
public final class Race {
    /** The body of one worker; {@code index} runs from 0 to workers − 1. */
    @FunctionalInterface
    public interface Worker<T> {
        T run(int index) throws Exception;
    }

    private static final AtomicInteger RACES = new AtomicInteger();

    private Race() {}

    /**
     * Starts {@code workers} threads, releases them together at one barrier, and waits for all of
     * them until {@code deadline} has passed since the start.
     *
     * @throws InterruptedException when the calling thread is interrupted; the workers are
     *     interrupted too
     */
    public static <T> RaceResult<T> run(int workers, Duration deadline, Worker<? extends T> worker)
            throws InterruptedException {
        if (workers < 1) {
            throw new IllegalArgumentException("workers must be ≥ 1, was " + workers);
        }
        long start = System.nanoTime();
        long end = start + deadline.toNanos();
        CyclicBarrier barrier = new CyclicBarrier(workers);
        ExecutorService pool =
                Executors.newFixedThreadPool(workers, threads("lockkit-race-" + RACES.incrementAndGet()));
        try {
            List<Future<? extends T>> futures = new ArrayList<>(workers);
            for (int i = 0; i < workers; i++) {
                int index = i;
                futures.add(pool.submit(() -> {
                    barrier.await(Math.max(0, end - System.nanoTime()), TimeUnit.NANOSECONDS);
                    return worker.run(index);
                }));
            }
            return collect(futures, deadline, start, end);
        } finally {
            pool.shutdownNow();
        }
    }

    private static <T> RaceResult<T> collect(List<Future<? extends T>> futures, Duration deadline, long start, long end)
            throws InterruptedException {
        List<T> outcomes = new ArrayList<>(futures.size());
        List<Throwable> uncaught = new ArrayList<>();
        int hung = 0;
        for (Future<? extends T> future : futures) {
            try {
                outcomes.add(future.get(Math.max(0, end - System.nanoTime()), TimeUnit.NANOSECONDS));
            } catch (ExecutionException e) {
                uncaught.add(e.getCause() == null ? e : e.getCause());
            } catch (TimeoutException e) {
                future.cancel(true);
                hung++;
            }
        }
        return RaceResult.of(
                futures.size(), outcomes, uncaught, hung, Duration.ofNanos(System.nanoTime() - start), deadline);
    }

    /** Daemon threads, so a worker stuck in a backend call can never keep the JVM alive. */
    public static ThreadFactory threads(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + count.getAndIncrement());
            t.setDaemon(true);
            return t;
        };
    }
}
