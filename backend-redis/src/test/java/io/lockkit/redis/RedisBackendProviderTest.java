package io.lockkit.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockkit.Backend;
import io.lockkit.BackendUnavailableException;
import io.lockkit.Capability;
import io.lockkit.Lease;
import io.lockkit.LockKit;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Discovery of {@code redis://} and {@code rediss://}, and option validation (E1, E2). */
@DisplayName("redis:// provider")
class RedisBackendProviderTest {
    private final TestRedis redis = TestRedis.get();

    @Test
    @DisplayName("LockKit.open finds the Redis backend, which works and declares what it promises")
    void opensAWorkingBackend() {
        try (Backend b = LockKit.open(redis.address() + "?prefix=" + TestRedis.freshPrefix() + "&timeout=2s")) {
            assertThat(b.name()).isEqualTo("redis");
            assertThat(b.capabilities())
                    .containsExactlyInAnyOrder(
                            Capability.TIMED_LEASE,
                            Capability.RELEASE_NOTIFICATION,
                            Capability.FENCING_SURVIVES_STORE_RESTART);
            Lease lease = b.jobLock().tryAcquire("k", Duration.ofSeconds(5)).orElseThrow();
            assertThat(lease.release()).isTrue();
        }
    }

    @Test
    @DisplayName("E1: every bad option is reported at once, and the password never appears")
    void e1_badOptionsAreListedWithoutCredentials() {
        assertThatThrownBy(() -> LockKit.open(
                        "redis://app:s3cret@127.0.0.1:1?timeout=soon&colour=blue",
                        Map.of("evictionPolicyCheck", "maybe")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("timeout=soon")
                .hasMessageContaining("colour")
                .hasMessageContaining("evictionPolicyCheck=maybe")
                .hasMessageNotContaining("s3cret");
    }

    @Test
    @DisplayName("E1: a bad database and a malformed URI fail without showing credentials")
    void e1_badUrisFailWithoutCredentials() {
        assertThatThrownBy(() -> LockKit.open("redis://:s3cret@127.0.0.1:1/zero"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("zero")
                .hasMessageNotContaining("s3cret");
        assertThatThrownBy(() -> LockKit.open("rediss://:s3cret@bad host/"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageNotContaining("s3cret");
    }

    @Test
    @DisplayName("E2: an unreachable address fails with BackendUnavailable within the timeout, without credentials")
    void e2_unreachableAddressIsUnavailable() {
        long start = System.nanoTime();
        assertThatThrownBy(() -> LockKit.open(
                        "redis://:s3cret@127.0.0.1:" + TestRedis.freePort() + "?timeout=300ms&connectTimeout=200ms"))
                .isInstanceOf(BackendUnavailableException.class)
                .hasMessageNotContaining("s3cret");
        // A guard against hanging, not a timing claim: a cold Redisson client on a loaded machine takes seconds.
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(30));
    }
}
