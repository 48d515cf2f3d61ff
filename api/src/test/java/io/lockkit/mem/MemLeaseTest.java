package io.lockkit.mem;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockkit.KeepAlive;
import io.lockkit.Lease;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Lease timing on an injected clock: no sleeping. */
class MemLeaseTest {
    private final AtomicLong now = new AtomicLong(1_000);
    private final MemStore store = MemStore.create(now::get);
    private final MemBackend a = MemBackend.builder(store).build();
    private final MemBackend b = MemBackend.builder(store).build();

    @Test
    void l5_validUntilTheDeadlineThenNeverAgain() throws InterruptedException {
        Lease lease = a.jobLock().tryAcquire("k", Duration.ofMillis(100)).orElseThrow();
        CountDownLatch lost = new CountDownLatch(1);
        lease.onLost(l -> lost.countDown());
        now.addAndGet(99 * 1_000_000L);
        assertThat(lease.isValid()).isTrue();
        assertThat(lease.remaining()).isEqualTo(Duration.ofMillis(1));
        now.addAndGet(1 * 1_000_000L);
        assertThat(lease.isValid()).isFalse();
        assertThat(lease.remaining()).isZero();
        assertThat(lost.await(10, TimeUnit.SECONDS)).as("onLost fired").isTrue();
        assertThat(lease.extend(Duration.ofSeconds(1))).isFalse();
        assertThat(lease.isValid()).isFalse();
        // the next holder is untouched by the old lease's release (L3)
        Lease next = b.jobLock().tryAcquire("k", Duration.ofMillis(100)).orElseThrow();
        assertThat(next.token()).isGreaterThan(lease.token());
        assertThat(lease.release()).isFalse();
        assertThat(store.holderToken("k")).contains(next.token());
    }

    @Test
    void extendMovesTheDeadlineFromTheRequest() {
        Lease lease = a.jobLock().tryAcquire("k", Duration.ofMillis(100)).orElseThrow();
        now.addAndGet(50 * 1_000_000L);
        assertThat(lease.extend(Duration.ofMillis(100))).isTrue();
        now.addAndGet(99 * 1_000_000L);
        assertThat(lease.isValid()).isTrue();
        assertThat(b.jobLock().tryAcquire("k", Duration.ofMillis(100))).isEmpty();
        assertThat(lease.release()).isTrue();
        assertThat(lease.release()).as("idempotent").isFalse();
        assertThat(b.jobLock().tryAcquire("k", Duration.ofMillis(100))).isPresent();
    }

    @Test
    void sessionLeaseIsLostWithTheConnection() throws InterruptedException {
        MemBackend s = MemBackend.builder(store)
                .leaseKind(MemBackend.LeaseKind.SESSION)
                .build();
        Lease lease = s.jobLock().tryAcquire("s", Duration.ofSeconds(10)).orElseThrow();
        CountDownLatch lost = new CountDownLatch(1);
        lease.onLost(l -> lost.countDown());
        store.killConnection(s);
        assertThat(lease.isValid()).isFalse();
        assertThat(lost.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(b.jobLock().tryAcquire("s", Duration.ofSeconds(1))).isPresent();
        assertThat(lease.release()).isFalse();
    }

    @Test
    void keepAliveExtendsUntilClosed() throws InterruptedException {
        MemStore real = MemStore.create();
        MemBackend c = MemBackend.builder(real).build();
        Duration length = Duration.ofSeconds(10);
        Lease lease = c.jobLock().tryAcquire("ka", length).orElseThrow();
        long start = System.nanoTime();
        try (KeepAlive keepAlive = KeepAlive.start(lease, length, Duration.ofMillis(50))) {
            // Without an extend, remaining() would be length - elapsed; with one, it was reset after start.
            // Tolerant of a loaded machine: any single extend during the wait is enough.
            Duration elapsed;
            do {
                Thread.sleep(100);
                elapsed = Duration.ofNanos(System.nanoTime() - start);
            } while (elapsed.compareTo(Duration.ofMillis(1500)) < 0);
            assertThat(lease.remaining())
                    .as("remaining after %s of a %s lease kept alive", elapsed, length)
                    .isGreaterThan(length.minus(elapsed));
            assertThat(lease.isValid()).isTrue();
            assertThat(keepAlive.isRunning()).isTrue();
        }
        assertThat(lease.release()).isTrue();
    }
}
