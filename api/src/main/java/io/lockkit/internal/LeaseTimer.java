package io.lockkit.internal;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * One shared daemon thread that only <em>schedules</em> (lease deadlines, keep-alive ticks), and a
 * pool of daemon worker threads that run what may block or call user code (extends, onLost
 * listeners), so one slow store never delays another lease's deadline or keep-alive. Thread-safe.
 */
public final class LeaseTimer {
    private static final ScheduledThreadPoolExecutor EXECUTOR = create();
    private static final ExecutorService WORKERS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "lockkit-lease-worker");
        t.setDaemon(true);
        return t;
    });

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

    public static ScheduledFuture<?> schedule(Runnable task, long delayNanos) {
        return EXECUTOR.schedule(task, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
    }

    /** Runs {@code task} on a worker thread: for work that may block or calls listeners. */
    public static void execute(Runnable task) {
        WORKERS.execute(task);
    }

    public static ScheduledFuture<?> scheduleAtFixedRate(Runnable task, long initialDelayNanos, long periodNanos) {
        return EXECUTOR.scheduleAtFixedRate(task, initialDelayNanos, periodNanos, TimeUnit.NANOSECONDS);
    }
}
