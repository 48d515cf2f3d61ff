package io.lockkit.zookeeper;

import io.lockkit.Backend;
import io.lockkit.tck.Poll;
import io.lockkit.tck.StoreFaults;
import io.lockkit.tck.TckTarget;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.imps.CuratorFrameworkState;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;

/**
 * The ZooKeeper store for the TCK: every client gets its own Curator client, session and {@link
 * FaultProxy} per server, so faults hit one client only. Thread-safe.
 */
final class ZooKeeperTarget implements TckTarget, StoreFaults {
    /**
     * Session timeout of the TCK's clients, asked of the server (the embedded one grants 2–20
     * ticks): short, so that a lost reply surfaces as connection loss after two seconds.
     */
    static final Duration SESSION_TIMEOUT = Duration.ofSeconds(3);
    /** The E2 bound of the TCK's clients. */
    static final Duration TIMEOUT = Duration.ofSeconds(2);
    /** The race comparison's session timeout and E2 bound, unchanged so its figures stay comparable. */
    static final Duration RACE_SESSION_TIMEOUT = Duration.ofSeconds(4);

    static final Duration RACE_TIMEOUT = Duration.ofSeconds(5);

    private final ZkServer server;
    private final boolean ownsServer;
    private final Duration sessionTimeout;
    private final Duration timeout;
    private final Map<Backend, Client> clients = new ConcurrentHashMap<>();

    /** One test client: its Curator client and its proxies. */
    record Client(CuratorFramework curator, List<FaultProxy> proxies) {}

    ZooKeeperTarget() {
        this(SESSION_TIMEOUT, TIMEOUT);
    }

    ZooKeeperTarget(Duration sessionTimeout, Duration timeout) {
        this.server = ZkServer.start();
        this.ownsServer = true;
        this.sessionTimeout = sessionTimeout;
        this.timeout = timeout;
    }

    ZkServer server() {
        return server;
    }

    @Override
    public String name() {
        return "zookeeper/session";
    }

    @Override
    public ZooKeeperBackend newClient() {
        return newClient(ZooKeeperBackend.DEFAULT_ROOT);
    }

    /** A client whose nodes live under {@code root}. */
    ZooKeeperBackend newClient(String root) {
        List<FaultProxy> proxies = new ArrayList<>();
        List<String> addresses = new ArrayList<>();
        try {
            for (String host : server.hosts()) {
                String[] hp = host.split(":");
                FaultProxy proxy = new FaultProxy(hp[0], Integer.parseInt(hp[1]));
                proxies.add(proxy);
                addresses.add(proxy.address());
            }
        } catch (IOException e) {
            proxies.forEach(FaultProxy::close);
            throw new UncheckedIOException(e);
        }
        CuratorFramework curator = curator(String.join(",", addresses), sessionTimeout, timeout);
        ZooKeeperBackend backend = ZooKeeperBackend.builder(curator)
                .root(root)
                .timeout(timeout)
                .closeClientOnClose(true)
                .build();
        clients.put(backend, new Client(curator, proxies));
        forgetClosedClients();
        return backend;
    }

    /** Closes the proxies of clients the TCK has closed (their Curator client is stopped). */
    private void forgetClosedClients() {
        clients.values().removeIf(c -> {
            if (c.curator().getState() != CuratorFrameworkState.STOPPED) {
                return false;
            }
            c.proxies().forEach(FaultProxy::close);
            return true;
        });
    }

    static CuratorFramework curator(String connectString, Duration timeout) {
        return curator(connectString, SESSION_TIMEOUT, timeout);
    }

    static CuratorFramework curator(String connectString, Duration sessionTimeout, Duration timeout) {
        CuratorFramework curator = CuratorFrameworkFactory.builder()
                .connectString(connectString)
                .sessionTimeoutMs((int) sessionTimeout.toMillis())
                .connectionTimeoutMs((int) timeout.toMillis())
                .retryPolicy(new ExponentialBackoffRetry(100, 3))
                .build();
        curator.start();
        return curator;
    }

    Client client(Backend backend) {
        Client c = clients.get(backend);
        if (c == null) {
            throw new IllegalArgumentException(backend + " is not a client of this target");
        }
        return c;
    }

    @Override
    public StoreFaults faults() {
        return this;
    }

