package io.lockkit;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockkit.mem.MemBackend;
import io.lockkit.mem.MemStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
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
        VersionedUpdate lostReply = new VersionedUpdate() {
            @Override
            public Optional<Versioned> read(String key) {
                return store.read(key);
            }

            @Override
            public Optional<Versioned> create(String key, byte[] value) {
                return store.create(key, value);
            }

            @Override
            public Optional<Versioned> create(String key, byte[] value, long token) {
                throw new UnsupportedOperationException();
            }

            @Override
            public Optional<Versioned> compareAndSet(String key, long expectedVersion, byte[] value) {
                store.compareAndSet(key, expectedVersion, value);
                throw new OutcomeUnknownException("reply lost", new java.io.IOException("reset"));
            }

            @Override
            public Optional<Versioned> compareAndSet(String key, long v, byte[] value, long token) {
                throw new UnsupportedOperationException();
            }

            @Override
            public boolean delete(String key, long expectedVersion) {
                return store.delete(key, expectedVersion);
            }
        };
        store.create("u", bytes("0"));
        assertThatThrownBy(() -> lostReply.updater(policy).update("u", cur -> Optional.of(bytes("1"))))
                .isInstanceOf(OutcomeUnknownException.class);
        assertThat(store.read("u").orElseThrow().version()).isEqualTo(2); // applied once, not retried
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
                .hasMessageContaining("maxDuration must be positive, was PT0S")
                .hasMessageContaining("maxBackoff must be ≥ initialBackoff");
    }

    private static byte[] bytes(String s) {
        return s.getBytes(UTF_8);
    }
}
