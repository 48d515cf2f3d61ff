package io.lockkit.peers.internal;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/** One daemon thread that checks peer leases at their deadlines and calls their loss listeners. */
final class LeaseTimer {
    private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "lockkit-peers-lease-timer");
        t.setDaemon(true);
        return t;
    });

    private LeaseTimer() {}

    static ScheduledFuture<?> schedule(Runnable task, long delayNanos) {
        return TIMER.schedule(task, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
    }

    static void execute(Runnable task) {
        TIMER.execute(task);
    }
}
