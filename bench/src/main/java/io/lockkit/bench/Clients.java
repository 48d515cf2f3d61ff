package io.lockkit.bench;

import io.lockkit.Backend;
import io.lockkit.mem.MemBackend;
import io.lockkit.mem.MemStore;
import io.lockkit.postgresql.PostgresBackend;
import io.lockkit.redis.RedisBackend;
import io.lockkit.zookeeper.ZooKeeperBackend;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.postgresql.ds.PGSimpleDataSource;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;

/**
 * The clients every benchmark uses, one configuration per store, so a lockkit backend, its floor
 * and its peers all talk through the same kind of client with the same settings. Thread-safe.
 */
final class Clients {
    /** Every lockkit variant, as {@code @Param} values and result-table rows. */
    static final List<String> VARIANTS =
            List.of("mem/timed", "postgresql/table", "postgresql/advisory", "postgresql/rowlock", "redis", "zookeeper");

    private Clients() {}

    /** The store a lockkit variant or a peer runs on: {@code mem}, {@code postgresql}, {@code redis}, {@code zookeeper}. */
    static String store(String subject) {
        String s = subject.toLowerCase(Locale.ROOT);
        if (s.startsWith("mem")) {
            return "mem";
        } else if (s.startsWith("postgresql") || s.startsWith("shedlock/jdbc")) {
            return "postgresql";
        } else if (s.startsWith("redis")) {
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
            case "redis" -> RedisBackend.builder(redisson())
                    .prefix("lockkit-bench")
                    .shutdownClientOnClose(true)
                    .build();
            case "zookeeper" -> ZooKeeperBackend.builder(curator())
                    .closeClientOnClose(true)
                    .build();
            default -> throw new IllegalArgumentException("unknown variant: " + variant);
        };
    }

    private static PostgresBackend postgres(PostgresBackend.Variant variant) {
        PostgresBackend backend =
                PostgresBackend.builder(dataSource()).variant(variant).build();
        backend.createSchema();
        return backend;
    }

    /** A plain pgjdbc DataSource (one new connection per {@code getConnection()}, as lockkit's pool expects). */
    static PGSimpleDataSource dataSource() {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setURL(Stores.postgres());
        ds.setApplicationName("lockkit-bench");
        ds.setConnectTimeout(5);
        return ds;
    }

    /** A Redisson client configured as the backend tests configure theirs. */
    static RedissonClient redisson() {
        Config config = new Config();
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
        CuratorFramework curator = CuratorFrameworkFactory.builder()
                .connectString(Stores.zookeeper())
                .sessionTimeoutMs(10_000)
                .connectionTimeoutMs(5_000)
                .retryPolicy(new ExponentialBackoffRetry(100, 3))
                .build();
        curator.start();
        try {
            if (!curator.blockUntilConnected(10, TimeUnit.SECONDS)) {
                curator.close();
                throw new IllegalStateException("ZooKeeper at " + Stores.zookeeper() + " not reached in 10 s");
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
