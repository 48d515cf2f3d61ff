package io.lockkit.bench;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.TimeUnit;
import net.javacrumbs.shedlock.core.LockProvider;
import net.javacrumbs.shedlock.provider.jdbc.JdbcLockProvider;
import net.javacrumbs.shedlock.provider.jdbctemplate.JdbcTemplateLockProvider;
import net.javacrumbs.shedlock.provider.redis.spring.RedisLockProvider;
import net.javacrumbs.shedlock.provider.zookeeper.curator.ZookeeperCuratorLockProvider;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.locks.InterProcessLock;
import org.apache.curator.framework.recipes.locks.InterProcessMutex;
import org.apache.curator.framework.recipes.locks.InterProcessSemaphoreMutex;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.redisson.api.RFencedLock;
import org.redisson.api.RLock;
import org.redisson.api.RedissonClient;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The peers doing lockkit's uncontended job, one thread: take a free lock without waiting, then
 * release it. Redisson {@code RLock} and {@code RFencedLock} (the fenced one also returns a token,
 * as lockkit does), Curator {@code InterProcessMutex} and {@code InterProcessSemaphoreMutex}, and
 * ShedLock's providers (shedlock-core 7.10.1): plain JDBC ({@code JdbcLockProvider} 6.9.2, the
 * newest the registry serves) on a HikariCP pool; {@code JdbcTemplateLockProvider} 7.10.1 with
 * {@code usingDbTime()}, the setup ShedLock's README recommends, on a Spring {@code JdbcTemplate}
 * over the same kind of pool (each statement in a transaction of its own), both on PostgreSQL and,
 * as {@code shedlock/jdbc-mariadb} and {@code shedlock/jdbc-template-mariadb}, on MariaDB (on the
 * table ShedLock documents for MySQL, in the benchmark's database); Spring Redis on a
 * spring-data-redis {@code LettuceConnectionFactory} ({@code SET NX PX}, unlock {@code DEL}); and
 * ZooKeeper on Curator (4.42.0, the newest the registry serves: a persistent node per name, locked
 * by {@code getData} then a versioned {@code setData}, unlocked by a {@code setData}). A lock that
 * is not granted throws. Not thread-safe: one instance per benchmark thread.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class PeerBench {
    private static final Duration LEASE = Duration.ofSeconds(30);
    private static final String SHEDLOCK_DDL = "CREATE TABLE IF NOT EXISTS shedlock (name VARCHAR(64) NOT NULL,"
            + " lock_until TIMESTAMP NOT NULL, locked_at TIMESTAMP NOT NULL, locked_by VARCHAR(255) NOT NULL,"
            + " PRIMARY KEY (name))";
    /** ShedLock's documented MySQL table (MariaDB included), created where missing. */
    static final String SHEDLOCK_MARIADB_DDL = "CREATE TABLE IF NOT EXISTS shedlock(name VARCHAR(255) NOT NULL,"
            + " lock_until TIMESTAMP(3) NOT NULL, locked_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),"
            + " locked_by VARCHAR(255) NOT NULL, PRIMARY KEY (name))";

    /** One lock and unlock. */
    private interface LockUnlock {
        void run() throws Exception;
    }

    @Param({
        "redisson/RLock",
        "redisson/RFencedLock",
        "curator/InterProcessMutex",
        "curator/InterProcessSemaphoreMutex",
        "shedlock/jdbc",
        "shedlock/jdbc-template",
        "shedlock/jdbc-mariadb",
        "shedlock/jdbc-template-mariadb",
        "shedlock/redis",
        "shedlock/zookeeper"
    })
    public String peer = "";

    private final Deque<AutoCloseable> opened = new ArrayDeque<>();
    private LockUnlock lockUnlock = () -> {
        throw new IllegalStateException("not set up");
    };

    @Setup
    public void open() throws Exception {
        String key = Clients.freshKey("peer");
        lockUnlock = switch (peer) {
            case "redisson/RLock" -> rLock(redisson().getLock(key));
            case "redisson/RFencedLock" -> rFencedLock(redisson().getFencedLock(key));
            case "curator/InterProcessMutex" -> curatorLock(new InterProcessMutex(curator(), "/bench-peers/" + key));
            case "curator/InterProcessSemaphoreMutex" -> curatorLock(
                    new InterProcessSemaphoreMutex(curator(), "/bench-peers/" + key));
            case "shedlock/jdbc" -> shedLock(new JdbcLockProvider(shedLockPool(Stores.postgres(), SHEDLOCK_DDL)), key);
            case "shedlock/jdbc-template" -> shedLock(
                    jdbcTemplateProvider(shedLockPool(Stores.postgres(), SHEDLOCK_DDL)), key);
            case "shedlock/jdbc-mariadb" -> shedLock(
                    new JdbcLockProvider(shedLockPool(Stores.mariadb(), SHEDLOCK_MARIADB_DDL)), key);
            case "shedlock/jdbc-template-mariadb" -> shedLock(
                    jdbcTemplateProvider(shedLockPool(Stores.mariadb(), SHEDLOCK_MARIADB_DDL)), key);
            case "shedlock/redis" -> shedLock(new RedisLockProvider(lettuce(), "lockkit-bench"), key);
            case "shedlock/zookeeper" -> shedLock(new ZookeeperCuratorLockProvider(curator(), "/bench-shedlock"), key);
            default -> throw new IllegalArgumentException("unknown peer: " + peer);
        };
    }

    @TearDown
    public void close() throws Exception {
        while (!opened.isEmpty()) {
            opened.pop().close();
        }
    }

    @Benchmark
    public void lockUnlock() throws Exception {
        lockUnlock.run();
    }

    private LockUnlock rLock(RLock lock) {
        return () -> {
            if (!lock.tryLock(0, LEASE.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException(peer + ": uncontended tryLock failed");
            }
            lock.unlock();
        };
    }

    private LockUnlock rFencedLock(RFencedLock lock) {
        return () -> {
            if (lock.tryLockAndGetToken(0, LEASE.toMillis(), TimeUnit.MILLISECONDS) == null) {
                throw new IllegalStateException(peer + ": uncontended tryLockAndGetToken failed");
            }
            lock.unlock();
        };
    }

    private LockUnlock curatorLock(InterProcessLock lock) {
        return () -> {
            if (!lock.acquire(0, TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException(peer + ": uncontended acquire failed");
            }
            lock.release();
        };
    }

    /**
     * ShedLock's {@code JdbcTemplateLockProvider} with {@code usingDbTime()} (the setup its README
     * recommends; it picks the statements for the database the pool's metadata names).
     */
    private static JdbcTemplateLockProvider jdbcTemplateProvider(HikariDataSource pool) {
        return new JdbcTemplateLockProvider(JdbcTemplateLockProvider.Configuration.builder()
                .withJdbcTemplate(new JdbcTemplate(pool))
                .usingDbTime()
                .build());
    }

    /** A HikariCP pool on the database at {@code jdbcUrl}, with ShedLock's table created by {@code ddl}. */
    private HikariDataSource shedLockPool(String jdbcUrl, String ddl) throws Exception {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl);
        config.setMaximumPoolSize(2);
        HikariDataSource pool = new HikariDataSource(config);
        opened.push(pool);
        try (Connection c = pool.getConnection();
                Statement s = c.createStatement()) {
            s.execute(ddl);
        }
        return pool;
    }

    private LockUnlock shedLock(LockProvider provider, String key) {
        return new ShedLockRound(provider, key)::lockUnlock;
    }

    private LettuceConnectionFactory lettuce() {
        LettuceConnectionFactory factory = Clients.lettuce("lockkit-bench");
        opened.push(factory::destroy);
        return factory;
    }

    private RedissonClient redisson() {
        RedissonClient redisson = Clients.redisson();
        opened.push(redisson::shutdown);
        return redisson;
    }

    private CuratorFramework curator() {
        CuratorFramework curator = Clients.curator();
        opened.push(curator);
        return curator;
    }
}
