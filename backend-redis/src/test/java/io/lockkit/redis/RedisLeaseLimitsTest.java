package io.lockkit.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockkit.Lease;
import io.lockkit.LeaseLimits;
import io.lockkit.testkit.redis.RedisAdmin;
import io.lockkit.testkit.redis.RedisTestServer;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Leases outside the backend's limits are refused before anything is written (E1): a huge lease
 * once wrote the lock for a thousand years and then failed in the lease's constructor, returning
 * nothing while the key stayed blocked.
 */
@DisplayName("Redis lease limits")
class RedisLeaseLimitsTest {
    private static final List<Duration> TOO_LONG =
            List.of(Duration.ofDays(365_000), Duration.ofSeconds(Long.MAX_VALUE), ChronoUnit.FOREVER.getDuration());

    private final RedisTestServer redis = RedisTestServer.get();

    @Test
    @DisplayName("E1: tryAcquire and acquire refuse a lease over the longest, writing nothing")
    void e1_tooLongALeaseIsRefusedBeforeAnythingIsWritten() throws Exception {
        String prefix = RedisTestServer.freshPrefix();
        try (RedisBackend a = RedisRestartTest.client(redis, prefix);
                RedisBackend b = RedisRestartTest.client(redis, prefix);
                RedisAdmin admin = redis.admin()) {
            for (Duration lease : TOO_LONG) {
                assertThatThrownBy(() -> a.jobLock().tryAcquire("job", lease))
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("lease");
                assertThatThrownBy(() -> a.jobLock().acquire("job", lease, Duration.ofSeconds(1)))
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("lease");
                assertThat(admin.commands().exists("{" + prefix + "}:lock:job"))
                        .as("nothing written for a lease of %s", lease)
                        .isEqualTo(0L);
            }
            Lease next = b.jobLock().tryAcquire("job", Duration.ofSeconds(5)).orElseThrow();
            assertThat(next.release()).isTrue();
        }
    }

    @Test
    @DisplayName("E1: extend refuses a lease over the longest; the lock's time to live and the lease are unchanged")
    void e1_tooLongAnExtendIsRefusedBeforeAnythingIsWritten() {
        String prefix = RedisTestServer.freshPrefix();
        Duration lease = Duration.ofSeconds(30);
        try (RedisBackend a = RedisRestartTest.client(redis, prefix);
                RedisAdmin admin = redis.admin()) {
            Lease held = a.jobLock().tryAcquire("job", lease).orElseThrow();
            for (Duration tooLong : TOO_LONG) {
                assertThatThrownBy(() -> held.extend(tooLong))
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("lease");
                assertThat(admin.commands().pttl("{" + prefix + "}:lock:job"))
                        .as("the lock's time to live after a refused extend of %s", tooLong)
                        .isPositive()
                        .isLessThanOrEqualTo(lease.toMillis());
            }
            assertThat(held.isValid()).isTrue();
            assertThat(held.release()).isTrue();
        }
    }

    @Test
    @DisplayName("E1: the limits are twice the drift margin to 365 days; both ends are granted")
    void e1_theLimitsFollowTheDriftMarginAndBothEndsAreGranted() {
        String prefix = RedisTestServer.freshPrefix();
        try (RedisBackend a = RedisBackend.builder(redis.newRedisson(RedisTestServer.newClientName()))
                        .prefix(prefix)
                        .driftMargin(Duration.ofMillis(25))
                        .shutdownClientOnClose(true)
                        .build();
                RedisAdmin admin = redis.admin()) {
            LeaseLimits limits = a.jobLock().leaseLimits();
            assertThat(limits).isEqualTo(new LeaseLimits(Duration.ofMillis(50), LeaseLimits.MAX));
            assertThatThrownBy(() -> a.jobLock().tryAcquire("job", Duration.ofMillis(49)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("PT0.049S");
            Lease longest = a.jobLock().tryAcquire("job", LeaseLimits.MAX).orElseThrow();
            assertThat(admin.commands().pttl("{" + prefix + "}:lock:job"))
                    .isGreaterThan(LeaseLimits.MAX.minusMinutes(1).toMillis());
            assertThat(longest.extend(LeaseLimits.MAX)).isTrue();
            assertThat(longest.release()).isTrue();
            Lease shortest = a.jobLock().tryAcquire("job", limits.shortest()).orElseThrow();
            shortest.release();
        }
    }

    @Test
    @DisplayName("E1: a drift margin over 10 minutes, or one that overflows, is refused by build()")
    void e1_aDriftMarginOutOfRangeIsRefused() {
        var redisson = redis.newRedisson(RedisTestServer.newClientName());
        try {
            for (Duration margin : List.of(
                    Duration.ofMinutes(10).plusNanos(1), Duration.ofSeconds(Long.MAX_VALUE), Duration.ofMillis(-1))) {
                assertThatThrownBy(() -> RedisBackend.builder(redisson)
                                .driftMargin(margin)
                                .build())
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("driftMargin")
                        .hasMessageContaining(margin.toString());
            }
        } finally {
            redisson.shutdown();
        }
    }

    @Test
    @DisplayName("E1: a timeout over a day, or one that overflows, is refused by build() naming it")
    void e1_aTimeoutOutOfRangeIsRefused() {
        var redisson = redis.newRedisson(RedisTestServer.newClientName());
        try {
            for (Duration timeout :
                    List.of(Duration.ofDays(1).plusNanos(1), Duration.ofSeconds(Long.MAX_VALUE), Duration.ZERO)) {
                assertThatThrownBy(() ->
                                RedisBackend.builder(redisson).timeout(timeout).build())
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("timeout")
                        .hasMessageContaining(timeout.toString());
            }
        } finally {
            redisson.shutdown();
        }
    }
}
