package io.lockkit.testkit.redis;

import io.lockkit.Backend;
import io.lockkit.LockKit;
import io.lockkit.tck.StoreFaults;
import io.lockkit.tck.TckTarget;
import io.lockkit.tck.harness.TcpProxy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * Redis as a TCK target: each client is opened with {@code LockKit.open} (so the Redis backend
 * must be on the class path), a Redisson client of its own on {@link RedisTestServer}, all under
 * one fresh key prefix. Each client connects through a {@link TcpProxy} of its own, so lost and delayed
 * replies hit that client only (all its connections, the release listener's included); its
 * connections are named, so that {@code CLIENT KILL} finds them. Calls through a proxy time out
 * after {@link #TIMEOUT}, so a lost reply is noticed quickly; lockkit's scripts are never re-sent by
 * Redisson (retries off per call), so a write whose reply was lost is {@code
 * OutcomeUnknownException}. Restarting the store is supported on the embedded server only. The race
 * comparison's target ({@link RedisTargetFactory}) connects straight, as its peers do.
 */
public final class RedisTarget implements TckTarget {
    /** The proxied clients' timeout: calls and connecting. */
    public static final Duration TIMEOUT = Duration.ofSeconds(2);

    private final RedisTestServer redis = RedisTestServer.get();
    private final String prefix = RedisTestServer.freshPrefix();
    private final Map<Backend, Client> clients = new ConcurrentHashMap<>();
    private final boolean proxied;

    private record Client(String name, @Nullable TcpProxy proxy) {}

    /** Every client through a proxy of its own: all faults supported. */
    public RedisTarget() {
        this(true);
    }

    /**
     * @param proxied false for clients connected straight to the server (the race comparison times
     *     handoffs, and its peers connect straight too): then lost and delayed replies are not
     *     supported
     */
    public RedisTarget(boolean proxied) {
        this.proxied = proxied;
    }

    @Override
    public String name() {
        return "redis";
    }

    @Override
    public Backend newClient() {
        String name = RedisTestServer.newClientName();
        TcpProxy proxy = null;
        if (proxied) {
            try {
                proxy = new TcpProxy(redis.host(), redis.port());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start a proxy in front of " + redis.address(), e);
            }
        }
        String address = proxy == null ? redis.address() : "redis://" + proxy.address();
        Map<String, String> options = new HashMap<>();
        options.put("prefix", prefix);
        options.put("clientName", name);
        if (proxied) { // short, so a lost reply is noticed quickly; the defaults for the race's load
            options.put("timeout", TIMEOUT.toMillis() + "ms");
            options.put("connectTimeout", TIMEOUT.toMillis() + "ms");
        }
        Backend backend = LockKit.open(address, options);
        clients.put(backend, new Client(name, proxy));
        return backend;
    }

    @Override
    public StoreFaults faults() {
        return new StoreFaults() {
            /** Redis has no server session beyond the connection: ending it is killing the connections. */
            @Override
            public void expireSession(Backend client) {
                killConnection(client);
            }

            /** The server closes the client's connections ({@code CLIENT KILL}); the proxy passes that on. */
            @Override
            public void killConnection(Backend client) {
                redis.killClients(client(client).name());
            }

            /** The process vanishes: the client closes (its Redisson client stops), releasing nothing. */
            @Override
            public void crash(Backend client) {
                client.close();
            }

            /** As {@link #unreachableClient()}, at the kit's listener that never answers. */
            @Override
            public Backend silentStoreClient(int port) {
                return LockKit.open(
                        "redis://127.0.0.1:" + port + "?timeout=500ms&connectTimeout=500ms&evictionPolicyCheck=off");
            }

            @Override
            public Set<Fault> supported() {
                Set<Fault> faults = StoreFaults.optionalFaults(proxied, redis.isEmbedded(), redis.isEmbedded());
                faults.add(Fault.SILENT_STORE);
                return faults;
            }

            @Override
            public Heal loseReplies(Backend client) {
                return proxy(client).losingReplies();
            }

            @Override
            public Heal delayReplies(Backend client, Duration delay) {
                return proxy(client).delayingReplies(delay);
            }

            /** The embedded server, persistence off, stops and starts again on its port: every key is lost. */
            @Override
            public void restartStore() {
                if (!redis.isEmbedded()) {
                    throw new UnsupportedOperationException(
                            "cannot restart the server named by " + RedisTestServer.URL_ENV + " (shared, not ours)");
                }
                redis.restart();
            }

            /**
             * The embedded server keeps nothing on disk, so a kill loses exactly what a restart loses
             * (every key): the restart is the kill.
             */
            @Override
            public void crashStore() {
                restartStore();
            }

            @Override
            public Backend unreachableClient() {
                // No server check: there is no server to check, and every call must say so (E2).
                return LockKit.open("redis://127.0.0.1:" + RedisTestServer.freePort()
                        + "?timeout=500ms&connectTimeout=500ms&evictionPolicyCheck=off");
            }
        };
    }

    private TcpProxy proxy(Backend backend) {
        TcpProxy proxy = client(backend).proxy();
        if (proxy == null) {
            throw new UnsupportedOperationException("this target's clients connect without a proxy");
        }
        return proxy;
    }

    private Client client(Backend backend) {
        Client c = clients.get(backend);
        if (c == null) {
            throw new IllegalArgumentException("not a client of this target: " + backend);
        }
        return c;
    }

    @Override
    public void close() {
        clients.forEach((backend, client) -> {
            backend.close();
            if (client.proxy() != null) {
                client.proxy().close();
            }
        });
        clients.clear();
    }
}
