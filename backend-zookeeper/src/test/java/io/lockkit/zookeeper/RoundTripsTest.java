package io.lockkit.zookeeper;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.lockkit.Lease;
import io.lockkit.RetryPolicy;
import io.lockkit.Versioned;
import io.lockkit.tck.harness.Poll;
import io.lockkit.testkit.zookeeper.ZooKeeperProxy;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Counts the ZooKeeper requests each operation sends, on the wire: the client's {@link ZooKeeperProxy}
 * reads every frame the client sends and its op code (pings, session set-up and watch
 * re-registration left out). A {@code sync} is sent without waiting for its reply, pipelined with
 * the read after it, so it adds a request but no round trip. Parents (the key's container, the
 * values node) already exist, as they do for every key after its first use.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RoundTripsTest {
    private static final Duration LEASE = Duration.ofSeconds(30);

    private BuilderTarget target;
    private ZooKeeperBackend a;
    private ZooKeeperBackend b;
    private final Map<String, Map<String, Long>> table = new LinkedHashMap<>();

    @BeforeAll
    void start() {
        target = new BuilderTarget();
        a = target.newClient();
        b = target.newClient();
    }

    @AfterAll
    void stop() {
        table.forEach((op, requests) -> System.out.printf(
                "[round trips] %-46s %d requests %s%n",
                op, requests.values().stream().mapToLong(Long::longValue).sum(), requests));
        target.close();
    }

    private <T> T count(ZooKeeperBackend client, String op, Supplier<T> call) {
        ZooKeeperProxy proxy = target.proxies(client).get(0);
        proxy.resetCounts();
        T result = call.get();
        table.put(op, proxy.requests());
        return result;
    }

    private long total(String op) {
        return table.get(op).values().stream().mapToLong(Long::longValue).sum();
    }

    @Test
    @DisplayName("acquire, extend, release and a lost race")
    void lock() throws Exception {
        String key = "rt-" + UUID.randomUUID();
        a.jobLock().tryAcquire(key, LEASE).orElseThrow().release(); // creates the key's container

        Lease held = count(a, "tryAcquire, free key", () -> a.jobLock().tryAcquire(key, LEASE))
                .orElseThrow();
        Optional<Lease> lost =
                count(b, "tryAcquire, held key (lost race)", () -> b.jobLock().tryAcquire(key, LEASE));
        assertThat(lost).isEmpty();
        count(a, "extend", () -> held.extend(LEASE));
        count(a, "release", held::release);
        assertThat(total("tryAcquire, free key")).isEqualTo(2); // create2 + getChildren
        assertThat(total("tryAcquire, held key (lost race)")).isEqualTo(3); // + delete
        assertThat(total("extend")).isEqualTo(2); // sync + exists, one round trip
        assertThat(total("release")).isEqualTo(1); // delete

        Lease again = a.jobLock().tryAcquire(key, LEASE).orElseThrow();
        ZooKeeperProxy waiterProxy = target.proxies(b).get(0);
        waiterProxy.resetCounts();
        CompletableFuture<Optional<Lease>> waiting = CompletableFuture.supplyAsync(() -> {
            try {
                return b.jobLock().acquire(key, LEASE, Duration.ofSeconds(30));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        Poll.until(Duration.ofSeconds(10), () -> waiterProxy.requests().containsKey("getData"));
        again.release();
        Lease got = waiting.get(30, TimeUnit.SECONDS).orElseThrow();
        table.put("acquire, waiting for one release", waiterProxy.requests());
        assertThat(total("acquire, waiting for one release"))
                .isEqualTo(5); // create2, getChildren, getData+watch, getChildren, setData (L2: token at grant)
        got.release();
    }

    @Test
    @DisplayName("read, create, compare-and-set, fenced compare-and-set, an updater step, delete, fenced create")
    void versioned() {
        String key = "rt-" + UUID.randomUUID();
        a.versionedUpdate().create("rt-parent-" + UUID.randomUUID(), new byte[0]); // the values node exists

        Versioned v1 = count(a, "create, fresh key", () -> a.versionedUpdate().create(key, bytes("1")))
                .orElseThrow();
        count(a, "read", () -> a.versionedUpdate().read(key));
        Versioned v2 = count(a, "compareAndSet", () -> a.versionedUpdate().compareAndSet(key, v1.version(), bytes("2")))
                .orElseThrow();
        Versioned v3 = count(a, "compareAndSet, fenced", () -> a.versionedUpdate()
                        .compareAndSet(key, v2.version(), bytes("3"), 7))
                .orElseThrow();
        count(a, "compareAndSet, stale version (conflict)", () -> a.versionedUpdate()
                .compareAndSet(key, v1.version(), bytes("x")));
        count(a, "updater step (read + compareAndSet)", () -> a.versionedUpdate()
                .updater(RetryPolicy.ofDefaults())
                .update(key, current -> Optional.of(bytes("4"))));
        Versioned v4 = a.versionedUpdate().read(key).orElseThrow();
        count(a, "delete", () -> a.versionedUpdate().delete(key, v4.version()));
        count(a, "create, deleted key (tombstone)", () -> a.versionedUpdate().create(key, bytes("5")));
        assertThat(v3.version()).isGreaterThan(v2.version());
        Versioned v5 = a.versionedUpdate().read(key).orElseThrow();
        a.versionedUpdate().delete(key, v5.version());
        count(a, "create, fenced, deleted key (tombstone)", () -> a.versionedUpdate()
                .create(key, bytes("6"), 8));
        count(a, "create, fenced, fresh key", () -> a.versionedUpdate()
                .create("rt-" + UUID.randomUUID(), bytes("1"), 8));

        assertThat(total("create, fresh key")).isEqualTo(1); // create2
        assertThat(total("read")).isEqualTo(2); // sync + getData, pipelined: one round trip (V1 on an ensemble)
        assertThat(total("compareAndSet")).isEqualTo(2); // getData + setData
        assertThat(total("compareAndSet, fenced")).isEqualTo(2);
        assertThat(total("compareAndSet, stale version (conflict)")).isEqualTo(3); // getData, sync + getData
        assertThat(total("updater step (read + compareAndSet)")).isEqualTo(4); // sync + getData, getData + setData
        assertThat(total("delete")).isEqualTo(2); // getData + setData (tombstone)
        assertThat(total("create, deleted key (tombstone)")).isEqualTo(4); // create2, sync + getData, setData
        assertThat(total("create, fenced, deleted key (tombstone)")).isEqualTo(4); // as unfenced
        assertThat(total("create, fenced, fresh key")).isEqualTo(1); // create2
    }

    private static byte[] bytes(String s) {
        return s.getBytes(UTF_8);
    }
}
