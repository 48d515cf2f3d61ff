package io.lockkit.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockkit.Lease;
import io.lockkit.Versioned;
import io.lockkit.tck.harness.TcpProxy;
import io.lockkit.testkit.redis.RedisTestServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Round trips per operation, counted on the wire by a {@link TcpProxy} in front of the client (a
 * request the client sends after the server spoke last; what a script runs stays on the server), and acquire handoff latency with and without
 * the release message. Prints the figures and writes them to {@code target/redis-measurements.txt}.
 */
@DisplayName("Redis measurements")
class RedisMeasurementsTest {
    private static final List<String> REPORT = Collections.synchronizedList(new ArrayList<>());
    private final RedisTestServer redis = RedisTestServer.get();

    @Test
    @DisplayName("acquire, release, extend and compare-and-set are one round trip each")
    void roundTrips() throws Exception {
        String prefix = RedisTestServer.freshPrefix();
        try (TcpProxy proxy = new TcpProxy(redis.host(), redis.port());
                RedisBackend c = RedisBackend.builder(RedisTestServer.newRedisson(
                                RedisTestServer.newClientName(), "redis://" + proxy.address(), 3000))
                        .prefix(prefix)
                        .shutdownClientOnClose(true)
                        .build()) {
            // Warm up: scripts cached, connections open, so that only steady-state traffic is counted.
            Lease warm = c.jobLock().tryAcquire("warm", Duration.ofSeconds(5)).orElseThrow();
            warm.release();
            Versioned w = c.versionedUpdate().create("warm", bytes("x")).orElseThrow();
            w = c.versionedUpdate()
                    .compareAndSet("warm", w.version(), bytes("y"), warm.token())
                    .orElseThrow();
            c.versionedUpdate().read("warm");
            c.versionedUpdate().delete("warm", w.version());
            c.jobLock().tryAcquire("warm", Duration.ofSeconds(5)).orElseThrow().extend(Duration.ofSeconds(5));

            AtomicReference<Lease> lease = new AtomicReference<>();
            AtomicReference<Versioned> value = new AtomicReference<>();
            count(
                    proxy,
                    "tryAcquire (free)",
                    1,
                    () -> lease.set(
                            c.jobLock().tryAcquire("job", Duration.ofSeconds(5)).orElseThrow()));
            count(proxy, "tryAcquire (held)", 1, () -> c.jobLock().tryAcquire("job", Duration.ofSeconds(5)));
            count(proxy, "extend", 1, () -> lease.get().extend(Duration.ofSeconds(5)));
            count(proxy, "release", 1, () -> lease.get().release());
            count(
                    proxy,
                    "create",
                    1,
                    () -> value.set(c.versionedUpdate().create("v", bytes("1")).orElseThrow()));
            count(proxy, "read", 1, () -> c.versionedUpdate().read("v"));
            count(
                    proxy,
                    "compareAndSet",
                    1,
                    () -> value.set(c.versionedUpdate()
                            .compareAndSet("v", value.get().version(), bytes("2"))
                            .orElseThrow()));
            count(
                    proxy,
                    "compareAndSet (fenced)",
                    1,
                    () -> value.set(c.versionedUpdate()
                            .compareAndSet(
                                    "v",
                                    value.get().version(),
                                    bytes("3"),
                                    lease.get().token())
                            .orElseThrow()));
            count(proxy, "delete", 1, () -> c.versionedUpdate()
                    .delete("v", value.get().version()));
            count(
                    proxy,
                    "create (over a tombstone)",
                    1,
                    () -> value.set(c.versionedUpdate().create("v", bytes("4")).orElseThrow()));
            count(proxy, "delete (fenced)", 1, () -> c.versionedUpdate()
                    .delete("v", value.get().version(), lease.get().token()));
        }
    }

    @Test
    @DisplayName("L7: handoff after release is prompt with the release message, and bounded by the PTTL without it")
    void handoffLatency() throws Exception {
        String prefix = RedisTestServer.freshPrefix();
        try (RedisBackend holder = RedisRestartTest.client(redis, prefix);
                RedisBackend notified = RedisRestartTest.client(redis, prefix);
                RedisBackend polling = RedisBackend.builder(redis.newRedisson(RedisTestServer.newClientName()))
                        .prefix(prefix)
                        .releaseNotification(false)
                        .shutdownClientOnClose(true)
                        .build()) {
            List<Long> withMessage = handoffs(holder, notified, 30, Duration.ofSeconds(5));
            List<Long> withoutMessage = handoffs(holder, polling, 5, Duration.ofSeconds(1));
            report("handoff with the release message (µs, 30 runs, 5 s lease): " + summary(withMessage));
            report("handoff without it, waiter bounded by the holder's PTTL (µs, 5 runs, 1 s lease): "
                    + summary(withoutMessage));
            assertThat(median(withMessage))
                    .as("woken by the message, not by the PTTL")
                    .isLessThan(500_000L);
            assertThat(median(withoutMessage))
                    .as("the PTTL fallback wakes within the lease")
                    .isLessThan(1_500_000L);
        }
    }

    /** {@code runs} handoffs of one key from {@code holder} to a waiter on {@code waiter}: release → acquire returns, in µs. */
    private static List<Long> handoffs(RedisBackend holder, RedisBackend waiter, int runs, Duration lease)
            throws InterruptedException {
        List<Long> micros = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            String key = "handoff-" + i;
            Lease held = holder.jobLock().tryAcquire(key, lease).orElseThrow();
            AtomicLong acquiredAt = new AtomicLong();
            AtomicReference<Optional<Lease>> got = new AtomicReference<>();
            Thread t = new Thread(() -> {
                try {
                    got.set(waiter.jobLock().acquire(key, lease, Duration.ofSeconds(10)));
                    acquiredAt.set(System.nanoTime());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            t.start();
            awaitParkedInWait(t);
            long releasedAt = System.nanoTime();
            held.release();
            t.join(15_000);
            got.get().orElseThrow().release();
            micros.add((acquiredAt.get() - releasedAt) / 1000);
        }
        return micros;
    }

    /** Polls until the waiter thread sleeps in {@link ReleaseSignals.Waiter#await}, i.e. has seen the key held. */
    private static void awaitParkedInWait(Thread t) {
        long until = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() - until < 0) {
            for (StackTraceElement e : t.getStackTrace()) {
                if (e.getClassName().endsWith("ReleaseSignals$Waiter")
                        && e.getMethodName().equals("await")) {
                    return;
                }
            }
            Thread.onSpinWait();
        }
        throw new AssertionError("the waiter never started waiting");
    }

    private static void count(TcpProxy proxy, String what, int expected, Runnable op) {
        long before = proxy.roundTrips();
        op.run();
        long sent = proxy.roundTrips() - before;
        report("round trips for " + what + ": " + sent);
        assertThat(sent).as("round trips for " + what).isEqualTo(expected);
    }

    private static String summary(List<Long> micros) {
        List<Long> s = new ArrayList<>(micros);
        Collections.sort(s);
        return "median " + median(s) + ", p90 " + s.get((int) Math.floor(0.9 * (s.size() - 1))) + ", max "
                + s.get(s.size() - 1) + ", min " + s.get(0);
    }

    private static long median(List<Long> micros) {
        List<Long> s = new ArrayList<>(micros);
        Collections.sort(s);
        return s.get(s.size() / 2);
    }

    private static void report(String line) {
        System.out.println("[measure] " + line);
        REPORT.add(line);
    }

    @AfterAll
    static void write() {
        try {
            Files.write(Path.of("target", "redis-measurements.txt"), REPORT, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
