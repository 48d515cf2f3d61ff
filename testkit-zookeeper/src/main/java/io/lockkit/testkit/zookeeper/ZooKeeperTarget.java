package io.lockkit.testkit.zookeeper;

import io.lockkit.Backend;
import io.lockkit.BackendUnavailableException;
import io.lockkit.LockKit;
import io.lockkit.tck.StoreFaults;
import io.lockkit.tck.TckTarget;
import io.lockkit.tck.harness.Poll;
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
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;

/**
 * The ZooKeeper store for the TCK, on a {@link ZooKeeperTestServer} of its own: every client is
 * opened with {@code LockKit.open} (so the ZooKeeper backend must be on the class path) through a
 * {@link ZooKeeperProxy} per server, so faults hit one client only; a backend's own tests may open
 * clients another way ({@link #open}). Thread-safe.
 */
public class ZooKeeperTarget implements TckTarget, StoreFaults {
    /**
     * Session timeout of the TCK's clients, asked of the server (the embedded one grants 2–20
     * ticks): short, so that a lost reply surfaces as connection loss after two seconds.
     */
    public static final Duration SESSION_TIMEOUT = Duration.ofSeconds(3);
    /** The E2 bound of the TCK's clients. */
    public static final Duration TIMEOUT = Duration.ofSeconds(2);
    /** The race comparison's session timeout and E2 bound, unchanged so its figures stay comparable. */
    public static final Duration RACE_SESSION_TIMEOUT = Duration.ofSeconds(4);

    public static final Duration RACE_TIMEOUT = Duration.ofSeconds(5);

    private final ZooKeeperTestServer server;
    private final Duration sessionTimeout;
    private final Duration timeout;
    private final Map<Backend, List<ZooKeeperProxy>> clients = new ConcurrentHashMap<>();
    /** Clients cut off for good by {@link #crash}. */
    private final java.util.Set<Backend> cutOff = ConcurrentHashMap.newKeySet();

    public ZooKeeperTarget() {
        this(SESSION_TIMEOUT, TIMEOUT);
    }

    public ZooKeeperTarget(Duration sessionTimeout, Duration timeout) {
        this.server = ZooKeeperTestServer.start();
        this.sessionTimeout = sessionTimeout;
        this.timeout = timeout;
    }

    public ZooKeeperTestServer server() {
        return server;
    }

    @Override
    public String name() {
        return "zookeeper/session";
    }

    @Override
    public Backend newClient() {
        return newClient("/lockkit");
    }

    /** A client whose nodes live under {@code root}. */
    public Backend newClient(String root) {
        List<ZooKeeperProxy> proxies = new ArrayList<>();
        List<String> addresses = new ArrayList<>();
        try {
            for (String host : server.hosts()) {
                String[] hp = host.split(":");
                ZooKeeperProxy proxy = new ZooKeeperProxy(hp[0], Integer.parseInt(hp[1]));
                proxies.add(proxy);
                addresses.add(proxy.address());
            }
        } catch (IOException e) {
            proxies.forEach(ZooKeeperProxy::close);
            throw new UncheckedIOException(e);
        }
        Backend backend = open(String.join(",", addresses), root, sessionTimeout, timeout);
        clients.put(backend, proxies);
        return backend;
    }

    /** Opens a client on {@code connectString} (the proxies); {@code LockKit.open} unless overridden. */
    protected Backend open(String connectString, String root, Duration sessionTimeout, Duration timeout) {
        return LockKit.open(
                "zookeeper://" + connectString,
                Map.of(
                        "root", root,
                        "sessionTimeout", sessionTimeout.toMillis() + "ms",
                        "timeout", timeout.toMillis() + "ms"));
    }

    /** A started Curator client of {@code connectString}, as lockkit's provider makes one. */
    public static CuratorFramework curator(String connectString, Duration sessionTimeout, Duration timeout) {
        CuratorFramework curator = CuratorFrameworkFactory.builder()
                .connectString(connectString)
                .sessionTimeoutMs((int) sessionTimeout.toMillis())
                .connectionTimeoutMs((int) timeout.toMillis())
                .retryPolicy(new ExponentialBackoffRetry(100, 3))
                .build();
        curator.start();
        return curator;
    }

    /** The proxies of {@code client}, one per server. */
    public List<ZooKeeperProxy> proxies(Backend client) {
        List<ZooKeeperProxy> proxies = clients.get(client);
        if (proxies == null) {
            throw new IllegalArgumentException(client + " is not a client of this target");
        }
        return proxies;
    }

    @Override
    public StoreFaults faults() {
        return this;
    }

