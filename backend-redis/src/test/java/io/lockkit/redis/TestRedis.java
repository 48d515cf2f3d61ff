package io.lockkit.redis;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.util.List;
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
 * The Redis server the tests run against: an embedded redis-server on a free port, started once
 * per JVM with persistence off ({@code save ""}, {@code appendonly no}) so that a restart loses
 * everything; or, when the environment variable {@value #URL_ENV} is set, the server it names
 * (then tests that restart or reconfigure the server are skipped, saying why); or, when {@value
 * #TESTCONTAINERS_ENV} is {@code true}, one Testcontainers {@code redis:7} per JVM (Docker
 * required), used as a named server is. Thread-safe.
 */
final class TestRedis {
    static final String URL_ENV = "LOCKKIT_REDIS_URL";
    static final String TESTCONTAINERS_ENV = "LOCKKIT_TESTCONTAINERS";

    private static final AtomicInteger CLIENTS = new AtomicInteger();
    private static @Nullable TestRedis instance;

    private final String host;
    private final int port;
    private final @Nullable RedisServer embedded;

    private TestRedis(String host, int port, @Nullable RedisServer embedded) {
        this.host = host;
        this.port = port;
        this.embedded = embedded;
    }

    static synchronized TestRedis get() {
        if (instance == null) {
            String url = System.getenv(URL_ENV);
            if (url != null && !url.isBlank()) {
                URI u = URI.create(url);
                instance = new TestRedis(u.getHost(), u.getPort() < 0 ? 6379 : u.getPort(), null);
            } else if ("true".equalsIgnoreCase(System.getenv(TESTCONTAINERS_ENV))) {
                GenericContainer<?> redis = startContainer();
                instance = new TestRedis(redis.getHost(), redis.getMappedPort(6379), null);
            } else {
                int port = freePort();
                RedisServer server = newServer(port);
                start(server);
                instance = new TestRedis("127.0.0.1", port, server);
                Runtime.getRuntime().addShutdownHook(new Thread(() -> stopQuietly(server)));
            }
        }
        return instance;
    }

    boolean isEmbedded() {
        return embedded != null;
    }

    String address() {
        return "redis://" + host + ":" + port;
    }

    /** A fresh prefix, so that runs and test classes never see each other's keys, even on a shared server. */
    static String freshPrefix() {
        return "lockkit-test-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** A new Redisson client of this server whose connections carry {@code clientName}. */
    RedissonClient newRedisson(String clientName) {
        return newRedisson(clientName, address(), 3000);
    }

    /**
     * A new Redisson client whose connections carry {@code clientName}, connecting to {@code
     * address} ({@code redis://host:port}, such as a proxy in front of this server) with a response
     * timeout of {@code timeoutMillis}.
     */
    static RedissonClient newRedisson(String clientName, String address, int timeoutMillis) {
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

    String host() {
        return host;
    }

    int port() {
        return port;
    }

    static String newClientName() {
        return "lockkit-test-client-" + CLIENTS.incrementAndGet();
    }

    /** A raw admin connection. */
    Resp admin() {
        return new Resp(host, port);
    }

    /**
     * Sends {@code DEBUG SLEEP seconds} on {@code admin} (whose reply the caller reads later) and
     * returns once the server is asleep: a probe's PING goes unanswered.
     */
    void sleepServer(Resp admin, int seconds) {
        admin.send("DEBUG", "SLEEP", Integer.toString(seconds));
        while (true) {
            try (Resp probe = admin()) {
                probe.timeout(50);
                if (probe.pingTimesOut()) {
                    return;
                }
            }
        }
    }

    /** Kills every connection whose CLIENT SETNAME is {@code name}; returns how many. */
    int killClients(String name) {
        try (Resp r = admin()) {
            String list = (String) r.call("CLIENT", "LIST");
            int killed = 0;
            for (String line : list.split("\n")) {
                if (line.contains(" name=" + name + " ")) {
                    String id = line.substring(3, line.indexOf(' '));
                    Object reply = r.call("CLIENT", "KILL", "ID", id);
                    killed += reply instanceof Long n ? n.intValue() : 0;
                }
            }
            return killed;
        }
    }

    /** Stops the embedded server without saving (it has no persistence) and starts it again, empty, on the same port. */
    void restart() {
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
    static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<String> lines(String info) {
        return List.of(info.split("\r?\n"));
    }
}
