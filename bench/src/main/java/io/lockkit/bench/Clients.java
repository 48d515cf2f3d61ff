package io.lockkit.bench;

import io.lockkit.Backend;
import io.lockkit.LockKit;
import io.lockkit.mariadb.MariaDbBackend;
import io.lockkit.mem.MemBackend;
import io.lockkit.mem.MemStore;
import io.lockkit.postgresql.PostgresBackend;
import io.lockkit.postgresql.TableNames;
import io.lockkit.redis.internal.RedisBackendProvider;
import io.lockkit.zookeeper.ZooKeeperBackend;
import java.net.URI;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.mariadb.jdbc.MariaDbDataSource;
import org.postgresql.ds.PGSimpleDataSource;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;
import org.redisson.config.TransportMode;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * The clients every benchmark uses, one configuration per store, so a lockkit backend, its floor
 * and its peers all talk through the same kind of client with the same settings. Thread-safe.
 */
final class Clients {
    /** Every lockkit variant, as {@code @Param} values and result-table rows. */
    static final List<String> VARIANTS = List.of(
            "mem/timed",
            "postgresql/table",
            "postgresql/advisory",
            "postgresql/rowlock",
            "mariadb/table",
            "mariadb/advisory",
            "mariadb/rowlock",
            "redis",
            "zookeeper");

    /**
     * The variants benchmarked uncontended only (JMH, the interleaved run, the round trips), not in
     * the handoff, idle-keys and counter runs: MariaDB's waiters poll (every 100 ms at most), there
     * is no release notification to hand off on yet.
     */
    static final List<String> UNCONTENDED_ONLY = List.of("mariadb/table", "mariadb/advisory", "mariadb/rowlock");

    /** The Redis backend's key prefix in the benchmarks. */
    static final String REDIS_PREFIX = "lockkit-bench";

    private Clients() {}

    /**
     * The store a lockkit variant or a peer runs on: {@code mem}, {@code postgresql}, {@code mariadb},
     * {@code redis}, {@code zookeeper}. A peer on MariaDB ends in {@code -mariadb}.
     */
    static String store(String subject) {
        String s = subject.toLowerCase(Locale.ROOT);
        if (s.startsWith("mariadb") || s.endsWith("-mariadb")) {
            return "mariadb";
        } else if (s.startsWith("mem")) {
            return "mem";
        } else if (s.startsWith("postgresql") || s.startsWith("shedlock/jdbc")) {
            return "postgresql";
        } else if (s.startsWith("redis") || s.startsWith("shedlock/redis")) {
            return "redis";
        } else if (s.startsWith("zookeeper") || s.startsWith("curator") || s.startsWith("shedlock/zookeeper")) {
            return "zookeeper";
        }
        throw new IllegalArgumentException("unknown subject: " + subject);
    }

    /**
     * A new lockkit client of {@code variant}; closing it closes the store client it made. Clients of
     * one variant share one store and key space (keys are fresh per trial, see {@link #freshKey}).
     */
    static Backend lockkit(String variant) {
        return switch (variant) {
            case "mem/timed" -> MemBackend.builder(MemStore.named("lockkit-bench"))
                    .leaseKind(MemBackend.LeaseKind.TIMED)
                    .build();
            case "postgresql/table" -> postgres(PostgresBackend.Variant.TABLE);
            case "postgresql/advisory" -> postgres(PostgresBackend.Variant.ADVISORY);
            case "postgresql/rowlock" -> postgres(PostgresBackend.Variant.ROWLOCK);
            case "mariadb/table", "mariadb/advisory", "mariadb/rowlock" -> mariadb(
                    mariaDbDataSource(Stores.mariadb()), variant);
            case "redis" -> redis(Stores.redis());
            case "zookeeper" -> zookeeper(curator());
            default -> throw new IllegalArgumentException("unknown variant: " + variant);
        };
    }

    /** The PostgreSQL tables of the idle-keys namespace ({@link IdleRun}). */
    static final TableNames IDLE_TABLES = new TableNames(
            "lockkit_idle_lock", "lockkit_idle_row_lock", "lockkit_idle_versioned", "lockkit_idle_token");

    /** The Redis prefix, ZooKeeper root and mem store name of the idle-keys namespace. */
    static final String IDLE_NAMESPACE = "lockkit-bench-idle";

    static final String IDLE_ROOT = "/lockkit-idle";

    /**
     * A new client of {@code variant} in the idle-keys namespace: its own tables, prefix, root or
     * store, so the keys {@link IdleKeys} puts there never meet the other benchmarks.
     */
    static Backend idleNamespace(String variant) {
        return switch (Clients.store(variant)) {
            case "mem" -> MemBackend.builder(MemStore.named(IDLE_NAMESPACE))
                    .leaseKind(MemBackend.LeaseKind.TIMED)
                    .build();
            case "postgresql" -> {
                PostgresBackend backend = PostgresBackend.builder(dataSource())
                        .maxConnections(CONNECTIONS)
                        .variant(postgresVariant(variant))
                        .tables(IDLE_TABLES)
                        .build();
                backend.createSchema();
                yield backend;
            }
            case "redis" -> LockKit.open(Stores.redis(), Map.of("prefix", IDLE_NAMESPACE));
            case "zookeeper" -> ZooKeeperBackend.builder(curator())
                    .root(IDLE_ROOT)
                    .closeClientOnClose(true)
                    .build();
            default -> throw new IllegalArgumentException("no idle-keys namespace for " + variant);
        };
    }

    /**
     * Connections of a PostgreSQL client here, and of the HikariCP pool its floor is measured on: the
     * benchmark's data source is lockkit's alone, so it gets the provider's default rather than the
     * smaller share lockkit takes of an application's pool.
     */
    static final int CONNECTIONS = 10;

