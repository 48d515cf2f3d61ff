package io.lockkit.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.lettuce.core.RedisFuture;
import io.lockkit.BackendUnavailableException;
import io.lockkit.Lease;
import io.lockkit.OutcomeUnknownException;
import io.lockkit.Versioned;
import io.lockkit.tck.harness.TcpProxy;
import io.lockkit.testkit.redis.RedisAdmin;
import io.lockkit.testkit.redis.RedisTestServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import redis.embedded.RedisServer;

/**
 * Lost replies (V4), server checks at build time, and the bounded failure of an unreachable store
 * (E2), on the embedded server (these tests pause or reconfigure it).
 */
@DisplayName("Redis failures")
class RedisFailureTest {
    private final RedisTestServer redis = RedisTestServer.get();

    @AfterEach
    void restoreServer() {
        if (redis.isEmbedded()) {
            try (RedisAdmin r = redis.admin()) {
                r.commands().configSet("maxmemory-policy", "noeviction");
            }
        }
    }

    /** A client of its own on a fresh prefix whose calls give up after 300 ms: a sleeping server outlasts them. */
    private RedisBackend shortTimeoutClient(String prefix) {
        return RedisBackend.builder(redis.newRedisson(RedisTestServer.newClientName()))
                .prefix(prefix)
                .timeout(Duration.ofMillis(300))
                .shutdownClientOnClose(true)
                .build();
    }

    @Test
    @DisplayName("V4: a compare-and-set whose reply is lost is OutcomeUnknown, and reaches the server exactly once")
    void v4_lostReplyIsOutcomeUnknownAndAppliedOnce() throws Exception {
        assumeTrue(
                redis.isEmbedded(),
                "skipped: puts to sleep the server, which " + RedisTestServer.URL_ENV + " may share");
        String prefix = RedisTestServer.freshPrefix();
        try (RedisBackend c = shortTimeoutClient(prefix);
                RedisAdmin admin = redis.admin()) {
            Versioned v0 = c.versionedUpdate().create("counter", bytes("0")).orElseThrow();
            // Once first, so that the script is cached: a NOSCRIPT reply would mean nothing ran.
            Versioned v1 = c.versionedUpdate()
                    .compareAndSet("counter", v0.version(), bytes("1"))
                    .orElseThrow();
            c.versionedUpdate().read("counter").orElseThrow(); // cached too
            admin.commands().configResetstat();
            // The server sleeps for 1 s: the CAS waits in its socket past the client's 300 ms timeout,
            // and runs when the server wakes, as a request whose reply was lost does.
            RedisFuture<String> awake = admin.sleepServer(1);
            assertThatThrownBy(() -> c.versionedUpdate().compareAndSet("counter", v1.version(), bytes("2")))
                    .isInstanceOf(OutcomeUnknownException.class);
            awake.get(); // the server is awake
            java.util.concurrent.atomic.AtomicInteger reads = new java.util.concurrent.atomic.AtomicInteger();
            Versioned after = Poll.forValue(Duration.ofSeconds(5), () -> {
                reads.incrementAndGet();
                return c.versionedUpdate().read("counter").filter(v -> v.version() > v1.version());
            });
            assertThat(after.valueAsString()).isEqualTo("2");
            assertThat(evalshaCalls(admin))
                    .as("the CAS and the reads, each sent once: Redisson did not re-send the CAS")
                    .isEqualTo(1 + reads.get());
        }
    }

    @Test
    @DisplayName("E2: a server out of memory makes calls unavailable, not rejected, and nothing is written")
    void e2_aServerOutOfMemoryIsUnavailableAndWritesNothing() {
        assumeTrue(
                redis.isEmbedded(),
                "skipped: sets maxmemory on the server, which " + RedisTestServer.URL_ENV + " may share");
        String prefix = RedisTestServer.freshPrefix();
        try (RedisBackend c = shortTimeoutClient(prefix);
                RedisAdmin admin = redis.admin()) {
            c.jobLock()
                    .tryAcquire("warm-up", Duration.ofSeconds(30))
                    .orElseThrow()
                    .release(); // scripts cached
            c.versionedUpdate().read("warm-up");
            // Redis 6 (the embedded server) refuses the script's first write from inside it, Redis 7 the
            // script before it runs: either way nothing ran, and the call waits out its timeout.
            admin.commands().configSet("maxmemory", "1");
            try {
                assertThatThrownBy(() -> c.jobLock().tryAcquire("k", Duration.ofSeconds(30)))
                        .isInstanceOf(BackendUnavailableException.class);
                assertThatThrownBy(() -> c.versionedUpdate().create("v", bytes("1")))
                        .isInstanceOf(BackendUnavailableException.class);
            } finally {
                admin.commands().configSet("maxmemory", "0");
            }
            Lease lease = c.jobLock()
                    .tryAcquire("k", Duration.ofSeconds(30))
                    .orElseThrow(() -> new AssertionError("the refused acquire left the key held"));
            assertThat(lease.release()).isTrue();
            assertThat(c.versionedUpdate().read("v")).as("the refused create").isEmpty();
        }
    }

