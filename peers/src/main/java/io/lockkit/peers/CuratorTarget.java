package io.lockkit.peers;

import io.lockkit.Backend;
import io.lockkit.Capability;
import io.lockkit.LockKit;
import io.lockkit.peers.internal.PeerBackend;
import io.lockkit.peers.internal.PeerJobLock;
import io.lockkit.peers.internal.PeerLease;
import io.lockkit.peers.internal.Ports;
import io.lockkit.peers.internal.Unfenced;
import io.lockkit.tck.harness.TcpProxy;
import io.lockkit.testkit.zookeeper.ZooKeeperTarget;
import io.lockkit.testkit.zookeeper.ZooKeeperTestServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;

/**
 * [curator/semaphore-mutex]: Curator's {@code InterProcessSemaphoreMutex} through {@link
 * CuratorPeer}, one Curator client per client behind its own {@link TcpProxy} per server, so
 * faults hit one client's wire. A session lease: a lease is marked lost (isValid false, onLost
 * called) once its client's connection state turns SUSPENDED or LOST, as Curator's users are told
 * to check. lockkit's ZooKeeper {@code VersionedUpdate} on the same ensemble, unfenced.
 *
 * <p>Expected: no fencing token, so scenario 8's zombie write lands (V3). After a dropped
 * connection (scenario 10) the holder sees SUSPENDED and gives the lease up, but its session
 * survives the blip, so its lock node stays and no one else can acquire until it is released.
 */
final class CuratorTarget extends PeerTarget {
    static final String NAME = "curator/semaphore-mutex";
    /** As lockkit's ZooKeeper test target: the embedded server grants it. */
    static final Duration SESSION_TIMEOUT = Duration.ofSeconds(4);

    static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final String connectString = ZooKeeperTestServer.shared().connectString();
    private final String root = "/lockkit-peers-" + UUID.randomUUID().toString().substring(0, 8);

    CuratorTarget() {
        super(NAME);
    }

    @Override
    public Backend newClient() {
        List<TcpProxy> proxies = proxies(connectString);
        CuratorFramework curator = curator(connectString(proxies), TIMEOUT);
        Set<PeerLease> live = ConcurrentHashMap.newKeySet();
        AtomicLong losses = new AtomicLong();
        curator.getConnectionStateListenable().addListener((client, state) -> {
            if (state == ConnectionState.SUSPENDED || state == ConnectionState.LOST) {
                live.forEach(PeerLease::markLost);
                live.clear();
                losses.incrementAndGet();
            }
        });
        Backend data = lockkit(connectString, TIMEOUT);
        List<AutoCloseable> resources = new ArrayList<>(proxies);
        resources.add(curator::close);
        resources.add(data);
        PeerBackend backend = new PeerBackend(
                NAME,
                Set.of(Capability.SESSION_LEASE),
                new PeerJobLock(NAME, new CuratorPeer(curator, root), live::add),
                new Unfenced(data.versionedUpdate()),
                resources);
        return register(backend, new Wire() {
            @Override
            public void kill() {
                long before = losses.get();
                proxies.forEach(TcpProxy::dropConnections);
                awaitLoss(losses, before);
            }

            /** The client can no longer reach the server; the server ends its session by timeout. */
            @Override
            public void crash() {
                proxies.forEach(p -> p.partition(true));
            }

            /** Attaches a second handle to the client's session and closes it: the server ends the session. */
            @Override
            public void expireSession() {
                long before = losses.get();
                endSession(curator);
                awaitLoss(losses, before);
            }
        });
    }

    @Override
    public Backend unreachableClient() {
        Duration timeout = Duration.ofMillis(500);
        String nowhere = "127.0.0.1:" + Ports.closed();
        CuratorFramework curator = curator(nowhere, timeout);
        Backend data = lockkit(nowhere, timeout);
        return new PeerBackend(
                NAME,
                Set.of(Capability.SESSION_LEASE),
                new PeerJobLock(NAME, new CuratorPeer(curator, root)),
                new Unfenced(data.versionedUpdate()),
                List.<AutoCloseable>of(curator::close, data));
    }

    private Backend lockkit(String hosts, Duration timeout) {
        return LockKit.open(
                "zookeeper://" + hosts,
                Map.of(
                        "root", root + "-lockkit",
                        "sessionTimeout", SESSION_TIMEOUT.toMillis() + "ms",
                        "timeout", timeout.toMillis() + "ms"));
    }

    /** One {@link TcpProxy} per server of {@code connectString}, so that faults hit one client's wire. */
    static List<TcpProxy> proxies(String connectString) {
        List<TcpProxy> proxies = new ArrayList<>();
        try {
            for (String host : connectString.split(",")) {
                int colon = host.lastIndexOf(':');
                proxies.add(new TcpProxy(host.substring(0, colon), Integer.parseInt(host.substring(colon + 1))));
            }
        } catch (IOException e) {
            proxies.forEach(TcpProxy::close);
            throw new UncheckedIOException(e);
        }
        return proxies;
    }

    /** The connect string that reaches the servers through {@code proxies}. */
    static String connectString(List<TcpProxy> proxies) {
        return String.join(",", proxies.stream().map(TcpProxy::address).toList());
    }

    /** A started Curator client with lockkit's test session timeout, as Curator's users build one. */
    static CuratorFramework curator(String connectString, Duration timeout) {
        return ZooKeeperTarget.curator(connectString, SESSION_TIMEOUT, timeout);
    }

    private void endSession(CuratorFramework curator) {
        try {
            ZooKeeper zk = curator.getZookeeperClient().getZooKeeper();
            CountDownLatch connected = new CountDownLatch(1);
            ZooKeeper twin = new ZooKeeper(
                    connectString,
                    (int) SESSION_TIMEOUT.toMillis(),
                    e -> {
                        if (e.getState() == Watcher.Event.KeeperState.SyncConnected) {
                            connected.countDown();
                        }
                    },
                    zk.getSessionId(),
                    zk.getSessionPasswd());
            try {
                if (!connected.await(10, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("could not attach to the client's session");
                }
            } finally {
                twin.close();
            }
        } catch (Exception e) {
            throw new IllegalStateException("could not expire the session: " + e, e);
        }
    }

    /** Waits (up to 30 s) until the client has seen its connection SUSPENDED or LOST. */
    private static void awaitLoss(AtomicLong losses, long before) {
        long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (losses.get() <= before) {
            if (System.nanoTime() - until > 0) {
                throw new IllegalStateException("the client never saw its connection suspended");
            }
            LockSupport.parkNanos(Duration.ofMillis(5).toNanos());
            if (Thread.currentThread().isInterrupted()) {
                throw new IllegalStateException("interrupted while waiting for the connection loss");
            }
        }
    }
}