    /**
     * Opens a second handle with the client's session id and password (as its proxies saw the
     * server grant them) and closes it: the server ends the session and deletes its ephemeral
     * nodes, as it does when the holder stops talking.
     */
    @Override
    public void expireSession(Backend client) {
        List<ZooKeeperProxy> proxies = proxies(client);
        ZooKeeperProxy.Session session = proxies.stream()
                .map(ZooKeeperProxy::session)
                .filter(s -> s != null)
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("the client has no session yet"));
        Set<Long> before = sessionIds(proxies);
        try {
            CountDownLatch connected = new CountDownLatch(1);
            ZooKeeper twin = new ZooKeeper(
                    server.connectString(),
                    (int) sessionTimeout.toMillis(),
                    e -> {
                        if (e.getState() == Watcher.Event.KeeperState.SyncConnected) {
                            connected.countDown();
                        }
                    },
                    session.id(),
                    session.password());
            if (!connected.await(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("could not attach to the client's session");
            }
            twin.close();
        } catch (Exception e) {
            throw new IllegalStateException("could not expire the session", e);
        }
        // The fault is done when the client has noticed: it reconnects after a random pause of up
        // to a second, hears "expired" and opens a new session. Without this wait the client's
        // next call could spend its whole E2 bound on that on a loaded machine.
        boolean renewed;
        try {
            renewed = Poll.until(Duration.ofSeconds(30), () -> !before.containsAll(sessionIds(proxies)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the client reopened its session", e);
        }
        if (!renewed) {
            throw new IllegalStateException("the client did not open a new session within 30 s of its expiry");
        }
    }

    private static Set<Long> sessionIds(List<ZooKeeperProxy> proxies) {
        return proxies.stream()
                .map(ZooKeeperProxy::session)
                .filter(s -> s != null)
                .map(ZooKeeperProxy.Session::id)
                .collect(java.util.stream.Collectors.toSet());
    }

    @Override
    public void killConnection(Backend client) {
        proxies(client).forEach(p -> p.tcp().dropConnections());
    }

    /** The client can no longer reach the server; the server expires its session after the timeout. */
    @Override
    public void crash(Backend client) {
        cutOff.add(client);
        proxies(client).forEach(p -> p.tcp().partition(true));
    }

    @Override
    public Backend unreachableClient() {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort(); // closed again: nothing listens there
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return LockKit.open(
                "zookeeper://127.0.0.1:" + port + "?timeout=500ms&sessionTimeout=" + SESSION_TIMEOUT.toMillis() + "ms");
    }

    /** All of them on the embedded server; an external one (LOCKKIT_ZOOKEEPER_CONNECT) cannot be restarted by a test. */
    @Override
    public Set<Fault> supported() {
        // no HOLD_KEY: ZooKeeper serves a session's requests in order and has no record lock to wait on
        return server.isEmbedded()
                ? EnumSet.of(
                        Fault.LOSE_REPLIES,
                        Fault.DELAY_REPLIES,
                        Fault.RESTART_STORE,
                        Fault.CRASH_STORE,
                        Fault.SILENT_STORE)
                : EnumSet.of(Fault.LOSE_REPLIES, Fault.DELAY_REPLIES, Fault.SILENT_STORE);
    }

    /** As {@link #unreachableClient()}, at the kit's listener that never answers. */
    @Override
    public Backend silentStoreClient(int port) {
        return LockKit.open(
                "zookeeper://127.0.0.1:" + port + "?timeout=500ms&sessionTimeout=" + SESSION_TIMEOUT.toMillis() + "ms");
    }

    /**
     * Every reply to the client is dropped at its proxies. The ZooKeeper client notices after its
     * read timeout (two thirds of the session timeout), reports connection loss for what was
     * in flight, and cannot reconnect until healed (the connect response is dropped too).
     */
    @Override
    public Heal loseReplies(Backend client) {
        List<ZooKeeperProxy> proxies = proxies(client);
        proxies.forEach(p -> p.tcp().loseReplies(true));
        return () -> proxies.forEach(p -> p.tcp().loseReplies(false));
    }

    @Override
    public Heal delayReplies(Backend client, Duration delay) {
        List<ZooKeeperProxy> proxies = proxies(client);
        proxies.forEach(p -> p.tcp().delayReplies(delay));
        return () -> proxies.forEach(p -> p.tcp().delayReplies(Duration.ZERO));
    }

    /**
     * The embedded server runs in this JVM, so nothing can kill it harder than {@link
     * #restartStore()} stops it; and ZooKeeper appends every transaction to its log before it
     * answers, so a kill loses nothing a restart keeps. The restart is the kill.
     */
    @Override
    public void crashStore() {
        restartStore();
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
        CuratorFramework probe = curator(server.connectString(), SESSION_TIMEOUT, timeout);
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
        awaitClientsReconnected();
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Each client of this target still open reads from the server again (up to 10 s each): ZooKeeper
     * clients reconnect after a random delay of up to a second, and a test that follows a restart must
     * not spend its own short timeouts on that. Closed or cut-off clients are skipped.
     */
    private void awaitClientsReconnected() {
        for (Backend client : List.copyOf(clients.keySet())) {
            if (cutOff.contains(client)) {
                continue;
            }
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (System.nanoTime() - until < 0) {
                try {
                    client.versionedUpdate().read("lockkit-restart-probe");
                    break;
                } catch (BackendUnavailableException e) {
                    sleepQuietly(20); // still reconnecting
                } catch (RuntimeException e) {
                    break; // closed, or not usable any more: nothing to wait for
                }
            }
        }
    }

    @Override
    public void close() {
        clients.forEach((backend, proxies) -> {
            backend.close();
            proxies.forEach(ZooKeeperProxy::close);
        });
        server.close();
    }
}