    /**
     * E2 on a read-only replica (what a client meets when a failover demoted its primary): Redis 6
     * runs the script and refuses its first write from inside it, with an error that wraps
     * {@code -READONLY}; nothing was written, so the call is unavailable, never a rejection.
     */
    @Test
    @DisplayName("E2: a read-only replica makes calls unavailable, not rejected, and nothing is written")
    void e2_aReadOnlyReplicaIsUnavailable() throws Exception {
        assumeTrue(redis.isEmbedded(), "skipped: starts an embedded replica of the embedded server");
        int port = RedisTestServer.freePort();
        RedisServer replica = RedisServer.newRedisServer()
                .port(port)
                .bind("127.0.0.1")
                .setting("save \"\"")
                .setting("appendonly no")
                .setting("replicaof " + redis.host() + " " + redis.port())
                .build();
        replica.start();
        try (RedisAdmin replicaAdmin = new RedisAdmin("redis://127.0.0.1:" + port)) {
            Poll.forValue(Duration.ofSeconds(20), () -> java.util.Optional.of(
                            replicaAdmin.commands().info("replication"))
                    .filter(info -> info.contains("master_link_status:up")));
            try (RedisBackend c = RedisBackend.builder(RedisTestServer.newRedisson(
                            RedisTestServer.newClientName(), "redis://127.0.0.1:" + port, 3000))
                    .prefix(RedisTestServer.freshPrefix())
                    .timeout(Duration.ofSeconds(1))
                    .shutdownClientOnClose(true)
                    .build()) {
                assertThatThrownBy(() -> c.jobLock().tryAcquire("k", Duration.ofSeconds(30)))
                        .isInstanceOf(BackendUnavailableException.class);
                assertThatThrownBy(() -> c.versionedUpdate().create("v", bytes("1")))
                        .isInstanceOf(BackendUnavailableException.class);
            }
        } finally {
            replica.stop();
        }
    }

