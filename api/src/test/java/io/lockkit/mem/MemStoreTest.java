package io.lockkit.mem;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The reference store does not grow with keys waited on or names used. */
class MemStoreTest {
    @Test
    void aNamedStoreGoesWithItsLastClient() {
        MemStore first = MemStore.named("mem-store-test");
        try (MemBackend a = MemBackend.builder(first).build()) {
            a.versionedUpdate().create("k", new byte[] {1});
            assertThat(MemStore.named("mem-store-test")).isSameAs(first);
        }
        MemStore second = MemStore.named("mem-store-test");
        assertThat(second).as("a fresh store once the last client closed").isNotSameAs(first);
        try (MemBackend b = MemBackend.builder(second).build()) {
            assertThat(b.versionedUpdate().read("k")).isEmpty();
        }
    }

    @Test
    void waitersLeaveNothingBehind() throws Exception {
        MemStore store = MemStore.create();
        try (MemBackend a = MemBackend.builder(store).build()) {
            for (int i = 0; i < 100; i++) {
                var held =
                        a.jobLock().tryAcquire("k" + i, Duration.ofSeconds(5)).orElseThrow();
                assertThat(a.jobLock().acquire("k" + i, Duration.ofSeconds(5), Duration.ofMillis(1)))
                        .isEmpty();
                held.release();
            }
            assertThat(store.waitingKeys())
                    .as("keys with waiters after every waiter left")
                    .isZero();
        }
    }
}
