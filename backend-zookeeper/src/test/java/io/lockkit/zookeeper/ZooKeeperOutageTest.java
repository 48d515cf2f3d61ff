package io.lockkit.zookeeper;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockkit.Backend;
import io.lockkit.BackendUnavailableException;
import io.lockkit.Lease;
import io.lockkit.Versioned;
import io.lockkit.tck.harness.Poll;
import io.lockkit.testkit.zookeeper.ZooKeeperTestServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingCluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The store going away while locks are held and waited for: the embedded server stopped and
 * restarted, and members of a three-node ensemble killed. Needs servers in this JVM: skipped, with
 * the reason printed, when {@value ZooKeeperTestServer#CONNECT_ENV} names an external ensemble.
 */
class ZooKeeperOutageTest {
    private static final Duration LEASE = Duration.ofSeconds(30);
    /** Generous: reconnecting after a leader election takes a few seconds. */
    private static final Duration TIMEOUT = Duration.ofSeconds(15);

    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    private static void assumeEmbedded() {
        String external = System.getenv(ZooKeeperTestServer.CONNECT_ENV);
        boolean embedded = external == null || external.isBlank();
        if (!embedded) {
            System.out.println(
                    "[SKIP] outage tests need servers in this JVM; " + ZooKeeperTestServer.CONNECT_ENV + " is set");
        }
        Assumptions.assumeTrue(embedded, "outage tests need servers in this JVM");
    }

    private ZooKeeperBackend client(String connectString) {
        CuratorFramework curator = BuilderTarget.curator(connectString, TIMEOUT);
        ZooKeeperBackend backend = ZooKeeperBackend.builder(curator)
                .timeout(TIMEOUT)
                .closeClientOnClose(true)
                .build();
        toClose.add(backend);
        return backend;
    }

    private static CompletableFuture<Lease> waiter(Backend client, String key) {
        return CompletableFuture.supplyAsync(
                () -> {
                    try {
                        return client.jobLock()
                                .acquire(key, LEASE, Duration.ofSeconds(60))
                                .orElseThrow();
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                },
                r -> new Thread(r, "outage-waiter").start());
    }

    @Test
    @DisplayName("server stopped and restarted: the holder loses its lease, calls fail as unavailable, and after"
            + " the restart the waiter gets the lock with a larger token and the data is still there")
    void serverStopAndRestart() throws Exception {
        assumeEmbedded();
        ZooKeeperTestServer server = ZooKeeperTestServer.start();
        toClose.add(server);
        ZooKeeperBackend holder = client(server.connectString());
        ZooKeeperBackend waiting = client(server.connectString());
        String key = "restart-" + UUID.randomUUID();
        Versioned before =
                holder.versionedUpdate().create(key, "kept".getBytes(UTF_8)).orElseThrow();
        Lease held = holder.jobLock().tryAcquire(key, LEASE).orElseThrow();
        CompletableFuture<Lease> next = waiter(waiting, key);
        Poll.until(Duration.ofSeconds(5), () -> server.fourLetterWord("wchp").contains(KeyCodec.encode(key)));

        server.stop();
        assertThat(Poll.until(Duration.ofSeconds(10), () -> !held.isValid()))
                .as("L5: SUSPENDED ends the lease")
                .isTrue();
        ZooKeeperBackend fast = ZooKeeperBackend.builder(BuilderTarget.curator(server.connectString(), TIMEOUT))
                .timeout(Duration.ofMillis(500))
                .closeClientOnClose(true)
                .build();
        toClose.add(fast);
        long asked = System.nanoTime();
        assertThatThrownBy(() -> fast.versionedUpdate().read(key)).isInstanceOf(BackendUnavailableException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - asked))
                .as("E2: bounded")
                .isLessThan(Duration.ofSeconds(3));

        server.restart();
        Lease got = next.get(30, TimeUnit.SECONDS);
        assertThat(got.token()).as("L2 across a store restart").isGreaterThan(held.token());
        assertThat(held.release()).as("L3").isFalse();
        Versioned after = waiting.versionedUpdate().read(key).orElseThrow();
        assertThat(after).as("data survives the restart").isEqualTo(before);
        Versioned written = waiting.versionedUpdate()
                .compareAndSet(key, after.version(), "new".getBytes(UTF_8), got.token())
                .orElseThrow();
        assertThat(written.version()).as("V2 across a store restart").isGreaterThan(before.version());
        got.release();
    }

    @Test
    @DisplayName("three-node ensemble: a killed member costs its clients their leases, waiters still get the lock"
            + " one at a time; with two members down calls fail as unavailable")
    void memberKilledInAThreeNodeEnsemble() throws Exception {
        assumeEmbedded();
        List<InstanceSpec> specs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            specs.add(ZooKeeperTestServer.spec(-1));
        }
        TestingCluster cluster = new TestingCluster(specs);
        toClose.add(cluster);
        cluster.start();
        String connect = cluster.getConnectString();
        String key = "ensemble-" + UUID.randomUUID();

        ZooKeeperBackend holder = client(connect);
        Lease held = holder.jobLock().tryAcquire(key, LEASE).orElseThrow();
        List<CompletableFuture<Lease>> waiters = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            waiters.add(waiter(client(connect), key));
        }
        InstanceSpec holderMember = cluster.findConnectionInstance(
                holder.curator().getZookeeperClient().getZooKeeper());
        assertThat(cluster.killServer(holderMember)).isTrue();

        assertThat(Poll.until(Duration.ofSeconds(15), () -> !held.isValid()))
                .as("L5: the holder's connection was suspended, so its lease is lost")
                .isTrue();
        long last = held.token();
        List<CompletableFuture<Lease>> pending = new ArrayList<>(waiters);
        while (!pending.isEmpty()) {
            CompletableFuture.anyOf(pending.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
            List<CompletableFuture<Lease>> done =
                    pending.stream().filter(CompletableFuture::isDone).toList();
            assertThat(done).as("L1: one holder at a time").hasSize(1);
            Lease lease = done.get(0).get();
            assertThat(lease.token()).as("L2").isGreaterThan(last);
            last = lease.token();
            pending.remove(done.get(0));
            assertThat(lease.release()).isTrue();
        }
        assertThat(held.release()).as("L3: the lost lease frees nothing").isFalse();

        InstanceSpec second = cluster.getInstances().stream()
                .filter(s -> !s.equals(holderMember))
                .findFirst()
                .orElseThrow();
        cluster.killServer(second);
        ZooKeeperBackend noQuorum = ZooKeeperBackend.builder(BuilderTarget.curator(connect, TIMEOUT))
                .timeout(Duration.ofSeconds(1))
                .closeClientOnClose(true)
                .build();
        toClose.add(noQuorum);
        long asked = System.nanoTime();
        assertThatThrownBy(() -> noQuorum.jobLock().tryAcquire(key, LEASE))
                .as("E2: no quorum is unavailable, never 'held'")
                .isInstanceOf(BackendUnavailableException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - asked)).isLessThan(Duration.ofSeconds(5));
    }
}