    @Test
    @DisplayName(
            "L7: a release published while the waiter's subscription was down still wakes it, when Redisson subscribes again")
    void l7_aReleaseMissedWhileTheSubscriptionWasDownWakesTheWaiter() throws Exception {
        String prefix = RedisTestServer.freshPrefix();
        String waiterName = RedisTestServer.newClientName();
        try (RedisBackend holder = RedisBackend.builder(redis.newRedisson(RedisTestServer.newClientName()))
                        .prefix(prefix)
                        .shutdownClientOnClose(true)
                        .build();
                RedisBackend waiting = RedisBackend.builder(redis.newRedisson(waiterName))
                        .prefix(prefix)
                        .shutdownClientOnClose(true)
                        .build();
                RedisAdmin admin = redis.admin()) {
            Lease held =
                    holder.jobLock().tryAcquire("k", Duration.ofSeconds(60)).orElseThrow();
            java.util.concurrent.CompletableFuture<java.util.Optional<Lease>> waiter =
                    java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                        try {
                            return waiting.jobLock().acquire("k", Duration.ofSeconds(30), Duration.ofSeconds(60));
                        } catch (InterruptedException e) {
                            throw new IllegalStateException(e);
                        }
                    });
            long pubSub = Poll.forValue(Duration.ofSeconds(10), () -> pubSubConnection(admin, waiterName));
            Thread.sleep(200); // the waiter has seen the key held and sleeps until a release message
            assertThat(admin.commands().clientKill(io.lettuce.core.KillArgs.Builder.id(pubSub)))
                    .as("the waiter's subscription connection, killed")
                    .isEqualTo(1);
            assertThat(held.release()).isTrue(); // published while nobody of the waiter's client listens
            Lease next = waiter.get(10, java.util.concurrent.TimeUnit.SECONDS)
                    .orElseThrow(() -> new AssertionError("the waiter ended empty"));
            assertThat(next.release()).isTrue();
        }
    }

    /**
     * L8 and E2: an acquire waits for its client's subscription to release messages on its own,
     * reacting to interrupts, not inside a lock that would queue every other waiter behind it. Here
     * the replies from the server are lost (a proxy drops them), so the subscription is never
     * confirmed.
     */
    @Test
    @DisplayName(
            "L8: an acquire waiting for its client's subscription, which the server never confirms, ends at once when interrupted")
    void l8_anAcquireWaitingForTheSubscriptionIsInterruptible() throws Exception {
        String prefix = RedisTestServer.freshPrefix();
        try (TcpProxy proxy = new TcpProxy(redis.host(), redis.port());
                RedisBackend c = RedisBackend.builder(RedisTestServer.newRedisson(
                                RedisTestServer.newClientName(), "redis://" + proxy.address(), 15_000))
                        .prefix(prefix)
                        .timeout(Duration.ofSeconds(20))
                        .shutdownClientOnClose(true)
                        .build()) {
            proxy.loseReplies(true);
            java.util.concurrent.atomic.AtomicReference<Thread> acquirer =
                    new java.util.concurrent.atomic.AtomicReference<>();
            java.util.concurrent.CompletableFuture<java.util.Optional<Lease>> acquire =
                    java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                        acquirer.set(Thread.currentThread());
                        try {
                            return c.jobLock().acquire("k", Duration.ofSeconds(30), Duration.ofSeconds(30));
                        } catch (InterruptedException e) {
                            throw new java.util.concurrent.CompletionException(e);
                        }
                    });
            Poll.forValue(Duration.ofSeconds(10), () -> java.util.Optional.ofNullable(acquirer.get())
                    .filter(t -> t.getState() != Thread.State.RUNNABLE
                            && java.util.Arrays.stream(t.getStackTrace())
                                    .anyMatch(f -> f.getClassName().equals(RedisBackend.class.getName()))));
            long interrupted = System.nanoTime();
            acquirer.get().interrupt();
            assertThatThrownBy(() -> acquire.get(5, java.util.concurrent.TimeUnit.SECONDS))
                    .as("the interrupted acquire")
                    .hasCauseInstanceOf(InterruptedException.class);
            assertThat(Duration.ofNanos(System.nanoTime() - interrupted))
                    .as("time from the interrupt to the acquire's end")
                    .isLessThan(Duration.ofSeconds(2));
            proxy.loseReplies(false);
        }
    }

    /**
     * No credential in any message, also on the builder path, where the application's own Redisson
     * client carries the password in its address: a call that cannot reach the server (the proxy
     * in front of it refuses connections) fails without showing it, in the message or any cause's.
     */
    @Test
    @DisplayName(
            "E2: an unreachable server on the builder path shows no credential of the application's Redisson address")
    void e2_noCredentialInMessagesOfTheBuilderPath() throws Exception {
        assumeTrue(redis.isEmbedded(), "skipped: starts an embedded server with a password");
        String secret = "s3cr/et#pw";
        int port = RedisTestServer.freePort();
        RedisServer guarded = RedisServer.newRedisServer()
                .port(port)
                .bind("127.0.0.1")
                .setting("save \"\"")
                .setting("appendonly no")
                .setting("requirepass " + secret)
                .build();
        guarded.start();
        try (TcpProxy proxy = new TcpProxy("127.0.0.1", port)) {
            org.redisson.config.Config config = new org.redisson.config.Config();
            config.useSingleServer()
                    .setAddress("redis://:" + java.net.URLEncoder.encode(secret, StandardCharsets.UTF_8) + "@"
                            + proxy.address())
                    .setConnectTimeout(500)
                    .setTimeout(500)
                    .setRetryAttempts(0);
            try (RedisBackend c = RedisBackend.builder(org.redisson.Redisson.create(config))
                    .prefix(RedisTestServer.freshPrefix())
                    .timeout(Duration.ofSeconds(1))
                    .shutdownClientOnClose(true)
                    .build()) {
                c.jobLock()
                        .tryAcquire("warm-up", Duration.ofSeconds(30))
                        .orElseThrow()
                        .release();
                proxy.partition(true);
                for (Runnable call : List.<Runnable>of(
                        () -> c.jobLock().tryAcquire("k", Duration.ofSeconds(30)),
                        () -> c.versionedUpdate().create("v", bytes("1")),
                        () -> c.versionedUpdate().read("v"))) {
                    Throwable e = org.assertj.core.api.Assertions.catchThrowable(call::run);
                    assertThat(e).isInstanceOf(BackendUnavailableException.class);
                    for (Throwable t = e; t != null; t = t.getCause()) {
                        assertThat(String.valueOf(t.getMessage()))
                                .as("a message of the chain")
                                .doesNotContain("s3cr")
                                .doesNotContain("#pw");
                    }
                }
            }
        } finally {
            guarded.stop();
        }
    }

    /** The id of the subscribed connection of the client named {@code name}, if it has one yet. */
    private static java.util.Optional<Long> pubSubConnection(RedisAdmin admin, String name) {
        for (String line : admin.commands().clientList().split("\n")) {
            if (line.contains(" name=" + name + " ") && !line.contains(" sub=0 ")) {
                return java.util.Optional.of(Long.parseLong(line.substring(3, line.indexOf(' '))));
            }
        }
        return java.util.Optional.empty();
    }

    @Test
    @DisplayName("E2: an acquire whose reply is lost reports no lease, and the lock it may have taken is freed")
    void e2_lostAcquireReplyIsUnavailableAndCleanedUp() throws Exception {
        assumeTrue(
                redis.isEmbedded(),
                "skipped: puts to sleep the server, which " + RedisTestServer.URL_ENV + " may share");
        String prefix = RedisTestServer.freshPrefix();
        try (RedisBackend c = shortTimeoutClient(prefix);
                RedisAdmin admin = redis.admin()) {
            c.jobLock()
                    .tryAcquire("warm-up", Duration.ofSeconds(5))
                    .orElseThrow()
                    .release(); // scripts cached
            RedisFuture<String> awake = admin.sleepServer(1);
            assertThatThrownBy(() -> c.jobLock().tryAcquire("job", Duration.ofMinutes(5)))
                    .isInstanceOf(BackendUnavailableException.class);
            awake.get(); // the server is awake
            // Not 5 minutes: the owner-checked clean-up freed whatever the lost acquire took.
            Lease next =
                    Poll.forValue(Duration.ofSeconds(10), () -> c.jobLock().tryAcquire("job", Duration.ofSeconds(5)));
            assertThat(next.release()).isTrue();
        }
    }

    @Test
    @DisplayName("an evicting maxmemory-policy is refused by default, and only warned about when asked")
    void evictingPolicyIsRefused() {
        assumeTrue(
                redis.isEmbedded(),
                "skipped: reconfigures the server, which " + RedisTestServer.URL_ENV + " may share");
        try (RedisAdmin admin = redis.admin()) {
            admin.commands().configSet("maxmemory-policy", "volatile-lru");
        }
        var redisson = redis.newRedisson(RedisTestServer.newClientName());
        try {
            assertThatThrownBy(() -> RedisBackend.builder(redisson).build())
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("volatile-lru");
            try (RedisBackend warned = RedisBackend.builder(redisson)
                    .evictionPolicyCheck(RedisBackend.EvictionPolicyCheck.WARN)
                    .build()) {
                assertThat(warned.jobLock().tryAcquire(RedisTestServer.freshPrefix(), Duration.ofSeconds(1)))
                        .isPresent();
            }
        } finally {
            redisson.shutdown();
        }
    }

    @Test
    @DisplayName("persistent(true) is refused when the server has AOF off")
    void persistentIsChecked() {
        var redisson = redis.newRedisson(RedisTestServer.newClientName());
        try {
            boolean aof = RedisBackend.infoField(redisInfo("persistence"), "aof_enabled")
                    .equals("1");
            assumeTrue(!aof, "skipped: this server has AOF on");
            assertThatThrownBy(() ->
                            RedisBackend.builder(redisson).persistent(true).build())
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("aof_enabled:0");
        } finally {
            redisson.shutdown();
        }
    }

    @Test
    @DisplayName("E2: build() on an unreachable address fails with BackendUnavailable within the timeout")
    void e2_buildOnUnreachableFailsWithinTimeout() {
        var config = new org.redisson.config.Config();
        // Lazy: Redisson connects inside the first call, bounded by its own connectTimeout and
        // retries, not by lockkit's timeout; so they are short here, as in the provider's client.
        config.setLazyInitialization(true);
        config.useSingleServer()
                .setAddress("redis://127.0.0.1:" + RedisTestServer.freePort())
                .setConnectTimeout(200)
                .setRetryAttempts(0);
        var redisson = org.redisson.Redisson.create(config);
        try {
            long start = System.nanoTime();
            assertThatThrownBy(() -> RedisBackend.builder(redisson)
                            .timeout(Duration.ofMillis(400))
                            .build())
                    .isInstanceOf(BackendUnavailableException.class);
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            System.out.println(
                    "build() on an unreachable address failed after " + took.toMillis() + " ms (timeout 400 ms)");
            assertThat(took).isLessThan(Duration.ofSeconds(3));
        } finally {
            redisson.shutdown();
        }
    }

    private String redisInfo(String section) {
        try (RedisAdmin admin = redis.admin()) {
            return admin.commands().info(section);
        }
    }

    private static long evalshaCalls(RedisAdmin admin) {
        String stats = admin.commands().info("commandstats");
        String line = RedisBackend.infoField(stats, "cmdstat_evalsha");
        return line.isEmpty() ? 0 : Long.parseLong(line.replaceAll("^calls=(\\d+),.*", "$1"));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
