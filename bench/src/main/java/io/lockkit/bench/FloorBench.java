package io.lockkit.bench;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.apache.curator.framework.CuratorFramework;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.redisson.api.RScript;
import org.redisson.api.RedissonClient;
import org.redisson.api.options.OptionalOptions;
import org.redisson.client.codec.ByteArrayCodec;

/**
 * The floor of each store: one round trip of the client lockkit uses, doing nothing useful.
 * PostgreSQL and MariaDB: a prepared {@code SELECT 1} on one open connection. Redis: {@code
 * EVALSHA} of a script that returns 1, sent through Redisson as lockkit sends its scripts (same
 * codec, retries off). ZooKeeper: {@code exists} on the root through Curator.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class FloorBench {
    private static final String NOTHING_SCRIPT = "return 1";

    /** One round trip. */
    private interface RoundTrip {
        Object run() throws Exception;
    }

    @Param({"postgresql", "mariadb", "redis", "zookeeper"})
    public String store = "";

    private final Deque<AutoCloseable> opened = new ArrayDeque<>();
    private RoundTrip roundTrip = () -> {
        throw new IllegalStateException("not set up");
    };

    @Setup
    public void open() throws Exception {
        roundTrip = switch (store) {
            case "postgresql" -> selectOne(Clients.dataSource());
            case "mariadb" -> selectOne(Clients.mariaDbDataSource(Stores.mariadb()));
            case "redis" -> evalSha();
            case "zookeeper" -> exists();
            default -> throw new IllegalArgumentException("unknown store: " + store);
        };
    }

    private RoundTrip selectOne(DataSource dataSource) throws Exception {
        Connection connection = dataSource.getConnection();
        opened.push(connection);
        PreparedStatement select = connection.prepareStatement("SELECT 1");
        return () -> {
            try (ResultSet rs = select.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        };
    }

    private RoundTrip evalSha() {
        RedissonClient redisson = Clients.redisson(Clients.lockkitTransport());
        opened.push(redisson::shutdown);
        RScript script = redisson.getScript(
                OptionalOptions.defaults().codec(ByteArrayCodec.INSTANCE).retryAttempts(0));
        String sha = script.scriptLoad(NOTHING_SCRIPT);
        List<Object> keys = List.of("bench-floor");
        return () -> script.<Long>evalSha(RScript.Mode.READ_WRITE, sha, RScript.ReturnType.INTEGER, keys);
    }

    private RoundTrip exists() {
        CuratorFramework curator = Clients.curator();
        opened.push(curator);
        return () -> curator.checkExists().forPath("/");
    }

    @TearDown
    public void close() throws Exception {
        while (!opened.isEmpty()) {
            opened.pop().close();
        }
    }

    @Benchmark
    public Object roundTrip() throws Exception {
        return roundTrip.run();
    }
}