    /**
     * Opens a second handle with the client's session id and password and closes it: the server
     * ends the session and deletes its ephemeral nodes, as it does when the holder stops talking.
     * Returns once the client has seen its connection suspended.
     */
    @Override
    public void expireSession(Backend backend) {
        Client c = client(backend);
        long before = ((ZooKeeperBackend) backend).suspensions();
        try {
            ZooKeeper zk = c.curator().getZookeeperClient().getZooKeeper();
            CountDownLatch connected = new CountDownLatch(1);
            ZooKeeper twin = new ZooKeeper(
                    server.connectString(),
                    (int) sessionTimeout.toMillis(),
                    e -> {
                        if (e.getState() == Watcher.Event.KeeperState.SyncConnected) {
                            connected.countDown();
                        }
                    },
                    zk.getSessionId(),
                    zk.getSessionPasswd());
            if (!connected.await(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("could not attach to the client's session");
            }
            twin.close();
        } catch (Exception e) {
            throw new IllegalStateException("could not expire the session", e);
        }
        awaitSuspended(backend, before);
    }

    @Override
    public void killConnection(Backend backend) {
        long before = ((ZooKeeperBackend) backend).suspensions();
        client(backend).proxies().forEach(FaultProxy::dropConnections);
        awaitSuspended(backend, before);
    }

    /** The client can no longer reach the server; the server expires its session after the timeout. */
    @Override
    public void crash(Backend backend) {
        client(backend).proxies().forEach(p -> p.partition(true));
    }

    @Override
    public Backend unreachableClient() {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort(); // closed again: nothing listens there
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Duration timeout = Duration.ofMillis(500);
        return ZooKeeperBackend.builder(curator("127.0.0.1:" + port, timeout))
                .timeout(timeout)
                .closeClientOnClose(true)
                .build();
    }

    private static void awaitSuspended(Backend backend, long before) {
        try {
            if (!Poll.until(Duration.ofSeconds(30), () -> ((ZooKeeperBackend) backend).suspensions() > before)) {
                throw new IllegalStateException("the client never saw its connection suspended");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** All three on the embedded server; an external one (LOCKKIT_ZOOKEEPER_CONNECT) cannot be restarted by a test. */
    @Override
    public Set<Fault> supported() {
        return server.isEmbedded() ? EnumSet.allOf(Fault.class) : EnumSet.of(Fault.LOSE_REPLIES, Fault.DELAY_REPLIES);
    }

    /**
     * Every reply to the client is dropped at its proxies. The ZooKeeper client notices after its
     * read timeout (two thirds of the session timeout), reports connection loss for what was
     * in flight, and cannot reconnect until healed (the connect response is dropped too).
     */
    @Override
    public Heal loseReplies(Backend backend) {
        List<FaultProxy> proxies = client(backend).proxies();
        proxies.forEach(p -> p.loseReplies(true));
        return () -> proxies.forEach(p -> p.loseReplies(false));
    }

    @Override
    public Heal delayReplies(Backend backend, Duration delay) {
        List<FaultProxy> proxies = client(backend).proxies();
        proxies.forEach(p -> p.delayReplies(delay));
        return () -> proxies.forEach(p -> p.delayReplies(Duration.ZERO));
    }

    /**
     * Restarts the embedded server on the same port and data directory. ZooKeeper persists every
     * transaction before it answers, so values, versions, fences and the zxid (tokens) survive;
     * sessions survive too when their clients reconnect within the session timeout, but every
     * client sees its connection SUSPENDED, which ends its leases (L5). Returns once a fresh
     * client can read from the server again.
     */
    @Override
    public void restartStore() {
        try {
            server.restart();
        } catch (Exception e) {
            throw new IllegalStateException("could not restart the embedded ZooKeeper", e);
        }
        CuratorFramework probe = curator(server.connectString(), timeout);
        try {
            if (!probe.blockUntilConnected(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the restarted ZooKeeper did not answer within 30 s");
            }
            probe.checkExists().forPath("/");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (Exception e) {
            throw new IllegalStateException("the restarted ZooKeeper did not answer", e);
        } finally {
            probe.close();
        }
    }

    @Override
    public void close() {
        clients.forEach((backend, c) -> {
            backend.close();
            c.proxies().forEach(FaultProxy::close);
        });
        if (ownsServer) {
            server.close();
        }
    }
}
