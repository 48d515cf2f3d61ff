package io.lockkit.peers;

import io.lockkit.Backend;
import io.lockkit.Capability;
import io.lockkit.LockKit;
import io.lockkit.peers.internal.Closer;
import io.lockkit.peers.internal.PeerBackend;
import io.lockkit.peers.internal.PeerJobLock;
import io.lockkit.peers.internal.Ports;
import io.lockkit.peers.internal.Unfenced;
import io.lockkit.tck.harness.TcpProxy;
import io.lockkit.testkit.zookeeper.ZooKeeperTestServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import net.javacrumbs.shedlock.provider.zookeeper.curator.ZookeeperCuratorLockProvider;
import org.apache.curator.framework.CuratorFramework;

/**
 * [shedlock/zookeeper]: ShedLock's {@code ZookeeperCuratorLockProvider} (4.42.0, the newest the registry serves,
 * on shedlock-core 7.10.1) under a fresh root per target, over one Curator client per client
 * behind its own {@link TcpProxy} per server, so faults hit one client's wire. lockkit's ZooKeeper
 * {@code VersionedUpdate} on the same ensemble, unfenced. A timed lease: the lock is a PERSISTENT
 * node {@code root/<lock name>} (the key as it is, so a key with {@code /} makes nested nodes)
 * whose data is a "locked until" instant (ISO-8601, milliseconds) of the locking client's clock;
 * the session plays no part, so a crash (its proxies partitioned) frees the lock only by time.
 *
 * <p>As read in the provider's source: {@code lock} does {@code getData} with its {@code Stat}; a
 * node whose instant is after the caller's {@code ClockProvider.now()} (or unparsable) is held
 * (empty), else {@code setData().withVersion(stat.version)} writes the new instant ({@code
 * BadVersion}: empty); a missing node is created PERSISTENT, with its parents ({@code NodeExists}: empty). The node is never
 * deleted. {@code unlock} is {@code setData} of the unlock time (now, as lockAtLeastFor is zero)
 * with NO version, and there is no extend (its lock keeps ShedLock's default {@code doExtend},
 * which throws {@code UnsupportedOperationException}), so the peer is declared without one.
 *
 * <p>Expected, from that design: no fencing token, so scenario 8's zombie write lands (V3); a
 * zombie's unconditional unlock overwrites the next holder's instant and frees its lock (L3, and
 * L1 overlaps in the fuzz scenario 11 when a holder releases after its lease ran out); a lease
 * cannot be extended (scenario 10's extend after the connection blip returns false and ends it).
 */
final class ShedLockZooKeeperTarget extends PeerTarget {
    static final String NAME = "shedlock/zookeeper";

    private final String connectString = ZooKeeperTestServer.shared().connectString();
    private final String root =
            "/lockkit-shedlock-" + UUID.randomUUID().toString().substring(0, 8);

    ShedLockZooKeeperTarget() {
        super(NAME);
    }

    @Override
    public Backend newClient() {
        List<TcpProxy> proxies = CuratorTarget.proxies(connectString);
        CuratorFramework curator = CuratorTarget.curator(CuratorTarget.connectString(proxies), CuratorTarget.TIMEOUT);
        List<AutoCloseable> resources = new ArrayList<>(proxies);
        resources.add(curator::close);
        Backend client;
        try {
            client = backend(curator, lockkit(connectString, CuratorTarget.TIMEOUT), resources);
        } catch (RuntimeException e) {
            throw Closer.closeAfter(e, resources.toArray(AutoCloseable[]::new));
        }
        return register(client, new Wire() {
            @Override
            public void kill() {
                proxies.forEach(TcpProxy::dropConnections);
            }

            /** The client can no longer reach the server; its lock node stays until its instant passes. */
            @Override
            public void crash() {
                proxies.forEach(p -> p.partition(true));
            }
        });
    }

    @Override
    public Backend unreachableClient() {
        Duration timeout = Duration.ofMillis(500);
        String nowhere = "127.0.0.1:" + Ports.closed();
        CuratorFramework curator = CuratorTarget.curator(nowhere, timeout);
        List<AutoCloseable> resources = new ArrayList<>();
        resources.add(curator::close);
        try {
            return backend(curator, lockkit(nowhere, timeout), resources);
        } catch (RuntimeException e) {
            throw Closer.closeAfter(e, curator::close);
        }
    }

    /** The peer backend; {@code data} is closed with {@code resources}, after them. */
    private PeerBackend backend(CuratorFramework curator, Backend data, List<AutoCloseable> resources) {
        resources.add(data);
        return new PeerBackend(
                NAME,
                Set.of(Capability.TIMED_LEASE),
                new PeerJobLock(NAME, new ShedLockPeer(new ZookeeperCuratorLockProvider(curator, root), false)),
                new Unfenced(data.versionedUpdate()),
                resources);
    }

    private Backend lockkit(String hosts, Duration timeout) {
        return LockKit.open(
                "zookeeper://" + hosts,
                Map.of(
                        "root", root + "-lockkit",
                        "sessionTimeout", CuratorTarget.SESSION_TIMEOUT.toMillis() + "ms",
                        "timeout", timeout.toMillis() + "ms"));
    }
}
