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
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Counts the ZooKeeper requests each operation sends, on the wire: the client's {@link ZooKeeperProxy}
 * reads every frame the client sends and its op code (pings, session set-up and watch
 * re-registration left out), and its {@link ZooKeeperProxy#tcp() TcpProxy} counts round trips, the
 * client's turns: requests sent before the replies to the earlier ones are back count once. A
 * {@code sync} is sent without waiting for its reply, pipelined with the read after it, so it adds a
 * request but no round trip; the lock path pipelines the same way (create2 with getChildren, and a
 * waiter's getChildren with the write that marks its grant). The lock operations run {@value
 * #RUNS} times, and the fewest round trips count: a ping, or a sender thread descheduled between two
 * pipelined requests, can only add turns. Parents (the key's container, the values node) already
 * exist, as they do for every key after its first use.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RoundTripsTest {
    private static final Duration LEASE = Duration.ofSeconds(30);
    private static final int RUNS = 5;

    private BuilderTarget target;
    private ZooKeeperBackend a;
    private ZooKeeperBackend b;
    private ZooKeeperBackend c;
    private final Map<String, Map<String, Long>> table = new LinkedHashMap<>();
    private final Map<String, Long> roundTrips = new LinkedHashMap<>();

    @BeforeAll
    void start() {
        target = new BuilderTarget();
        a = target.newClient();
        b = target.newClient();
        c = target.newClient();
    }

    @AfterAll
    void stop() {
        table.forEach((op, requests) -> System.out.printf(
                "[round trips] %-46s %d round trips, %d requests %s%n",
                op,
                roundTrips.get(op),
                requests.values().stream().mapToLong(Long::longValue).sum(),
                requests));
        target.close();
    }

    private <T> T count(ZooKeeperBackend client, String op, Supplier<T> call) {
        ZooKeeperProxy proxy = target.proxies(client).get(0);
        proxy.resetCounts();
        long before = proxy.tcp().roundTrips();
        T result = call.get();
        record(op, proxy, before);
        return result;
    }

    /** The requests {@code proxy} saw since its last reset, and its round trips since {@code before}. */
    private void record(String op, ZooKeeperProxy proxy, long before) {
        long turns = proxy.tcp().roundTrips() - before;
        Map<String, Long> requests = proxy.requests();
        Map<String, Long> earlier = table.put(op, requests);
        if (earlier != null) {
            assertThat(requests).as("%s: the same requests on every run", op).isEqualTo(earlier);
        }
        roundTrips.merge(op, turns, Math::min);
    }

    private long total(String op) {
        return table.get(op).values().stream().mapToLong(Long::longValue).sum();
    }

    @Test
    @DisplayName("acquire, extend, release and a lost race")
    void lock() throws Exception {
        String key = "rt-" + UUID.randomUUID();
        a.jobLock().tryAcquire(key, LEASE).orElseThrow().release(); // creates the key's container

        for (int run = 0; run < RUNS; run++) {
            Lease held = count(a, "tryAcquire, free key", () -> a.jobLock().tryAcquire(key, LEASE))
                    .orElseThrow();
            Optional<Lease> lost = count(
                    b, "tryAcquire, held key (lost race)", () -> b.jobLock().tryAcquire(key, LEASE));
            assertThat(lost).isEmpty();
            count(a, "extend", () -> held.extend(LEASE));
            count(a, "release", held::release);
        }
        assertThat(total("tryAcquire, free key")).isEqualTo(2); // create2 + getChildren
        assertThat(roundTrips.get("tryAcquire, free key")).isEqualTo(1); // pipelined
        assertThat(total("tryAcquire, held key (lost race)")).isEqualTo(3); // + delete
        assertThat(roundTrips.get("tryAcquire, held key (lost race)")).isEqualTo(2); // the delete needs the queue
        assertThat(total("extend")).isEqualTo(2); // sync + exists
        assertThat(roundTrips.get("extend")).isEqualTo(1);
        assertThat(total("release")).isEqualTo(1); // delete
        assertThat(roundTrips.get("release")).isEqualTo(1);

        for (int run = 0; run < RUNS; run++) {
            waitForOneRelease(key);
        }
        // create2 + getChildren; getData + watch; woken: getChildren + multi (check the node, write
        // the key's container: L2, the token at the grant)
        assertThat(table.get("acquire, waiting for one release"))
                .isEqualTo(Map.of("create2", 1L, "getChildren2", 2L, "getData", 1L, "multi", 1L));
        assertThat(roundTrips.get("acquire, waiting for one release")).isEqualTo(3);
    }

    /** b waits in acquire while a holds the key, and gets it when a releases. */
    private void waitForOneRelease(String key) throws Exception {
        Lease held = a.jobLock().tryAcquire(key, LEASE).orElseThrow();
        ZooKeeperProxy waiterProxy = target.proxies(b).get(0);
        waiterProxy.resetCounts();
        long before = waiterProxy.tcp().roundTrips();
        CompletableFuture<Optional<Lease>> waiting = acquireAsync(b, key);
        assertThat(Poll.until(
                        Duration.ofSeconds(10), () -> waiterProxy.requests().containsKey("getData")))
                .isTrue();
        held.release();
        Lease got = waiting.get(30, TimeUnit.SECONDS).orElseThrow();
        record("acquire, waiting for one release", waiterProxy, before);
        assertThat(got.token()).isGreaterThan(held.token());
        got.release();
    }

    @Test
    @DisplayName("a waiter whose predecessor gives up re-reads the queue without marking its node, then gets the key")
    void waiterBehindAWaiterThatGivesUp() throws Exception {
        String key = "rt-" + UUID.randomUUID();
        a.jobLock().tryAcquire(key, LEASE).orElseThrow().release(); // creates the key's container
        for (int run = 0; run < RUNS; run++) {
            Lease held = a.jobLock().tryAcquire(key, LEASE).orElseThrow();
            ZooKeeperProxy firstWaiter = target.proxies(c).get(0);
            firstWaiter.resetCounts();
            CompletableFuture<Throwable> gaveUp = new CompletableFuture<>();
            Thread first = new Thread(() -> {
                try {
                    gaveUp.complete(
                            new AssertionError("acquired: " + c.jobLock().acquire(key, LEASE, Duration.ofSeconds(30))));
                } catch (Throwable t) {
                    gaveUp.complete(t);
                }
            });
            first.start();
            assertThat(Poll.until(
                            Duration.ofSeconds(10), () -> firstWaiter.requests().containsKey("getData")))
                    .isTrue();

            ZooKeeperProxy secondWaiter = target.proxies(b).get(0);
            secondWaiter.resetCounts();
            long before = secondWaiter.tcp().roundTrips();
            CompletableFuture<Optional<Lease>> waiting = acquireAsync(b, key);
            assertThat(Poll.until(
                            Duration.ofSeconds(10),
                            () -> secondWaiter.requests().containsKey("getData")))
                    .isTrue();
            first.interrupt(); // L8: the first waiter deletes its node and leaves
            assertThat(gaveUp.get(30, TimeUnit.SECONDS)).isInstanceOf(InterruptedException.class);
            assertThat(Poll.until(
                            Duration.ofSeconds(10),
                            () -> secondWaiter.requests().get("getData") == 2))
                    .as("the second waiter watches the holder now: %s", secondWaiter.requests())
                    .isTrue();
            assertThat(waiting).isNotDone();
            held.release();
            Lease got = waiting.get(30, TimeUnit.SECONDS).orElseThrow();
            record("acquire, waiting behind a waiter that gives up", secondWaiter, before);
            assertThat(got.token()).isGreaterThan(held.token());
            got.release();
        }
        // create2 + getChildren; getData + watch; woken by the first waiter's delete: getChildren (no
        // grant write: the node that left was not the first), getData + watch; woken by the release:
        // getChildren + multi
        assertThat(table.get("acquire, waiting behind a waiter that gives up"))
                .isEqualTo(Map.of("create2", 1L, "getChildren2", 3L, "getData", 2L, "multi", 1L));
        assertThat(roundTrips.get("acquire, waiting behind a waiter that gives up"))
                .isEqualTo(5);
    }

    @Test
    @DisplayName("L7: one release wakes one waiter: the grant of the first waiter does not wake the one behind it")
    void oneReleaseWakesOneWaiter() throws Exception {
        String key = "rt-" + UUID.randomUUID();
        a.jobLock().tryAcquire(key, LEASE).orElseThrow().release(); // creates the key's container
        Lease held = a.jobLock().tryAcquire(key, LEASE).orElseThrow();
        ZooKeeperProxy firstProxy = target.proxies(b).get(0);
        firstProxy.resetCounts();
        CompletableFuture<Optional<Lease>> first = acquireAsync(b, key);
        assertThat(Poll.until(
                        Duration.ofSeconds(10), () -> firstProxy.requests().containsKey("getData")))
                .isTrue();
        ZooKeeperProxy secondProxy = target.proxies(c).get(0);
        secondProxy.resetCounts();
        CompletableFuture<Optional<Lease>> second = acquireAsync(c, key);
        assertThat(Poll.until(
                        Duration.ofSeconds(10), () -> secondProxy.requests().containsKey("getData")))
                .isTrue();
        Map<String, Long> queued = secondProxy.requests();

        held.release();
        Lease firstGot = first.get(30, TimeUnit.SECONDS).orElseThrow();
        // The first waiter's grant wrote a token; had it written its own node, the second waiter's
        // watch on that node would fire: it would wake, read the queue and watch again.
        assertThat(Poll.until(
                        Duration.ofSeconds(1), () -> !secondProxy.requests().equals(queued)))
                .as(
                        "L7: the second waiter sent %s after the first waiter's grant; one release must wake"
                                + " one waiter",
                        secondProxy.requests())
                .isFalse();
        assertThat(second).isNotDone();

        firstGot.release();
        Lease secondGot = second.get(30, TimeUnit.SECONDS).orElseThrow();
        assertThat(secondGot.token()).isGreaterThan(firstGot.token()).isGreaterThan(held.token());
        secondGot.release();
    }

    @Test
    @DisplayName("on the client's own event thread (a watcher, a callback) an acquire sends its requests one by one")
    void onTheEventThread() throws Exception {
        String key = "rt-" + UUID.randomUUID();
        a.jobLock().tryAcquire(key, LEASE).orElseThrow().release(); // creates the key's container
        ZooKeeper zk = target.curator(a).getZookeeperClient().getZooKeeper();
        for (int run = 0; run < RUNS; run++) {
            CompletableFuture<Lease> got = new CompletableFuture<>();
            zk.sync(
                    "/",
                    (rc, path, ctx) -> {
                        try {
                            got.complete(count(a, "tryAcquire, free key, on the event thread", () -> a.jobLock()
                                            .tryAcquire(key, LEASE))
                                    .orElseThrow());
                        } catch (Throwable t) {
                            got.completeExceptionally(t);
                        }
                    },
                    null);
            // A pipelined acquire would wait here for ever: its replies' callbacks need this very thread.
            assertThat(got.get(30, TimeUnit.SECONDS).release()).isTrue();
        }
        assertThat(table.get("tryAcquire, free key, on the event thread"))
                .isEqualTo(Map.of("create2", 1L, "getChildren2", 1L));
        assertThat(roundTrips.get("tryAcquire, free key, on the event thread")).isEqualTo(2);
    }

    @Test
    @DisplayName("an acquire still completes while the application holds the client's event thread")
    void whileTheEventThreadIsHeld() throws Exception {
        String key = "rt-held-" + UUID.randomUUID();
        ZooKeeper zk = target.curator(c).getZookeeperClient().getZooKeeper();
        java.util.concurrent.CountDownLatch held = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch free = new java.util.concurrent.CountDownLatch(1);
        zk.sync(
                "/",
                (rc, path, ctx) -> {
                    held.countDown();
                    try {
                        free.await(); // a slow watcher or callback of the application
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                },
                null);
        assertThat(held.await(30, TimeUnit.SECONDS)).isTrue();
        try {
            // The pipelined replies cannot be delivered: the acquire must still return by its
            // timeout (E2) with a lease or BackendUnavailableException, never wait for ever.
            CompletableFuture<Optional<Lease>> got =
                    CompletableFuture.supplyAsync(() -> c.jobLock().tryAcquire(key, LEASE));
            try {
                got.get(120, TimeUnit.SECONDS).orElseThrow().release();
            } catch (java.util.concurrent.ExecutionException e) {
                assertThat(e.getCause()).isInstanceOf(io.lockkit.BackendUnavailableException.class);
            }
            assertThat(free.getCount())
                    .as("the event thread was held all along")
                    .isEqualTo(1);
        } finally {
            free.countDown();
        }
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        Optional<Lease> after = Optional.empty();
        while (after.isEmpty() && System.nanoTime() - until < 0) {
            after = b.jobLock().tryAcquire(key, LEASE);
            if (after.isEmpty()) {
                Thread.sleep(100);
            }
        }
        assertThat(after)
                .as("the key is free again: no node of the failed call stays")
                .isPresent();
        assertThat(after.orElseThrow().release()).isTrue();
    }

    private static CompletableFuture<Optional<Lease>> acquireAsync(ZooKeeperBackend client, String key) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return client.jobLock().acquire(key, LEASE, Duration.ofSeconds(30));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
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
