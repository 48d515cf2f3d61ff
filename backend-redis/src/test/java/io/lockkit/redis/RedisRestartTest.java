package io.lockkit.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.lockkit.Capability;
import io.lockkit.Lease;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * What a restart of a Redis without persistence costs, and what it does not (L2 across restarts):
 * the held lock and the token counter are gone, yet the next token is still larger, because a
 * token is never below the server's clock in µs. Restarts only the embedded server.
 */
@DisplayName("Redis restart without persistence")
class RedisRestartTest {
    private static final Duration LEASE = Duration.ofSeconds(30);

    @Test
    @DisplayName(
            "L2: tokens keep increasing after a restart mid-hold that lost the counter; the old lease is owner-checked out (L3)")
    void l2_tokensIncreaseAfterARestartThatLostTheCounter() {
        TestRedis redis = TestRedis.get();
        assumeTrue(redis.isEmbedded(), "skipped: " + TestRedis.URL_ENV + " names a server this test must not restart");
        String prefix = TestRedis.freshPrefix();
        try (RedisBackend a = client(redis, prefix);
                RedisBackend b = client(redis, prefix)) {
            assertThat(a.capabilities()).contains(Capability.FENCING_SURVIVES_STORE_RESTART);
            assertThat(a.capabilities()).doesNotContain(Capability.DATA_SURVIVES_STORE_RESTART);
            Lease held = a.jobLock().tryAcquire("job", LEASE).orElseThrow();
            long before = held.token();

            redis.restart();

            try (Resp r = redis.admin()) {
                assertThat(r.call("EXISTS", "{" + prefix + "}:token"))
                        .as("the restart must have lost the counter, or this test shows nothing")
                        .isEqualTo(0L);
                assertThat(r.call("SCRIPT", "EXISTS", Script.ACQUIRE.sha))
                        .as("and the script cache: the next call meets NOSCRIPT")
                        .isEqualTo(java.util.List.of(0L));
            }
            // The lock went with the restart (no persistence: documented), so another client gets it...
            Lease next = b.jobLock().tryAcquire("job", LEASE).orElseThrow();
            // ...with a larger token, so the old holder's fenced writes are still rejected (V3).
            assertThat(next.token()).as("L2: the first token after the restart").isGreaterThan(before);
            assertThat(held.extend(LEASE))
                    .as("L3: the old lease cannot be extended")
                    .isFalse();
            assertThat(held.release())
                    .as("L3: the old lease's release is false")
                    .isFalse();
            assertThat(next.isValid()).isTrue();
            assertThat(next.release())
                    .as("L3: the old holder's calls left the new lease alone")
                    .isTrue();
        }
    }

    @Test
    @DisplayName("SCRIPT FLUSH between calls: the next call reloads the script and succeeds")
    void noScriptIsHandled() {
        TestRedis redis = TestRedis.get();
        assumeTrue(
                redis.isEmbedded(),
                "skipped: " + TestRedis.URL_ENV + " names a server whose script cache this test must not flush");
        String prefix = TestRedis.freshPrefix();
        try (RedisBackend a = client(redis, prefix)) {
            Lease first = a.jobLock().tryAcquire("k", LEASE).orElseThrow();
            try (Resp r = redis.admin()) {
                r.call("SCRIPT", "FLUSH");
            }
            assertThat(first.release()).isTrue();
            Lease second = a.jobLock().tryAcquire("k", LEASE).orElseThrow();
            assertThat(second.token()).isGreaterThan(first.token());
            assertThat(a.versionedUpdate().create("v", new byte[] {1})).isPresent();
            second.release();
        }
    }

    static RedisBackend client(TestRedis redis, String prefix) {
        return RedisBackend.builder(redis.newRedisson(TestRedis.newClientName()))
                .prefix(prefix)
                .shutdownClientOnClose(true)
                .build();
    }
}
