package io.lockkit.internal;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * One shared daemon thread that only <em>schedules</em> (lease deadlines, keep-alive ticks), and two
 * bounded pools of daemon worker threads: {@value #EXTEND_THREADS} for keep-alive extends, which
 * may block on a stalled store, and {@value #LISTENER_THREADS} for onLost listeners, so a stalled
 * store can neither grow the thread count nor delay the news that a lease is lost. Work beyond the
 * bound waits in a queue. Idle workers end after a minute. Thread-safe.
 */
public final class LeaseTimer {
    /** The most threads that extend leases for {@link io.lockkit.KeepAlive} at once in one JVM. */
    public static final int EXTEND_THREADS = 8;
    /** The most threads that run onLost listeners at once in one JVM. */
    public static final int LISTENER_THREADS = 2;

    private static final ScheduledThreadPoolExecutor EXECUTOR = create();
    private static final ExecutorService EXTENDS = pool("lockkit-keepalive", EXTEND_THREADS);
    private static final ExecutorService LISTENERS = pool("lockkit-lease-listener", LISTENER_THREADS);

    private LeaseTimer() {}

    private static ScheduledThreadPoolExecutor create() {
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "lockkit-lease-timer");
            t.setDaemon(true);
            return t;
        });
        executor.setRemoveOnCancelPolicy(true);
        return executor;
    }

    private static ExecutorService pool(String name, int threads) {
        ThreadPoolExecutor pool =
                new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, name);
                    t.setDaemon(true);
                    return t;
                });
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    public static ScheduledFuture<?> schedule(Runnable task, long delayNanos) {
        return EXECUTOR.schedule(task, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
    }

    /** Runs a keep-alive extend on the bounded extend pool. */
    public static void extend(Runnable task) {
        EXTENDS.execute(task);
    }

    /** Runs onLost listeners on the bounded listener pool, never on the timer thread. */
    public static void notifyListeners(Runnable task) {
        LISTENERS.execute(task);
    }

    public static ScheduledFuture<?> scheduleAtFixedRate(Runnable task, long initialDelayNanos, long periodNanos) {
        return EXECUTOR.scheduleAtFixedRate(task, initialDelayNanos, periodNanos, TimeUnit.NANOSECONDS);
    }
}
