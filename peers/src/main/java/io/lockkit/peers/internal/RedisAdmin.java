package io.lockkit.peers.internal;

import io.lettuce.core.KillArgs;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lockkit.redis.RedisTestServer;
import java.net.URI;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The Redis side of the peers: the test server's address ({@link RedisTestServer}), fresh key
 * prefixes and client names, and {@code CLIENT KILL} of every connection with one client name,
 * sent on an admin connection of its own. Thread-safe.
 */
public final class RedisAdmin {
    private static final AtomicInteger CLIENTS = new AtomicInteger();

    private RedisAdmin() {}

    /** {@code redis://host:port} of the test server. */
    public static String address() {
        return RedisTestServer.address();
    }

    public static String host() {
        return URI.create(address()).getHost();
    }

    public static int port() {
        int port = URI.create(address()).getPort();
        return port < 0 ? 6379 : port;
    }

    /** A prefix no earlier run used. */
    public static String freshPrefix(String label) {
        return "lockkit-peers-" + label + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** A client name no other client of this JVM carries. */
    public static String newClientName(String label) {
        return "lockkit-peers-" + label + "-" + CLIENTS.incrementAndGet();
    }

    /** Kills every connection whose {@code CLIENT SETNAME} is {@code name}; returns how many. */
    public static int killClients(String name) {
        RedisClient admin = RedisClient.create(RedisURI.create(address()));
        try (StatefulRedisConnection<String, String> c = admin.connect()) {
            int killed = 0;
            for (String line : c.sync().clientList().split("\n")) {
                if (line.contains(" name=" + name + " ")) {
                    long id = Long.parseLong(line.substring(3, line.indexOf(' ')));
                    killed += (int) c.sync().clientKill(KillArgs.Builder.id(id)).longValue();
                }
            }
            return killed;
        } finally {
            admin.shutdown();
        }
    }
}
