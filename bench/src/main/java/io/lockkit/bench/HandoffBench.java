package io.lockkit.bench;

import io.lockkit.Backend;
import io.lockkit.Lease;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Handoff: from {@code release} by the holder to {@code acquire} returning in a waiter on another
 * client (its own connections or session). Before each operation, untimed, the holder takes the key
 * and the waiter starts {@code acquire} on its own thread; the operation is the holder's release
 * and the wait for the waiter's lease.
 *
 * <p>The waiter cannot be observed parked on the store's notification, so setup pauses {@value
 * #PAUSE_PROPERTY} ms (default 20) after it starts: long enough for its first attempt to have
 * failed on every store here. JMH's per-invocation setup makes this a sample-time benchmark only.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class HandoffBench {
    static final String PAUSE_PROPERTY = "lockkit.bench.handoffPauseMillis";
    private static final Duration LEASE = Duration.ofSeconds(30);
    private static final Duration MAX_WAIT = Duration.ofSeconds(10);

    @Param({"mem/timed", "postgresql/table", "postgresql/advisory", "postgresql/rowlock", "redis", "zookeeper"})
    public String backend = "";

    private Backend holder;
    private Backend waiter;
    private ExecutorService waiterThread;
    private String key = "";
    private long pauseNanos;
    private @Nullable Lease held;
    private @Nullable Lease handedOver;
    private CompletableFuture<Lease> waiting = new CompletableFuture<>();

    @Setup
    public void open() {
        holder = Clients.lockkit(backend);
        waiter = Clients.lockkit(backend);
        waiterThread = Executors.newSingleThreadExecutor(r -> new Thread(r, "handoff-waiter"));
        key = Clients.freshKey("handoff");
        pauseNanos = TimeUnit.MILLISECONDS.toNanos(Long.getLong(PAUSE_PROPERTY, 20));
    }

    @Setup(Level.Invocation)
    public void holdAndWait() throws InterruptedException {
        if (handedOver != null) {
            handedOver.release();
            handedOver = null;
        }
        held = holder.jobLock()
                .tryAcquire(key, LEASE)
                .orElseThrow(() -> new IllegalStateException(backend + ": the holder could not take a free key"));
        CountDownLatch started = new CountDownLatch(1);
        waiting = CompletableFuture.supplyAsync(
                () -> {
                    started.countDown();
                    try {
                        return waiter.jobLock()
                                .acquire(key, LEASE, MAX_WAIT)
                                .orElseThrow(() ->
                                        new IllegalStateException(backend + ": the waiter was not handed the lock"));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException(e);
                    }
                },
                waiterThread);
        started.await();
        LockSupport.parkNanos(pauseNanos);
        if (waiting.isDone()) {
            throw new IllegalStateException(backend + ": the waiter finished while the key was held: " + waiting);
        }
    }

    @Benchmark
    public Lease handoff() throws Exception {
        if (held == null || !held.release()) {
            throw new IllegalStateException(backend + ": the holder's release returned false");
        }
        handedOver = waiting.get(MAX_WAIT.toSeconds() + 5, TimeUnit.SECONDS);
        return handedOver;
    }

    @TearDown
    public void close() {
        waiterThread.shutdownNow();
        if (handedOver != null) {
            handedOver.release();
        }
        holder.close();
        waiter.close();
    }
}
