package io.lockkit.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.lockkit.Capability;
import io.lockkit.FencedOutException;
import io.lockkit.Lease;
import io.lockkit.Versioned;
import io.lockkit.testkit.redis.RedisAdmin;
import io.lockkit.testkit.redis.RedisTestServer;
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
        RedisTestServer redis = RedisTestServer.get();
        assumeTrue(
                redis.isEmbedded(),
                "skipped: " + RedisTestServer.URL_ENV + " names a server this test must not restart");
        String prefix = RedisTestServer.freshPrefix();
        try (RedisBackend a = client(redis, prefix);
                RedisBackend b = client(redis, prefix)) {
            assertThat(a.capabilities()).contains(Capability.FENCING_SURVIVES_STORE_RESTART);
            assertThat(a.capabilities()).doesNotContain(Capability.DATA_SURVIVES_STORE_RESTART);
            Lease held = a.jobLock().tryAcquire("job", LEASE).orElseThrow();
            long before = held.token();

            redis.restart();

            try (RedisAdmin r = redis.admin()) {
                assertThat(r.commands().exists("{" + prefix + "}:token"))
                        .as("the restart must have lost the counter, or this test shows nothing")
                        .isEqualTo(0L);
                assertThat(r.commands().scriptExists(Script.ACQUIRE.sha))
                        .as("and the script cache: the next call meets NOSCRIPT")
                        .isEqualTo(java.util.List.of(false));
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
    @DisplayName("V2: after a restart that lost every key, a key's next version is above every version it had before")
    void v2_versionsNeverRepeatAfterARestart() {
        RedisTestServer redis = RedisTestServer.get();
        assumeTrue(
                redis.isEmbedded(),
                "skipped: " + RedisTestServer.URL_ENV + " names a server this test must not restart");
        String prefix = RedisTestServer.freshPrefix();
        try (RedisBackend a = client(redis, prefix);
                RedisBackend b = client(redis, prefix)) {
            Versioned v1 = a.versionedUpdate().create("v", bytes("a1")).orElseThrow();
            Versioned v2 = a.versionedUpdate()
                    .compareAndSet("v", v1.version(), bytes("a2"))
                    .orElseThrow();
            Versioned gone = a.versionedUpdate().create("gone", bytes("g")).orElseThrow();
            assertThat(a.versionedUpdate().delete("gone", gone.version())).isTrue();

            restartLosingEverything(redis, prefix);

            Versioned fresh = b.versionedUpdate().create("v", bytes("b1")).orElseThrow();
            assertThat(fresh.version())
                    .as("V2: the first version after the restart is above the last one before it")
                    .isGreaterThan(v2.version());
            Versioned next = b.versionedUpdate()
                    .compareAndSet("v", fresh.version(), bytes("b2"))
                    .orElseThrow();
            assertThat(a.versionedUpdate().compareAndSet("v", v2.version(), bytes("stale a3")))
                    .as("V1/V2: a compare-and-set with a pre-restart version matches no post-restart version")
                    .isEmpty();
            assertThat(a.versionedUpdate().compareAndSet("v", v1.version(), bytes("stale a3")))
                    .isEmpty();
            assertThat(b.versionedUpdate().read("v")).contains(next);
            Versioned back = b.versionedUpdate().create("gone", bytes("g2")).orElseThrow();
            assertThat(back.version())
                    .as("V2: also for a key deleted before the restart (its tombstone was lost)")
                    .isGreaterThan(gone.version());
        }
    }

    @Test
    @DisplayName("V3: after a restart that lost every fence, a pre-restart token is fenced out of every key")
    void v3_preRestartTokensAreFencedOutAfterARestart() {
        RedisTestServer redis = RedisTestServer.get();
        assumeTrue(
                redis.isEmbedded(),
                "skipped: " + RedisTestServer.URL_ENV + " names a server this test must not restart");
        String prefix = RedisTestServer.freshPrefix();
        try (RedisBackend a = client(redis, prefix);
                RedisBackend b = client(redis, prefix)) {
            Lease zombie = a.jobLock().tryAcquire("job", LEASE).orElseThrow();
            long old = zombie.token();
            Versioned before =
                    a.versionedUpdate().create("data", bytes("a"), old).orElseThrow();

            restartLosingEverything(redis, prefix);

            // Before anyone acquires again: the zombie's first write after the restart.
            assertThatThrownBy(() -> a.versionedUpdate().create("data", bytes("zombie"), old))
                    .as("V3: a create fenced with a pre-restart token")
                    .isInstanceOf(FencedOutException.class);
            assertThatThrownBy(() -> a.versionedUpdate().create("never-written", bytes("zombie"), old))
                    .as("V3: also on a key nobody wrote")
                    .isInstanceOf(FencedOutException.class);
            assertThat(b.versionedUpdate().read("data")).isEmpty();

            Lease holder = b.jobLock().tryAcquire("job", LEASE).orElseThrow();
            assertThat(holder.token()).isGreaterThan(old);
            Versioned mine = b.versionedUpdate().create("data", bytes("b")).orElseThrow(); // unfenced
            assertThatThrownBy(() -> a.versionedUpdate().compareAndSet("data", mine.version(), bytes("zombie"), old))
                    .as("V3: a compare-and-set fenced with a pre-restart token, even with the current version")
                    .isInstanceOf(FencedOutException.class)
                    .satisfies(e -> assertThat(((FencedOutException) e).highestToken())
                            .as("the store epoch it was refused by")
                            .isGreaterThan(old));
            assertThatThrownBy(() -> a.versionedUpdate().compareAndSet("data", before.version(), bytes("zombie"), old))
                    .isInstanceOf(FencedOutException.class);
            assertThatThrownBy(() -> a.versionedUpdate().delete("data", mine.version(), old))
                    .as("V3: a delete fenced with a pre-restart token, even with the current version")
                    .isInstanceOf(FencedOutException.class);
            assertThat(b.versionedUpdate().read("data")).contains(mine);
            Versioned fenced = b.versionedUpdate()
                    .compareAndSet("data", mine.version(), bytes("b2"), holder.token())
                    .orElseThrow();
            assertThat(b.versionedUpdate().create("other", bytes("o"), holder.token()))
                    .as("a post-restart token writes as before")
                    .isPresent();
            assertThat(b.versionedUpdate().read("data")).contains(fenced);
            assertThat(holder.release()).isTrue();
        }
    }

    /** Restarts the embedded server and checks that it lost lockkit's keys, or the test shows nothing. */
    private static void restartLosingEverything(RedisTestServer redis, String prefix) {
        redis.restart();
        try (RedisAdmin r = redis.admin()) {
            assertThat(r.commands().keys("{" + prefix + "}*"))
                    .as("the restart must have lost every key")
                    .isEqualTo(java.util.List.of());
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    @Test
    @DisplayName("SCRIPT FLUSH between calls: the next call reloads the script and succeeds")
    void noScriptIsHandled() {
        RedisTestServer redis = RedisTestServer.get();
        assumeTrue(
                redis.isEmbedded(),
                "skipped: " + RedisTestServer.URL_ENV + " names a server whose script cache this test must not flush");
        String prefix = RedisTestServer.freshPrefix();
        try (RedisBackend a = client(redis, prefix)) {
            Lease first = a.jobLock().tryAcquire("k", LEASE).orElseThrow();
            try (RedisAdmin r = redis.admin()) {
                r.commands().scriptFlush();
            }
            assertThat(first.release()).isTrue();
            Lease second = a.jobLock().tryAcquire("k", LEASE).orElseThrow();
            assertThat(second.token()).isGreaterThan(first.token());
            assertThat(a.versionedUpdate().create("v", new byte[] {1})).isPresent();
            second.release();
        }
    }

    static RedisBackend client(RedisTestServer redis, String prefix) {
        return RedisBackend.builder(redis.newRedisson(RedisTestServer.newClientName()))
                .prefix(prefix)
                .shutdownClientOnClose(true)
                .build();
    }
}
