package io.lockkit.zookeeper;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockkit.FencedOutException;
import io.lockkit.Lease;
import io.lockkit.OutcomeUnknownException;
import io.lockkit.Versioned;
import io.lockkit.VersionedUpdate;
import io.lockkit.spi.Checks;
import io.lockkit.tck.harness.Poll;
import io.lockkit.testkit.zookeeper.ZooKeeperProxy;
import io.lockkit.testkit.zookeeper.ZooKeeperTarget;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.ZooDefs.OpCode;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** What is particular to ZooKeeper, against a real server (never a mock). */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ZooKeeperBackendTest {
    private static final Duration LEASE = Duration.ofSeconds(30);

    private BuilderTarget target;
    private final List<ZooKeeperBackend> opened = new ArrayList<>();

    @BeforeAll
    void start() {
        target = new BuilderTarget();
    }

    @AfterAll
    void stop() {
        target.close();
    }

    @AfterEach
    void closeClients() {
        opened.forEach(ZooKeeperBackend::close);
        opened.clear();
    }

    private ZooKeeperBackend client() {
        ZooKeeperBackend b = target.newClient();
        opened.add(b);
        return b;
    }

    private static String key(String name) {
        return name + "-" + UUID.randomUUID();
    }

    private boolean onANewSession(ZooKeeperBackend client, long expired) {
        try {
            ZooKeeper zk = target.curator(client).getZookeeperClient().getZooKeeper();
            return zk.getSessionId() != expired && zk.getState().isConnected();
        } catch (Exception e) {
            return false; // between handles
        }
    }

    private Stat stat(ZooKeeperBackend client, String path) throws Exception {
        return target.curator(client).checkExists().forPath(path);
    }

    @Test
    @DisplayName("L2: the token is the holder node's czxid, and a later grant has a larger one")
    void l2_tokenIsTheCzxidOfTheHolderNode() throws Exception {
        ZooKeeperBackend a = client();
        String key = key("czxid");
        Lease first = a.jobLock().tryAcquire(key, LEASE).orElseThrow();
        CuratorFramework curator = target.curator(a);
        String parent = "/lockkit/locks/" + KeyCodec.encode(key);
        List<String> nodes = curator.getChildren().forPath(parent);
        assertThat(nodes).hasSize(1);
        assertThat(stat(a, parent + "/" + nodes.get(0)).getCzxid()).isEqualTo(first.token());
        assertThat(first.release()).isTrue();
        assertThat(curator.getChildren().forPath(parent))
                .as("release deletes the node")
                .isEmpty();
        Lease second = client().jobLock().tryAcquire(key, LEASE).orElseThrow();
        assertThat(second.token()).isGreaterThan(first.token());
        second.release();
    }

    @Test
    @DisplayName(
            "the lease argument is capped at the session timeout: the deadline never outlives what the server keeps")
    void leaseIsCappedAtTheNegotiatedSessionTimeout() throws Exception {
        ZooKeeperBackend a = client();
        Lease longLease =
                a.jobLock().tryAcquire(key("cap"), Duration.ofMinutes(10)).orElseThrow();
        long negotiated = target.curator(a).getZookeeperClient().getZooKeeper().getSessionTimeout();
        assertThat(negotiated).isPositive();
        assertThat(longLease.remaining()).isLessThanOrEqualTo(Duration.ofMillis(negotiated));
        assertThat(longLease.extend(Duration.ofMinutes(10))).isTrue();
        assertThat(longLease.remaining()).isLessThanOrEqualTo(Duration.ofMillis(negotiated));
        Lease shortLease =
                a.jobLock().tryAcquire(key("short"), Duration.ofMillis(700)).orElseThrow();
        assertThat(shortLease.remaining()).isLessThanOrEqualTo(Duration.ofMillis(700));
        assertThat(Poll.until(Duration.ofSeconds(5), () -> !shortLease.isValid()))
                .as("L5: false from the deadline on")
                .isTrue();
        assertThat(shortLease.extend(Duration.ofSeconds(1)))
                .as("L5: never valid again")
                .isFalse();
        longLease.release();
        shortLease.release();
    }

    @Test
    @DisplayName("done-when: after a server-side session expiry another client acquires with a larger token and"
            + " the old holder's fenced write throws FencedOutException")
    void zombieAfterServerSideSessionExpiryIsFencedOut() throws Exception {
        ZooKeeperBackend a = client();
        ZooKeeperBackend b = client();
        String lockKey = key("zombie");
        String dataKey = key("zombie-data");
        Versioned initial =
                a.versionedUpdate().create(dataKey, bytes("initial")).orElseThrow();
        Lease zombie = a.jobLock().tryAcquire(lockKey, LEASE).orElseThrow();
        Versioned zombieWrote = a.versionedUpdate()
                .compareAndSet(dataKey, initial.version(), bytes("A"), zombie.token())
                .orElseThrow();
        long expired = target.curator(a).getZookeeperClient().getZooKeeper().getSessionId();
        target.expireSession(a);

        assertThat(zombie.isValid()).as("L5: the holder was told").isFalse();
        Lease next = Poll.forValue(Duration.ofSeconds(10), () -> b.jobLock().tryAcquire(lockKey, LEASE))
                .orElseThrow();
        assertThat(next.token()).isGreaterThan(zombie.token());
        Versioned bWrote = b.versionedUpdate()
                .compareAndSet(dataKey, zombieWrote.version(), bytes("B"), next.token())
                .orElseThrow();
        // The zombie's client learns of the expiry when it reconnects (after a random pause of up to a second),
        // then opens a new session: this test is about fencing, not about how long that takes (E2 covers it).
        assertThat(Poll.until(Duration.ofSeconds(15), () -> onANewSession(a, expired)))
                .as("the zombie's client is on a new session")
                .isTrue();
        assertThatThrownBy(() ->
                        a.versionedUpdate().compareAndSet(dataKey, bWrote.version(), bytes("zombie"), zombie.token()))
                .isInstanceOf(FencedOutException.class);
        assertThat(zombie.release()).as("L3").isFalse();
        assertThat(next.isValid()).isTrue();
        assertThat(client().jobLock().tryAcquire(lockKey, LEASE))
                .as("B still holds")
                .isEmpty();
        assertThat(b.versionedUpdate().read(dataKey)).contains(bWrote);
        next.release();
    }

    @Test
    @DisplayName("L7: with 20 waiters on one key, the server's watch table shows no lock node watched by two")
    void l7_twentyWaitersWatchOnlyTheirPredecessor() throws Exception {
        String key = key("herd");
        Lease holder = client().jobLock().tryAcquire(key, LEASE).orElseThrow();
        int waiters = 20;
        List<CompletableFuture<Lease>> got = new ArrayList<>();
        for (int i = 0; i < waiters; i++) {
            ZooKeeperBackend w = client();
            got.add(CompletableFuture.supplyAsync(
                    () -> {
                        try {
                            return w.jobLock()
                                    .acquire(key, LEASE, Duration.ofSeconds(60))
                                    .orElseThrow();
                        } catch (InterruptedException e) {
                            throw new IllegalStateException(e);
                        }
                    },
                    runnable -> new Thread(runnable, "herd-waiter").start()));
        }
        String lockParent = "/lockkit/locks/" + KeyCodec.encode(key) + "/";
        assertThat(Poll.until(
                        Duration.ofSeconds(30),
                        () -> watchedLockNodes(lockParent).size() == waiters))
                .as("every waiter watches a node: %s", target.server().fourLetterWord("wchp"))
                .isTrue();
        Map<String, Integer> watched = watchedLockNodes(lockParent);
        assertThat(watched.values())
                .as(
                        "sessions per watched lock node (wchp):\n%s",
                        target.server().fourLetterWord("wchp"))
                .allMatch(n -> n == 1);

        long lastToken = holder.token();
        holder.release();
        List<CompletableFuture<Lease>> pending = new ArrayList<>(got);
        while (!pending.isEmpty()) {
            CompletableFuture.anyOf(pending.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
            List<CompletableFuture<Lease>> done =
                    pending.stream().filter(CompletableFuture::isDone).toList();
            assertThat(done).as("L1/L7: one release lets exactly one waiter in").hasSize(1);
            Lease lease = done.get(0).join();
            assertThat(lease.token()).isGreaterThan(lastToken);
            lastToken = lease.token();
            pending.remove(done.get(0));
            lease.release();
        }
    }

    /** Lock nodes under {@code parent} in the server's {@code wchp} output, with how many sessions watch each. */
    private Map<String, Integer> watchedLockNodes(String parent) {
        Map<String, Integer> watched = new HashMap<>();
        String path = null;
        for (String line : target.server().fourLetterWord("wchp").split("\n")) {
            if (line.startsWith("/")) {
                path = line.strip();
            } else if (path != null && path.startsWith(parent) && line.strip().startsWith("0x")) {
                watched.merge(path, 1, Integer::sum);
            }
        }
        return watched;
    }

    @Test
    @DisplayName("L5/L3: a killed connection loses the lease; its node is deleted on reconnection, so another acquires")
    void connectionLossLosesTheLeaseAndFreesTheKey() throws Exception {
        ZooKeeperBackend a = client();
        String key = key("suspend");
        Lease held = a.jobLock().tryAcquire(key, LEASE).orElseThrow();
        CountDownLatch lost = new CountDownLatch(1);
        held.onLost(l -> lost.countDown());
        target.killConnection(a);
        assertThat(held.isValid()).isFalse();
        assertThat(lost.await(10, TimeUnit.SECONDS)).isTrue();
        Lease next = Poll.forValue(
                        Duration.ofSeconds(10), () -> client().jobLock().tryAcquire(key, LEASE))
                .orElseThrow();
        assertThat(held.release()).as("L3: touches nothing").isFalse();
        assertThat(next.isValid()).isTrue();
        next.release();
    }

    @Test
    @DisplayName("L4/L7: a crashed holder's node goes with its session; the waiter wakes without any clean-up job")
    void crashedHolderIsFreedBySessionExpiry() throws Exception {
        ZooKeeperBackend a = client();
        String key = key("crash");
        Lease held = a.jobLock().tryAcquire(key, LEASE).orElseThrow();
        target.crash(a);
        long crashed = System.nanoTime();
        Lease next =
                client().jobLock().acquire(key, LEASE, Duration.ofSeconds(30)).orElseThrow();
        long waitedMillis = (System.nanoTime() - crashed) / 1_000_000;
        assertThat(next.token()).isGreaterThan(held.token());
        assertThat(waitedMillis)
                .as("freed by the server's session expiry, not before")
                .isGreaterThanOrEqualTo(ZooKeeperTarget.SESSION_TIMEOUT.toMillis() / 2);
        next.release();
    }

    @Test
    @DisplayName("V4: a compare-and-set whose reply was lost is recognised as the caller's own write")
    void v4_lostReplyIsRecognisedAsOwnWrite() throws Exception {
        ZooKeeperBackend a = client();
        String key = key("lost-reply");
        Versioned v1 = a.versionedUpdate().create(key, bytes("1")).orElseThrow();
        target.proxies(a).forEach(p -> p.loseReplyToNext(OpCode.setData, false));
        Versioned v2 =
                a.versionedUpdate().compareAndSet(key, v1.version(), bytes("2")).orElseThrow();
        assertThat(target.proxies(a).get(0).replyLost()).isTrue();
        assertThat(v2.version()).isGreaterThan(v1.version());
        assertThat(client().versionedUpdate().read(key)).contains(v2);
    }

    @Test
    @DisplayName("V3/V4: a fenced create whose reply was lost is the caller's own, on a fresh key and on a tombstone")
    void v3v4_fencedCreateWhoseReplyWasLostIsRecognisedAsOwnAndRecordsItsToken() throws Exception {
        ZooKeeperBackend a = client();
        String key = key("lost-fenced-create");
        a.versionedUpdate().create(key("lost-fenced-create-parent"), bytes("p")); // the values node exists
        target.proxies(a).forEach(p -> p.loseReplyToNext(OpCode.create2, false));
        Versioned v1 = a.versionedUpdate().create(key, bytes("1"), 50).orElseThrow();
        assertThat(target.proxies(a).get(0).replyLost()).isTrue();
        assertThat(client().versionedUpdate().read(key)).contains(v1);
        assertThat(a.versionedUpdate().delete(key, v1.version())).isTrue();
        assertThatThrownBy(() -> client().versionedUpdate().create(key, bytes("zombie"), 49))
                .as("the lost create's token 50 is the tombstone's fence")
                .isInstanceOf(FencedOutException.class);
        target.proxies(a).forEach(p -> p.loseReplyToNext(OpCode.setData, false));
        Versioned v2 = a.versionedUpdate().create(key, bytes("2"), 51).orElseThrow();
        assertThat(target.proxies(a).get(0).replyLost()).isTrue();
        assertThat(v2.version()).isGreaterThan(v1.version());
        assertThat(client().versionedUpdate().read(key)).contains(v2);
        assertThatThrownBy(() -> client().versionedUpdate().compareAndSet(key, v2.version(), bytes("late"), 50))
                .isInstanceOf(FencedOutException.class);
    }

    @Test
    @DisplayName("V3/V4: a fenced delete checks the fence before the version, also on a tombstone; one whose reply"
            + " was lost is recognised as the caller's own, and its tombstone keeps the higher token")
    void v3v4_fencedDelete() throws Exception {
        ZooKeeperBackend a = client();
        VersionedUpdate other = client().versionedUpdate();
        String key = key("fenced-delete");
        Versioned v1 = a.versionedUpdate().create(key, bytes("1"), 40).orElseThrow();
        assertThatThrownBy(() -> other.delete(key, v1.version() + 1, 39))
                .as("the fence first, whatever the version")
                .isInstanceOf(FencedOutException.class);
        assertThat(other.delete(key, v1.version() + 1, 40))
                .as("a version conflict")
                .isFalse();
        target.proxies(a).forEach(p -> p.loseReplyToNext(OpCode.setData, false));
        assertThat(a.versionedUpdate().delete(key, v1.version(), 60)).isTrue();
        assertThat(target.proxies(a).get(0).replyLost()).isTrue();
        assertThat(other.read(key)).isEmpty();
        assertThatThrownBy(() -> other.delete(key, v1.version(), 59))
                .as("a deleted key keeps its fence: still checked before existence")
                .isInstanceOf(FencedOutException.class);
        assertThatThrownBy(() -> other.create(key, bytes("zombie"), 59))
                .as("the tombstone keeps max(40, 60)")
                .isInstanceOf(FencedOutException.class);
        assertThat(other.delete(key, v1.version(), 60)).as("absent").isFalse();
        Versioned v2 = other.create(key, bytes("2"), 60).orElseThrow();
        assertThat(v2.version()).isGreaterThan(v1.version());
    }

    @Test
    @DisplayName("V4: a write whose reply was lost and that was overwritten meanwhile is OutcomeUnknownException")
    void v4_lostReplyThenOverwrittenIsOutcomeUnknown() throws Exception {
        ZooKeeperBackend a = client();
        ZooKeeperBackend b = client();
        String key = key("lost-unknown");
        Versioned v1 = a.versionedUpdate().create(key, bytes("1")).orElseThrow();
        ZooKeeperProxy proxy = target.proxies(a).get(0);
        proxy.loseReplyToNext(OpCode.setData, true);
        CompletableFuture<Optional<Versioned>> write =
                CompletableFuture.supplyAsync(() -> a.versionedUpdate().compareAndSet(key, v1.version(), bytes("A")));
        Versioned byA = Poll.forValue(Duration.ofSeconds(10), () -> b.versionedUpdate()
                        .read(key)
                        .filter(v -> v.valueAsString().equals("A")))
                .orElseThrow();
        b.versionedUpdate().compareAndSet(key, byA.version(), bytes("B")).orElseThrow();
        proxy.tcp().partition(false);
        assertThatThrownBy(() -> write.get(30, TimeUnit.SECONDS)).hasCauseInstanceOf(OutcomeUnknownException.class);
        assertThat(b.versionedUpdate().read(key).orElseThrow().valueAsString()).isEqualTo("B");
    }

    @Test
    @DisplayName("V2/V3: delete leaves a tombstone; versions keep increasing and the fence survives re-create")
    void v2v3_tombstoneKeepsVersionsIncreasingAndTheFence() {
        VersionedUpdate store = client().versionedUpdate();
        String key = key("tombstone");
        Versioned v1 = store.create(key, bytes("1")).orElseThrow();
        Versioned v2 = store.compareAndSet(key, v1.version(), bytes("2"), 50).orElseThrow();
        assertThat(store.delete(key, v2.version())).isTrue();
        assertThat(store.read(key)).isEmpty();
        assertThat(store.compareAndSet(key, v2.version(), bytes("x")))
                .as("gone")
                .isEmpty();
        Versioned v3 = store.create(key, bytes("3")).orElseThrow();
        assertThat(v3.version()).isGreaterThan(v2.version());
        assertThatThrownBy(() -> store.compareAndSet(key, v3.version(), bytes("late"), 49))
                .isInstanceOf(FencedOutException.class);
        assertThat(store.compareAndSet(key, v3.version(), bytes("4"), 50)).isPresent();
        Versioned v4 = store.read(key).orElseThrow();
        assertThat(store.delete(key, v4.version())).isTrue();
        assertThatThrownBy(() -> store.create(key, bytes("zombie"), 49))
                .as("a fenced create sees the tombstone's fence")
                .isInstanceOf(FencedOutException.class);
        assertThat(store.read(key)).isEmpty();
        assertThat(store.create(key, bytes("5"), 50)).isPresent();
    }

    @Test
    @DisplayName("E1: any key maps to its own safe node; values up to 512 KiB are stored whole")
    void keysOfAnyShapeAndTheLargestValue() {
        ZooKeeperBackend a = client();
        String unique = UUID.randomUUID().toString();
        List<String> keys = List.of(
                "a/b/" + unique,
                "a%2Fb/" + unique,
                "./" + unique,
                "../" + unique,
                "zookeeper" + unique,
                "ключ 🔒 " + unique,
                "dots.and spaces " + unique);
        for (String k : keys) {
            assertThat(KeyCodec.encode(k)).matches("[A-Za-z0-9_%-]+");
            a.versionedUpdate().create(k, bytes(k)).orElseThrow();
        }
        for (String k : keys) {
            assertThat(a.versionedUpdate().read(k).orElseThrow().valueAsString())
                    .isEqualTo(k);
        }
        byte[] largest = new byte[Checks.MAX_VALUE_BYTES];
        largest[largest.length - 1] = 7;
        String big = key("big");
        a.versionedUpdate().create(big, largest).orElseThrow();
        assertThat(a.versionedUpdate().read(big).orElseThrow().value()).isEqualTo(largest);
        assertThatThrownBy(() -> a.versionedUpdate().create(key("too-big"), new byte[Checks.MAX_VALUE_BYTES + 1]))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    @DisplayName("E1: keys that differ only in escaping, normalisation, dots, slashes or characters ZooKeeper refuses"
            + " stay apart for locks and for values; a key with a lone surrogate is refused and writes nothing")
    void oddKeysStayApartForLocksAndValues() throws Exception {
        String root = "/odd-" + UUID.randomUUID();
        ZooKeeperBackend a = client(root);
        ZooKeeperBackend b = client(root);
        CuratorFramework curator = target.curator(a);
        for (String bad : List.of("\uD800", "\uDC00", "a\uD800b")) {
            assertThatThrownBy(() -> a.jobLock().tryAcquire(bad, LEASE))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("index");
            assertThatThrownBy(() -> a.versionedUpdate().create(bad, bytes("x")))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> a.versionedUpdate().read(bad)).isInstanceOf(IllegalArgumentException.class);
        }
        assertThat(curator.checkExists().forPath(root)).as("nothing written").isNull();

        List<Lease> held = new ArrayList<>();
        for (String k : KeyCodecTest.ODD_KEYS) {
            held.add(a.jobLock().tryAcquire(k, LEASE).orElseThrow(() -> new AssertionError("held: " + k)));
            assertThat(a.versionedUpdate().create(k, bytes(k)))
                    .as("create %s", k)
                    .isPresent();
        }
        for (String k : KeyCodecTest.ODD_KEYS) {
            assertThat(b.jobLock().tryAcquire(k, LEASE)).as("held by a: %s", k).isEmpty();
            assertThat(b.versionedUpdate().read(k).orElseThrow().value()).isEqualTo(bytes(k));
        }
        assertThat(curator.getChildren().forPath(root + "/locks")).hasSize(KeyCodecTest.ODD_KEYS.size());
        assertThat(curator.getChildren().forPath(root + "/values")).hasSize(KeyCodecTest.ODD_KEYS.size());
        for (Lease l : held) {
            assertThat(l.release()).isTrue();
        }
    }

    @Test
    @DisplayName("a lease shorter than twice the drift margin (2 ms) is refused before any node is written")
    void leaseShorterThanTheShortestIsRefusedAndWritesNothing() throws Exception {
        String root = "/short-" + UUID.randomUUID();
        ZooKeeperBackend a = client(root);
        String key = key("short");
        assertThatThrownBy(() -> a.jobLock().tryAcquire(key, Duration.ofMillis(2)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("lease")
                .hasMessageContaining("PT0.002S");
        assertThatThrownBy(() -> a.jobLock().acquire(key, Duration.ofMillis(199), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("lease");
        assertThat(target.curator(a).checkExists().forPath(root))
                .as("nothing written")
                .isNull();
        assertThat(a.jobLock().leaseLimits().shortest()).isEqualTo(Duration.ofMillis(200));
        Lease shortest = a.jobLock().tryAcquire(key, Duration.ofMillis(200)).orElseThrow();
        assertThatThrownBy(() -> shortest.extend(Duration.ofMillis(2)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("PT0.002S");
        assertThat(shortest.release()).isTrue();
    }

    @Test
    @DisplayName("L4: a lease that runs out without release or extend stops blocking the key while the holder's"
            + " session lives on, whether shorter or longer than the session timeout; extend and release then fail")
    void aLeaseThatRanOutFreesTheKeyWhileTheSessionLives() throws Exception {
        ZooKeeperBackend a = client();
        ZooKeeperBackend b = client();
        for (Duration lease : List.of(Duration.ofMillis(500), ZooKeeperTarget.SESSION_TIMEOUT.plusSeconds(1))) {
            String key = key("ran-out");
            Lease first = a.jobLock().tryAcquire(key, lease).orElseThrow();
            Lease next = Poll.forValue(Duration.ofSeconds(30), () -> b.jobLock().tryAcquire(key, LEASE))
                    .orElseThrow(() -> new AssertionError("the key stayed blocked by a lease of " + lease));
            assertThat(first.isValid())
                    .as("L5: invalid before the key was free")
                    .isFalse();
            assertThat(first.extend(LEASE)).isFalse();
            assertThat(first.release()).as("L3: touches nothing").isFalse();
            assertThat(next.isValid()).isTrue();
            assertThat(a.suspensions()).as("the holder's session lived on").isZero();
            assertThat(next.release()).isTrue();
        }
    }

    /**
     * L4, L7 (a backend test: only a backend whose client can outlive it, here the application's
     * own Curator client, keeps a closed backend's lock nodes alive): closing a backend built on the
     * application's Curator client wakes its waiting acquires, which throw and delete their nodes,
     * so the key is free once its holder releases it. Before, the waiter's node stayed queued for as
     * long as the application's session lived.
     */
    @Test
    void closingABackendOnTheApplicationsCuratorClientLeavesNoWaiterQueued() throws Exception {
        String key = key("closed-waiter");
        String parent = "/lockkit/locks/" + KeyCodec.encode(key);
        Lease held = client().jobLock().tryAcquire(key, LEASE).orElseThrow();
        CuratorFramework app = BuilderTarget.curator(target.server().connectString(), ZooKeeperTarget.TIMEOUT);
        try {
            ZooKeeperBackend closing = ZooKeeperBackend.builder(app)
                    .root("/lockkit")
                    .timeout(ZooKeeperTarget.TIMEOUT)
                    .closeClientOnClose(false)
                    .build();
            CompletableFuture<Optional<Lease>> waiter = CompletableFuture.supplyAsync(() -> {
                try {
                    return closing.jobLock().acquire(key, LEASE, Duration.ofSeconds(60));
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            assertThat(Poll.until(Duration.ofSeconds(10), () -> children(app, parent) == 2))
                    .as("the waiter's node queued behind the holder's")
                    .isTrue();
            closing.close();
            assertThatThrownBy(() -> waiter.get(10, TimeUnit.SECONDS))
                    .as("the waiting acquire of the closed backend")
                    .hasCauseInstanceOf(IllegalStateException.class);
            assertThat(app.getChildren().forPath(parent))
                    .as("the holder's node only")
                    .hasSize(1);
            assertThat(held.release()).isTrue();
            assertThat(client().jobLock().acquire(key, LEASE, Duration.ofSeconds(5)))
                    .as("the key once its holder released it")
                    .isPresent();
        } finally {
            app.close();
        }
    }

    /**
     * L1 (a backend test, for the reason above: the backend ends its session on close): an acquire
     * whose reply is still on its way when its backend closes hands out no valid lease, since the close
     * ended the session and its node; before, it returned a lease that stayed valid while another
     * client held the key.
     */
    @Test
    void anAcquireInFlightWhenItsBackendClosesHandsOutNoValidLease() throws Exception {
        String key = key("closed-in-flight");
        ZooKeeperBackend closing = client();
        closing.jobLock().tryAcquire(key, LEASE).orElseThrow().release(); // the key's parent node exists
        Optional<Lease> got;
        try (var heal = target.faults().delayReplies(closing, Duration.ofMillis(800))) {
            assertThat(heal).isNotNull();
            CompletableFuture<Optional<Lease>> acquire =
                    CompletableFuture.supplyAsync(() -> closing.jobLock().tryAcquire(key, LEASE));
            Thread.sleep(300); // the create is applied, its reply held back
            closing.close();
            try {
                got = acquire.get(10, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException e) {
                assertThat(e.getCause()).as("the refused acquire").isInstanceOf(IllegalStateException.class);
                got = Optional.empty(); // refused: the backend is closed
            }
        }
        Optional<Lease> other = client().jobLock().acquire(key, LEASE, Duration.ofSeconds(5));
        assertThat(other).as("the key after the closed backend's session ended").isPresent();
        assertThat(got.filter(Lease::isValid))
                .as("a lease of the closed backend still valid while another client holds the key")
                .isEmpty();
    }

    /**
     * E1 where the URI's check cannot see: a backend on an application's Curator client whose
     * granted session timeout is below twice the drift margin refuses every acquire, naming both,
     * and writes nothing (a lease would be cut to the session timeout less the margin: less than
     * half the session, or nothing at all, while its node blocks the key).
     */
    @Test
    void e1_aGrantedSessionTimeoutBelowTwiceTheDriftMarginIsRefused() throws Exception {
        CuratorFramework app = BuilderTarget.curator(target.server().connectString(), ZooKeeperTarget.TIMEOUT);
        try {
            assertThat(app.blockUntilConnected(10, TimeUnit.SECONDS)).isTrue();
            Duration granted =
                    Duration.ofMillis(app.getZookeeperClient().getZooKeeper().getSessionTimeout());
            Duration margin = granted.dividedBy(2).plusMillis(100);
            String key = key("short-session");
            try (ZooKeeperBackend b = ZooKeeperBackend.builder(app)
                    .root("/lockkit")
                    .driftMargin(margin)
                    .build()) {
                Duration lease = margin.multipliedBy(3);
                assertThatThrownBy(() -> b.jobLock().tryAcquire(key, lease))
                        .isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining(granted.toString())
                        .hasMessageContaining(margin.toString());
            }
            assertThat(client().jobLock().tryAcquire(key, LEASE))
                    .as("the refused acquire wrote nothing")
                    .isPresent();
        } finally {
            app.close();
        }
    }

    private static int children(CuratorFramework curator, String parent) {
        try {
            return curator.getChildren().forPath(parent).size();
        } catch (Exception e) {
            return -1; // not there yet
        }
    }

    /** A client of the target's server whose nodes live under {@code root}. */
    private ZooKeeperBackend client(String root) {
        ZooKeeperBackend b = target.newClient(root);
        opened.add(b);
        return b;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(UTF_8);
    }
}
