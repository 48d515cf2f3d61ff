package io.lockkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockkit.internal.LeaseTimer;
import io.lockkit.mem.MemBackend;
import io.lockkit.mem.MemStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Keep-alives on a store that stalls: the thread count stays bounded, and the user's executor is used. */
class KeepAliveTest {
    private static long threadsNamed(String name) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals(name))
                .count();
    }

    @Test
    void threeHundredKeepAlivesOnAStalledStoreUseAtMostTheBoundedPool() throws Exception {
        MemStore store = MemStore.create();
        try (MemBackend client = MemBackend.builder(store).build()) {
            List<Lease> leases = new ArrayList<>();
            List<KeepAlive> keepAlives = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                leases.add(client.jobLock()
                        .tryAcquire("k" + i, Duration.ofSeconds(30))
                        .orElseThrow());
            }
            store.delayReplies(client, Duration.ofSeconds(2)); // every extend now blocks its thread for 2 s
            for (Lease lease : leases) {
                keepAlives.add(KeepAlive.start(lease, Duration.ofSeconds(30), Duration.ofMillis(10)));
            }
            long most = 0;
            for (int i = 0; i < 50; i++) { // sample while the extends pile up on the stalled store
                most = Math.max(most, threadsNamed("lockkit-keepalive"));
                TimeUnit.MILLISECONDS.sleep(10);
            }
            assertThat(most)
                    .as("keep-alive threads while 300 extends wait on a stalled store")
                    .isPositive()
                    .isLessThanOrEqualTo(LeaseTimer.EXTEND_THREADS);
            keepAlives.forEach(KeepAlive::close);
            store.delayReplies(client, Duration.ZERO);
        }
    }

    @Test
    void extendsRunOnTheUsersExecutorWhenGiven() throws Exception {
        java.util.concurrent.atomic.AtomicInteger ran = new java.util.concurrent.atomic.AtomicInteger();
        ScheduledExecutorService mine = new java.util.concurrent.ScheduledThreadPoolExecutor(1) {
            @Override
            protected void afterExecute(Runnable r, Throwable t) {
                ran.incrementAndGet();
            }
        };
        java.util.concurrent.atomic.AtomicLong now = new java.util.concurrent.atomic.AtomicLong();
        try (MemBackend client = MemBackend.builder(MemStore.create(now::get)).build()) {
            Lease lease =
                    client.jobLock().tryAcquire("k", Duration.ofSeconds(30)).orElseThrow();
            now.addAndGet(Duration.ofSeconds(10).toNanos()); // the store's clock stands still from here on
            assertThat(lease.remaining()).isEqualTo(Duration.ofSeconds(20));
            try (KeepAlive keepAlive = KeepAlive.start(lease, Duration.ofSeconds(30), Duration.ofMillis(10), mine)) {
                long guard = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (ran.get() < 2 && System.nanoTime() - guard < 0) {
                    TimeUnit.MILLISECONDS.sleep(5);
                }
                assertThat(ran).as("ticks run on the user's executor").hasValueGreaterThanOrEqualTo(2);
                assertThat(keepAlive.isRunning()).isTrue();
            }
            assertThat(lease.remaining())
                    .as("a tick on the user's executor extended the lease to 30 s from the (frozen) now")
                    .isEqualTo(Duration.ofSeconds(30));
            assertThat(lease.release()).isTrue();
        } finally {
            mine.shutdownNow();
        }
    }

    @Test
    void aLengthOutsideTheBackendsLimitsIsRefusedAtStart() {
        try (MemBackend client = MemBackend.builder(MemStore.create()).build()) {
            Lease lease =
                    client.jobLock().tryAcquire("k", Duration.ofSeconds(5)).orElseThrow();
            assertThatThrownBy(() -> KeepAlive.start(lease, Duration.ofDays(365_000)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("PT8760000H");
            assertThat(lease.isValid()).isTrue();
        }
    }

    @Test
    void aDecoratedLeaseIsCheckedAgainstTheLimitsOfTheLeaseItForwardsTo() {
        try (MemBackend client = MemBackend.builder(MemStore.create())
                .driftMargin(Duration.ofMillis(100))
                .build()) {
            Lease lease =
                    client.jobLock().tryAcquire("k", Duration.ofSeconds(5)).orElseThrow();
            Lease decorated = new io.lockkit.spi.ForwardingLease(new io.lockkit.spi.ForwardingLease(lease));
            assertThatThrownBy(() -> KeepAlive.start(decorated, Duration.ofMillis(150)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("PT0.2S")
                    .hasMessageContaining("PT0.15S");
            assertThat(lease.isValid()).isTrue();
        }
    }
}
