package io.lockkit.zookeeper;

import io.lockkit.Backend;
import io.lockkit.tck.harness.Poll;
import io.lockkit.testkit.zookeeper.ZooKeeperTarget;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.curator.framework.CuratorFramework;

/**
 * The testkit's target with its clients built here ({@link ZooKeeperBackend#builder}), so the
 * tests reach each client's Curator client, and with faults that return only once the client has
 * seen its connection suspended. Thread-safe.
 */
final class BuilderTarget extends ZooKeeperTarget {
    private final Map<Backend, CuratorFramework> curators = new ConcurrentHashMap<>();

    @Override
    protected Backend open(String connectString, String root, Duration sessionTimeout, Duration timeout) {
        CuratorFramework curator = curator(connectString, sessionTimeout, timeout);
        ZooKeeperBackend backend = ZooKeeperBackend.builder(curator)
                .root(root)
                .timeout(timeout)
                .closeClientOnClose(true)
                .build();
        curators.put(backend, curator);
        return backend;
    }

    /** A started Curator client with the TCK's session timeout. */
    static CuratorFramework curator(String connectString, Duration timeout) {
        return curator(connectString, SESSION_TIMEOUT, timeout);
    }

    @Override
    public ZooKeeperBackend newClient() {
        return (ZooKeeperBackend) super.newClient();
    }

    @Override
    public ZooKeeperBackend newClient(String root) {
        return (ZooKeeperBackend) super.newClient(root);
    }

    /** The Curator client {@code client} runs on. */
    CuratorFramework curator(Backend client) {
        CuratorFramework curator = curators.get(client);
        if (curator == null) {
            throw new IllegalArgumentException(client + " is not a client of this target");
        }
        return curator;
    }

    /** Returns once the client has seen its connection suspended. */
    @Override
    public void expireSession(Backend client) {
        long before = ((ZooKeeperBackend) client).suspensions();
        super.expireSession(client);
        awaitSuspended(client, before);
    }

    /** Returns once the client has seen its connection suspended. */
    @Override
    public void killConnection(Backend client) {
        long before = ((ZooKeeperBackend) client).suspensions();
        super.killConnection(client);
        awaitSuspended(client, before);
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
}
