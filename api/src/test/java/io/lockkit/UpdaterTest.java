package io.lockkit;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockkit.internal.KeyGate;
import io.lockkit.mem.MemBackend;
import io.lockkit.mem.MemStore;
import io.lockkit.spi.ForwardingVersionedUpdate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

class UpdaterTest {
    private final VersionedUpdate store =
            MemBackend.builder(MemStore.create()).build().versionedUpdate();
    private final List<Duration> sleeps = new ArrayList<>();
    private final RetryPolicy policy = RetryPolicy.builder()
            .maxAttempts(4)
            .initialBackoff(Duration.ofMillis(10))
            .maxBackoff(Duration.ofMillis(25))
            .random(() -> 0.5)
            .sleeper(sleeps::add)
            .build();

    @Test
    void createsWhenAbsentThenUpdates() {
        Updater updater = store.updater(policy);
        Versioned first = updater.update("n", cur -> Optional.of(bytes(cur.isEmpty() ? "1" : "x")))
                .orElseThrow();
        Versioned second = updater.update(
                        "n", cur -> Optional.of(bytes(cur.orElseThrow().valueAsString() + "2")))
                .orElseThrow();
        assertThat(first.valueAsString()).isEqualTo("1");
        assertThat(second.valueAsString()).isEqualTo("12");
        assertThat(second.version()).isGreaterThan(first.version());
        assertThat(sleeps).isEmpty();
    }

    @Test
    void declineWritesNothing() {
        store.create("d", bytes("keep"));
        assertThat(store.updater(policy).update("d", cur -> Optional.empty())).isEmpty();
        assertThat(store.read("d").orElseThrow().version()).isEqualTo(1);
    }

    @Test
    void retriesWithFullJitterThenGivesUpNamingKeyAttemptsAndVersion() {
        store.create("c", bytes("0"));
        AtomicInteger calls = new AtomicInteger();
        // A rival write between every read and compare-and-set: each attempt loses.
        UpdateFunction loses = cur -> {
            calls.incrementAndGet();
            Versioned v = store.read("c").orElseThrow();
            store.compareAndSet("c", v.version(), bytes("rival"));
            return Optional.of(bytes("mine"));
        };
        assertThatThrownBy(() -> store.updater(policy).update("c", loses))
                .isInstanceOf(ConcurrentUpdateException.class)
                .hasMessageContaining("'c'")
                .hasMessageContaining("4 attempt(s)")
                .satisfies(e -> {
                    ConcurrentUpdateException c = (ConcurrentUpdateException) e;
                    assertThat(c.attempts()).isEqualTo(4);
                    assertThat(c.lastVersionSeen()).isEqualTo(4);
                });
        assertThat(calls).hasValue(4);
        // 0.5 × min(25, 10·2^(n−1)) ms
        assertThat(sleeps)
                .containsExactly(
                        Duration.ofMillis(5),
                        Duration.ofMillis(10),
                        Duration.ofMillis(12).plusNanos(500_000));
    }

    @Test
    void neverRetriesAFencedOutWrite() {
        store.create("f", bytes("0"));
        store.compareAndSet("f", 1, bytes("by 9"), 9);
        AtomicInteger calls = new AtomicInteger();
        assertThatThrownBy(() -> store.updater(policy).update("f", 3, cur -> {
                    calls.incrementAndGet();
                    return Optional.of(bytes("zombie"));
                }))
                .isInstanceOf(FencedOutException.class);
        assertThat(calls).hasValue(1);
        assertThat(sleeps).isEmpty();
    }

    @Test
    void aFencedUpdateOfADeletedKeyCreatesFencedAndAZombieIsFencedOut() {
        store.create("z", bytes("0"));
        store.compareAndSet("z", 1, bytes("by 9"), 9);
        assertThat(store.delete("z", 2)).isTrue();
        AtomicInteger calls = new AtomicInteger();
        assertThatThrownBy(() -> store.updater(policy).update("z", 3, cur -> {
                    calls.incrementAndGet();
                    return Optional.of(bytes("zombie"));
                }))
                .isInstanceOf(FencedOutException.class)
                .hasMessageContaining("token 3 is lower than 9");
        assertThat(calls).hasValue(1);
        assertThat(store.read("z")).isEmpty();
        Versioned byTen = store.updater(policy)
                .update("z", 10, cur -> Optional.of(bytes("by 10")))
                .orElseThrow();
        assertThatThrownBy(() -> store.compareAndSet("z", byTen.version(), bytes("by 9"), 9))
                .as("the updater's create recorded token 10")
                .isInstanceOf(FencedOutException.class);
        assertThat(sleeps).isEmpty();
    }

