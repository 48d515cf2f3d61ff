package io.lockkit.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockkit.JobLock;
import io.lockkit.Lease;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * L7, L8 for an acquire on a client whose connections are all busy (INCIDENTS.md row 41): what the
 * PostgreSQL and MariaDB connection-budget tests assert once they have tied up a client's
 * connections, on {@code lock} of that client, for a free {@code key}.
 */
public final class BusyClientAcquires {
    private BusyClientAcquires() {}

    /**
     * The acquire waits (for a connection: the key is free), and an interrupt ends it with {@link
     * InterruptedException} at once, not after the client's {@code connectionWait}.
     */
    public static void interruptEndsTheWait(JobLock lock, String key, ExecutorService threads) throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        AtomicReference<Thread> acquirer = new AtomicReference<>();
        Future<Optional<Lease>> acquire = threads.submit(() -> {
            acquirer.set(Thread.currentThread());
            started.countDown();
            return lock.acquire(key, Duration.ofSeconds(30), Duration.ofSeconds(30));
        });
        started.await();
        Thread.sleep(300); // into its wait for a connection (a wait that ignores interrupts lasts connectionWait)
        assertThat(acquire.isDone()).as("the acquire waits for a connection").isFalse();
        long interrupted = System.nanoTime();
        acquirer.get().interrupt();
        assertThatThrownBy(() -> acquire.get(5, TimeUnit.SECONDS))
                .as("the interrupted acquire")
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(InterruptedException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - interrupted))
                .as("time from the interrupt to the acquire's end")
                .isLessThan(Duration.ofSeconds(2));
    }

    /** An acquire with a {@code maxWait} of 500 ms ends empty by then, not after {@code connectionWait}. */
    public static void maxWaitEndsTheWait(JobLock lock, String key, ExecutorService threads) throws Exception {
        long start = System.nanoTime();
        Future<Optional<Lease>> acquire =
                threads.submit(() -> lock.acquire(key, Duration.ofSeconds(30), Duration.ofMillis(500)));
        assertThat(acquire.get(10, TimeUnit.SECONDS))
                .as("the acquire, after its maxWait")
                .isEmpty();
        assertThat(Duration.ofNanos(System.nanoTime() - start))
                .as("time to the acquire's end")
                .isBetween(Duration.ofMillis(500), Duration.ofSeconds(3));
    }

    /** The key is free: whatever the ended acquire did, it left nothing held. */
    public static void keyIsFree(JobLock lock, String key) {
        Lease lease = lock.tryAcquire(key, Duration.ofSeconds(30))
                .orElseThrow(() -> new AssertionError("the ended acquire left '" + key + "' held"));
        assertThat(lease.release()).isTrue();
    }
}
