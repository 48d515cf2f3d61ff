package io.lockkit.testkit.redis;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import redis.embedded.RedisServer;

/**
 * The Redis server the tests run against: an embedded redis-server on a free port, started on
 * first use, once per JVM, with persistence off ({@code save ""}, {@code appendonly no}) so that a restart loses
 * everything; or, when the environment variable {@value #URL_ENV} is set, the server it names
 * (then tests that restart or reconfigure the server are skipped, saying why); or, when {@value
 * #TESTCONTAINERS_ENV} is {@code true}, one Testcontainers {@code redis:7} per JVM (Docker
 * required), used as a named server is. Thread-safe.
 */
public final class RedisTestServer {
    public static final String URL_ENV = "LOCKKIT_REDIS_URL";
    public static final String TESTCONTAINERS_ENV = "LOCKKIT_TESTCONTAINERS";

    private static final AtomicInteger CLIENTS = new AtomicInteger();
    private static @Nullable RedisTestServer instance;

    private final String host;
    private final int port;
    private final @Nullable RedisServer embedded;

    private RedisTestServer(String host, int port, @Nullable RedisServer embedded) {
        this.host = host;
        this.port = port;
        this.embedded = embedded;
    }

    /** The server, starting it on first use. */
    public static synchronized RedisTestServer get() {
        if (instance == null) {
            String url = System.getenv(URL_ENV);
            if (url != null && !url.isBlank()) {
                URI u = URI.create(url);
                instance = new RedisTestServer(u.getHost(), u.getPort() < 0 ? 6379 : u.getPort(), null);
            } else if ("true".equalsIgnoreCase(System.getenv(TESTCONTAINERS_ENV))) {
                GenericContainer<?> redis = startContainer();
                instance = new RedisTestServer(redis.getHost(), redis.getMappedPort(6379), null);
            } else {
                int port = freePort();
                RedisServer server = newServer(port);
                start(server);
                instance = new RedisTestServer("127.0.0.1", port, server);
                Runtime.getRuntime().addShutdownHook(new Thread(() -> stopQuietly(server)));
            }
        }
        return instance;
    }

    /** Whether the server was started here (and so may be restarted, reconfigured or put to sleep). */
    public boolean isEmbedded() {
        return embedded != null;
    }

    /** {@code redis://host:port}. */
    public String address() {
        return "redis://" + host + ":" + port;
    }

    /** A fresh prefix, so that runs and test classes never see each other's keys, even on a shared server. */
    public static String freshPrefix() {
        return freshPrefix("test");
    }

    /** A fresh prefix {@code lockkit-<label>-<random>}. */
    public static String freshPrefix(String label) {
        return "lockkit-" + label + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** A new Redisson client of this server whose connections carry {@code clientName}. */
    public RedissonClient newRedisson(String clientName) {
        return newRedisson(clientName, address(), 3000);
    }

    /**
     * A new Redisson client whose connections carry {@code clientName}, connecting to {@code
     * address} ({@code redis://host:port}, such as a proxy in front of this server) with a response
     * timeout of {@code timeoutMillis}.
     */
    public static RedissonClient newRedisson(String clientName, String address, int timeoutMillis) {
        Config config = new Config();
        config.setNettyThreads(4);
        config.useSingleServer()
                .setAddress(address)
                .setClientName(clientName)
                .setConnectionMinimumIdleSize(1)
                .setConnectionPoolSize(32)
                .setSubscriptionConnectionMinimumIdleSize(1)
                .setConnectTimeout(2000)
                .setTimeout(timeoutMillis);
        return Redisson.create(config);
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    /** A client name no other client of this JVM carries. */
    public static String newClientName() {
        return newClientName("test-client");
    }

    /** A client name {@code lockkit-<label>-<n>} no other client of this JVM carries. */
    public static String newClientName(String label) {
        return "lockkit-" + label + "-" + CLIENTS.incrementAndGet();
    }

    /** A new admin connection to the server, apart from any client under test; the caller closes it. */
    public RedisAdmin admin() {
        return new RedisAdmin(address());
    }

    /** Kills every connection whose {@code CLIENT SETNAME} is {@code name}; returns how many. */
    public int killClients(String name) {
        try (RedisAdmin admin = admin()) {
            return admin.killClients(name);
        }
    }

    /** Stops the embedded server without saving (it has no persistence) and starts it again, empty, on the same port. */
    public void restart() {
        if (embedded == null) {
            throw new IllegalStateException("cannot restart a server named by " + URL_ENV);
        }
        stopQuietly(embedded);
        start(embedded);
    }

    private static GenericContainer<?> startContainer() {
        if (!DockerClientFactory.instance().isDockerAvailable()) {
            throw new IllegalStateException("Docker is not available, but " + TESTCONTAINERS_ENV
                    + "=true asks for a Testcontainers Redis: start Docker, or unset " + TESTCONTAINERS_ENV);
        }
        GenericContainer<?> redis = new GenericContainer<>("redis:7")
                .withExposedPorts(6379)
                .withCommand("redis-server", "--save", "", "--appendonly", "no");
        redis.start();
        Runtime.getRuntime().addShutdownHook(new Thread(redis::stop));
        return redis;
    }

    private static RedisServer newServer(int port) {
        try {
            return RedisServer.newRedisServer()
                    .port(port)
                    .bind("127.0.0.1")
                    .setting("save \"\"")
                    .setting("appendonly no")
                    .setting("maxmemory-policy noeviction")
                    .build();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the embedded Redis", e);
        }
    }

    private static void start(RedisServer server) {
        try {
            server.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the embedded Redis", e);
        }
    }

    private static void stopQuietly(RedisServer server) {
        try {
            server.stop();
        } catch (IOException e) {
            // already stopped
        }
    }

    /** A port where nothing listens: bound, then closed. */
    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
