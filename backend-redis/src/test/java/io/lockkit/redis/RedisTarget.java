package io.lockkit.redis;

import io.lockkit.Backend;
import io.lockkit.tck.StoreFaults;
import io.lockkit.tck.TckTarget;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;

/**
 * Redis as a TCK target: each client is its own Redisson client (its own connections, named so
 * that {@code CLIENT KILL} finds them) on one test server, all under one fresh key prefix.
 */
final class RedisTarget implements TckTarget {
    private final TestRedis redis = TestRedis.get();
    private final String prefix = TestRedis.freshPrefix();
    private final Map<Backend, Client> clients = new ConcurrentHashMap<>();

    private record Client(RedissonClient redisson, String name) {}

    @Override
    public String name() {
        return "redis";
    }

    @Override
    public Backend newClient() {
        String name = TestRedis.newClientName();
        RedissonClient redisson = redis.newRedisson(name);
        Backend backend = RedisBackend.builder(redisson)
                .prefix(prefix)
                .shutdownClientOnClose(true)
                .build();
        clients.put(backend, new Client(redisson, name));
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

            @Override
            public void killConnection(Backend client) {
                redis.killClients(client(client).name());
            }

            /** The process vanishes: its Redisson client stops at once, releasing nothing. */
            @Override
            public void crash(Backend client) {
                client(client).redisson().shutdown(0, 0, java.util.concurrent.TimeUnit.MILLISECONDS);
            }

            @Override
            public Backend unreachableClient() {
                Config config = new Config();
                config.setLazyInitialization(true);
                config.setNettyThreads(2);
                config.useSingleServer()
                        .setAddress("redis://127.0.0.1:" + TestRedis.freePort())
                        .setConnectTimeout(500)
                        .setTimeout(500)
                        .setRetryAttempts(0);
                // No server check: there is no server to check, and every call must say so (E2).
                return RedisBackend.builder(Redisson.create(config))
                        .timeout(Duration.ofMillis(500))
                        .evictionPolicyCheck(RedisBackend.EvictionPolicyCheck.OFF)
                        .shutdownClientOnClose(true)
                        .build();
            }
        };
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
        clients.keySet().forEach(Backend::close);
        clients.clear();
    }
}
