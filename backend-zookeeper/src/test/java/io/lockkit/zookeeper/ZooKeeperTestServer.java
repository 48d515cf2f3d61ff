package io.lockkit.zookeeper;

import org.jspecify.annotations.Nullable;

/**
 * One ZooKeeper server per JVM for other modules' test code (the race comparison, the peers): the
 * ensemble named by {@code LOCKKIT_ZOOKEEPER_CONNECT}, else an embedded Curator {@code
 * TestingServer} started on first use (short tick: sessions of 0.4–4 s expire in seconds).
 */
public final class ZooKeeperTestServer {
    private static @Nullable ZkServer shared;

    private ZooKeeperTestServer() {}

    /** The connect string ({@code host:port,…}), starting the server on first use. */
    public static synchronized String connectString() {
        if (shared == null) {
            ZkServer server = ZkServer.start();
            Runtime.getRuntime().addShutdownHook(new Thread(server::close));
            shared = server;
        }
        return shared.connectString();
    }
}
