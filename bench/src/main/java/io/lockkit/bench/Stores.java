package io.lockkit.bench;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.curator.test.TestingServer;
import redis.embedded.RedisServer;

/**
 * Where the three stores are: the address in a system property ({@value #POSTGRES}, {@value
 * #REDIS}, {@value #ZOOKEEPER}), else the one in the environment variable the backend tests read
 * ({@code LOCKKIT_POSTGRES_URL}, {@code LOCKKIT_REDIS_URL}, {@code LOCKKIT_ZOOKEEPER_CONNECT}), else
 * an embedded server started on first use and stopped when the JVM exits. {@link BenchMain} starts
 * them once and hands the addresses to every JMH fork as system properties, so forks never start
 * servers of their own. Thread-safe.
 */
final class Stores {
    static final String POSTGRES = "lockkit.bench.postgres";
    static final String REDIS = "lockkit.bench.redis";
    static final String ZOOKEEPER = "lockkit.bench.zookeeper";

    private Stores() {}

    /** A JDBC URL with user and password. */
    static synchronized String postgres() {
        return locate(POSTGRES, "LOCKKIT_POSTGRES_URL", Stores::startPostgres);
    }

    /** {@code redis://host:port}. */
    static synchronized String redis() {
        return locate(REDIS, "LOCKKIT_REDIS_URL", Stores::startRedis);
    }

    /** A ZooKeeper connect string. */
    static synchronized String zookeeper() {
        return locate(ZOOKEEPER, "LOCKKIT_ZOOKEEPER_CONNECT", Stores::startZooKeeper);
    }

    /** Every store's address as the system properties a fork needs, starting what is not running. */
    static Map<String, String> all() {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put(POSTGRES, postgres());
        properties.put(REDIS, redis());
        properties.put(ZOOKEEPER, zookeeper());
        return properties;
    }

    private interface Starter {
        String start() throws Exception;
    }

    private static String locate(String property, String variable, Starter starter) {
        String address = System.getProperty(property);
        if (address == null || address.isBlank()) {
            address = System.getenv(variable);
        }
        if (address == null || address.isBlank()) {
            try {
                address = starter.start();
            } catch (Exception e) {
                throw new IllegalStateException("cannot start the embedded store for " + property, e);
            }
        }
        System.setProperty(property, address.strip());
        return address.strip();
    }

    private static String startPostgres() throws IOException {
        EmbeddedPostgres pg = EmbeddedPostgres.builder()
                .setServerConfig("max_connections", "300")
                .start();
        onExit(pg::close);
        return pg.getJdbcUrl("postgres", "postgres");
    }

    private static String startRedis() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        // The settings lockkit's Redis backend requires: no eviction; persistence off as in its tests.
        RedisServer redis = RedisServer.newRedisServer()
                .port(port)
                .bind("127.0.0.1")
                .setting("save \"\"")
                .setting("appendonly no")
                .setting("maxmemory-policy noeviction")
                .build();
        redis.start();
        onExit(redis::stop);
        return "redis://127.0.0.1:" + port;
    }

    private static String startZooKeeper() throws Exception {
        TestingServer zk = new TestingServer(true);
        onExit(zk::close);
        return zk.getConnectString();
    }

    private interface Stop {
        void stop() throws IOException;
    }

    private static void onExit(Stop stop) {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                stop.stop();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }));
    }
}