    /** The Redis backend on {@code redisson}, which it shuts down when closed. */
    static Backend redis(String address) {
        return LockKit.open(address, Map.of("prefix", REDIS_PREFIX));
    }

    /**
     * Netty's transport of the client that lockkit's URI opens ({@code transport=auto}): epoll where
     * it loads, else NIO. The floors of lockkit's operations are measured on it; the peers run on
     * Redisson's default, NIO, as their users run them.
     */
    static TransportMode lockkitTransport() {
        return RedisBackendProvider.epollUnavailable() == null ? TransportMode.EPOLL : TransportMode.NIO;
    }

    /** The ZooKeeper backend on {@code curator}, which it closes when closed. */
    static Backend zookeeper(CuratorFramework curator) {
        return ZooKeeperBackend.builder(curator).closeClientOnClose(true).build();
    }

    private static PostgresBackend postgres(PostgresBackend.Variant variant) {
        return postgres(variant, dataSource());
    }

    /** A PostgreSQL backend of {@code variant} on {@code dataSource}, its schema created. */
    static PostgresBackend postgres(PostgresBackend.Variant variant, javax.sql.DataSource dataSource) {
        PostgresBackend backend = PostgresBackend.builder(dataSource)
                .maxConnections(CONNECTIONS)
                .variant(variant)
                .build();
        backend.createSchema();
        return backend;
    }

    /**
     * A started spring-data-redis Lettuce factory on the benchmark's Redis (ShedLock's Redis provider
     * runs on it), with Redisson's 3 s timeout, connected now so the first timed call does not pay for
     * it, as Redisson and Curator connect in the setup. The caller destroys it.
     */
    static LettuceConnectionFactory lettuce(String clientName) {
        URI address = URI.create(Stores.redis());
        LettuceClientConfiguration client = LettuceClientConfiguration.builder()
                .clientName(clientName)
                .commandTimeout(Duration.ofSeconds(3))
                .build();
        LettuceConnectionFactory factory = new LettuceConnectionFactory(
                new RedisStandaloneConfiguration(address.getHost(), address.getPort()), client);
        factory.setEagerInitialization(true);
        factory.afterPropertiesSet();
        factory.start();
        return factory;
    }

    /** The MariaDB variant named {@code mariadb/<variant>} on {@code dataSource}, its schema created. */
    static MariaDbBackend mariadb(DataSource dataSource, String variant) {
        MariaDbBackend backend = MariaDbBackend.builder(dataSource)
                .variant(MariaDbBackend.Variant.valueOf(
                        variant.substring("mariadb/".length()).toUpperCase(java.util.Locale.ROOT)))
                .maxConnections(CONNECTIONS)
                .build();
        backend.createSchema();
        return backend;
    }

    /** MariaDB Connector/J's plain DataSource on {@code url} (one new connection per {@code getConnection()}). */
    static MariaDbDataSource mariaDbDataSource(String url) {
        try {
            return new MariaDbDataSource(url);
        } catch (SQLException e) {
            throw new IllegalStateException("not a MariaDB JDBC URL: " + e.getMessage(), e);
        }
    }

    /** The PostgreSQL variant named {@code postgresql/<variant>}. */
    static PostgresBackend.Variant postgresVariant(String variant) {
        return switch (variant) {
            case "postgresql/table" -> PostgresBackend.Variant.TABLE;
            case "postgresql/advisory" -> PostgresBackend.Variant.ADVISORY;
            case "postgresql/rowlock" -> PostgresBackend.Variant.ROWLOCK;
            default -> throw new IllegalArgumentException("not a PostgreSQL variant: " + variant);
        };
    }

    /** A plain pgjdbc DataSource (one new connection per {@code getConnection()}, as lockkit's pool expects). */
    static PGSimpleDataSource dataSource() {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setURL(Stores.postgres());
        ds.setApplicationName("lockkit-bench");
        ds.setConnectTimeout(5);
        return ds;
    }

    /** A Redisson client for the peers: Redisson's default transport, NIO. */
    static RedissonClient redisson() {
        return redisson(TransportMode.NIO);
    }

    /** A Redisson client on {@code transport} (lockkit's floors: {@link #lockkitTransport()}). */
    static RedissonClient redisson(TransportMode transport) {
        Config config = new Config();
        config.setTransportMode(transport);
        config.setNettyThreads(4);
        config.useSingleServer()
                .setAddress(Stores.redis())
                .setClientName("lockkit-bench")
                .setConnectionMinimumIdleSize(1)
                .setConnectionPoolSize(32)
                .setSubscriptionConnectionMinimumIdleSize(1)
                .setConnectTimeout(2000)
                .setTimeout(3000);
        return Redisson.create(config);
    }

    /** A started Curator client, connected. */
    static CuratorFramework curator() {
        return curator(Stores.zookeeper());
    }

    /** {@link #curator()} on the ZooKeeper at {@code connect}. */
    static CuratorFramework curator(String connect) {
        CuratorFramework curator = CuratorFrameworkFactory.builder()
                .connectString(connect)
                .sessionTimeoutMs(10_000)
                .connectionTimeoutMs(5_000)
                .retryPolicy(new ExponentialBackoffRetry(100, 3))
                .build();
        curator.start();
        try {
            if (!curator.blockUntilConnected(10, TimeUnit.SECONDS)) {
                curator.close();
                throw new IllegalStateException("ZooKeeper at " + connect + " not reached in 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            curator.close();
            throw new IllegalStateException(e);
        }
        return curator;
    }

    /** A key no other trial uses. */
    static String freshKey(String what) {
        return "bench-" + what + "-" + UUID.randomUUID().toString().substring(0, 8);
    }
}