    @Test
    void neverRetriesAnUnknownOutcome() {
        VersionedUpdate lostReply = new ForwardingVersionedUpdate(store) {
            @Override
            public Optional<Versioned> compareAndSet(String key, long expectedVersion, byte[] value) {
                store.compareAndSet(key, expectedVersion, value);
                throw new OutcomeUnknownException("reply lost", new java.io.IOException("reset"));
            }
        };
        store.create("u", bytes("0"));
        assertThatThrownBy(() -> lostReply.updater(policy).update("u", cur -> Optional.of(bytes("1"))))
                .isInstanceOf(OutcomeUnknownException.class);
        assertThat(store.read("u").orElseThrow().version()).isEqualTo(2); // applied once, not retried
    }

    @Test
    void threadsOfOneProcessTakeTurnsOnAHotKeySoNoWriteIsSentToLose() throws Exception {
        AtomicInteger writes = new AtomicInteger();
        VersionedUpdate counted = counting(store, writes);
        RetryPolicy patient =
                RetryPolicy.builder().maxAttempts(10_000).sleeper(pause -> {}).build();
        int threads = 8;
        int each = 25;
        CyclicBarrier start = new CyclicBarrier(threads);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            done.add(pool.submit(() -> {
                start.await();
                for (int i = 0; i < each; i++) {
                    counted.updater(patient).update("hot", cur -> {
                        // A wide window between the read and the write: ungated, nearly every attempt would lose.
                        LockSupport.parkNanos(200_000);
                        long n = cur.map(v -> Long.parseLong(v.valueAsString())).orElse(0L);
                        return Optional.of(bytes(Long.toString(n + 1)));
                    });
                }
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get(60, TimeUnit.SECONDS);
        }
        pool.shutdown();
        assertThat(store.read("hot").orElseThrow().valueAsString()).isEqualTo(Integer.toString(threads * each));
        assertThat(writes).as("creates and compare-and-sets sent").hasValue(threads * each);
        assertThat(KeyGate.inUse()).as("gates left behind").isZero();
    }

    @Test
    void waitingForTheTurnCountsAgainstMaxDurationAndNamesTheWait() throws Exception {
        store.create("busy", bytes("0"));
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch letGo = new CountDownLatch(1);
        Thread holder = new Thread(() -> store.updater(RetryPolicy.ofDefaults()).update("busy", cur -> {
            inside.countDown();
            awaitQuietly(letGo);
            return Optional.of(bytes("holder"));
        }));
        holder.start();
        assertThat(inside.await(10, TimeUnit.SECONDS)).isTrue();
        RetryPolicy brief =
                RetryPolicy.builder().maxDuration(Duration.ofMillis(200)).build();
        try {
            assertThatThrownBy(() -> store.updater(brief).update("busy", cur -> Optional.of(bytes("late"))))
                    .isInstanceOf(ConcurrentUpdateException.class)
                    .hasMessageContaining("waiting for the turn")
                    .satisfies(e -> assertThat(((ConcurrentUpdateException) e).attempts())
                            .isZero());
        } finally {
            letGo.countDown();
            holder.join(10_000);
        }
        assertThat(store.read("busy").orElseThrow().valueAsString()).isEqualTo("holder");
        assertThat(KeyGate.inUse()).isZero();
    }

    @Test
    void anInterruptedThreadStillUpdatesAFreeKeyAndKeepsItsFlag() {
        Thread.currentThread().interrupt();
        try {
            assertThat(store.updater(policy).update("i", cur -> Optional.of(bytes("1"))))
                    .isPresent();
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    void policyListsEveryBadOption() {
        assertThatThrownBy(() -> RetryPolicy.builder()
                        .maxAttempts(0)
                        .maxDuration(Duration.ZERO)
                        .initialBackoff(Duration.ofMillis(5))
                        .maxBackoff(Duration.ofMillis(1))
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxAttempts must be ≥ 1, was 0")
                .hasMessageContaining("maxDuration must be positive and at most PT8760H, was PT0S")
                .hasMessageContaining("maxBackoff must be ≥ initialBackoff");
    }

    /** {@code store}, counting the creates and compare-and-sets sent to it in {@code writes}. */
    private static VersionedUpdate counting(VersionedUpdate store, AtomicInteger writes) {
        return new ForwardingVersionedUpdate(store) {
            @Override
            public Optional<Versioned> create(String key, byte[] value) {
                writes.incrementAndGet();
                return super.create(key, value);
            }

            @Override
            public Optional<Versioned> create(String key, byte[] value, long token) {
                writes.incrementAndGet();
                return super.create(key, value, token);
            }

            @Override
            public Optional<Versioned> compareAndSet(String key, long expectedVersion, byte[] value) {
                writes.incrementAndGet();
                return super.compareAndSet(key, expectedVersion, value);
            }

            @Override
            public Optional<Versioned> compareAndSet(String key, long v, byte[] value, long token) {
                writes.incrementAndGet();
                return super.compareAndSet(key, v, value, token);
            }
        };
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(UTF_8);
    }
}
