package io.lockkit.bench;

import io.lockkit.Backend;
import io.lockkit.postgresql.TableNames;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.curator.utils.ZKPaths;
import org.redisson.api.RScript;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;

/**
 * Fills the idle-keys namespace of a store ({@link Clients#idleNamespace}) with {@code n} keys, fast
 * and once (a later call finds them): the state a busy deployment is in. Keys are {@code
 * bench-idle-1…n}.
 *
 * <ul>
 *   <li>PostgreSQL: one {@code INSERT … SELECT generate_series} per table: held leases (expiring in
 *       an hour) in the lock table, rows in the row-lock table, records in the versioned table. The
 *       advisory variant has no per-key rows; its idle keys are these rows (holding 10⁵ advisory
 *       locks would overflow the server's shared lock table).
 *   <li>Redis: one Lua script: a held lock (PX one hour) and a versioned record per key, in
 *       lockkit's key layout.
 *   <li>ZooKeeper: versioned records (persistent znodes carrying the bytes of a real record) in
 *       {@code multi} batches of {@value #ZK_BATCH}; held leases are ephemeral and would die with
 *       the filling session, so none are left.
 *   <li>mem: held leases and records through the API (the store lives in the benchmark's JVM).
 * </ul>
 */
final class IdleKeys {
    /** How many idle keys; 10⁵ unless this system property says otherwise (the smoke uses fewer). */
    static final String COUNT_PROPERTY = "lockkit.bench.idleKeys";

    static final int DEFAULT_COUNT = 100_000;
    private static final int ZK_BATCH = 1_000;
    private static final Duration HELD = Duration.ofHours(1);
    private static final String PREFIX = "bench-idle-";
    private static final byte[] VALUE = "idle".getBytes(StandardCharsets.UTF_8);

    private static final String REDIS_FILL =
            """
            for i = 1, tonumber(ARGV[1]) do
              redis.call('SET', KEYS[1] .. ':lock:bench-idle-' .. i, 'idle', 'PX', ARGV[2])
              redis.call('HSET', KEYS[1] .. ':value:bench-idle-' .. i, 'value', 'idle', 'version', '1')
            end
            return 1
            """;

    private IdleKeys() {}

    static int count() {
        int n = Integer.getInteger(COUNT_PROPERTY, DEFAULT_COUNT);
        if (n < 0) {
            throw new IllegalArgumentException(COUNT_PROPERTY + " must be ≥ 0, was " + n);
        }
        return n;
    }

    /** Fills the idle namespace of {@code variant}'s store; {@code client} is open on it (its schema exists). */
    static void fill(String variant, Backend client, int n) throws Exception {
        if (n == 0) {
            return;
        }
        long started = System.nanoTime();
        switch (Clients.store(variant)) {
            case "postgresql" -> postgres(n);
            case "redis" -> redis(n);
            case "zookeeper" -> zookeeper(client, n);
            default -> mem(client, n);
        }
        System.out.printf(
                "idle keys: %s has %d other keys (%d ms to fill or find)%n",
                variant, n, (System.nanoTime() - started) / 1_000_000);
    }

    private static void mem(Backend client, int n) {
        for (int i = 1; i <= n; i++) {
            client.jobLock().tryAcquire(PREFIX + i, HELD);
            client.versionedUpdate().create(PREFIX + i, VALUE);
        }
    }

    private static void postgres(int n) throws SQLException {
        TableNames t = Clients.IDLE_TABLES;
        String keys = "convert_to('" + PREFIX + "' || i, 'UTF8')";
        try (Connection c = Clients.dataSource().getConnection();
                Statement s = c.createStatement()) {
            s.execute("INSERT INTO " + t.lockTable() + " (key, token, owner, expires_at) SELECT " + keys
                    + ", nextval('" + t.tokenSequence() + "'), 0, clock_timestamp() + interval '1 hour'"
                    + " FROM generate_series(1, " + n + ") i ON CONFLICT (key) DO NOTHING");
            s.execute("INSERT INTO " + t.rowLockTable() + " (key) SELECT " + keys + " FROM generate_series(1, " + n
                    + ") i ON CONFLICT (key) DO NOTHING");
            s.execute("INSERT INTO " + t.versionedTable() + " (key, value, version, write_id) SELECT " + keys
                    + ", '\\x69646c65'::bytea, 1, 0 FROM generate_series(1, " + n + ") i ON CONFLICT (key) DO NOTHING");
            s.execute("ANALYZE " + t.lockTable() + ", " + t.rowLockTable() + ", " + t.versionedTable());
        }
    }

    private static void redis(int n) {
        RedissonClient redisson = Clients.redisson();
        try {
            redisson.getScript(StringCodec.INSTANCE)
                    .eval(
                            RScript.Mode.READ_WRITE,
                            REDIS_FILL,
                            RScript.ReturnType.INTEGER,
                            List.of("{" + Clients.IDLE_NAMESPACE + "}"),
                            Integer.toString(n),
                            Long.toString(HELD.toMillis()));
        } finally {
            redisson.shutdown(0, 2, TimeUnit.SECONDS);
        }
    }

    private static void zookeeper(Backend client, int n) throws Exception {
        try (CuratorFramework curator = Clients.curator()) {
            String values = Clients.IDLE_ROOT + "/values";
            if (curator.checkExists().forPath(ZKPaths.makePath(values, PREFIX + n)) != null) {
                return;
            }
            // The bytes of a real record, so the idle znodes look like lockkit's own.
            String template = PREFIX + "template";
            client.versionedUpdate().create(template, VALUE);
            byte[] record = curator.getData().forPath(ZKPaths.makePath(values, template));
            for (int from = 1; from <= n; from += ZK_BATCH) {
                List<CuratorOp> ops = new ArrayList<>();
                for (int i = from; i < from + ZK_BATCH && i <= n; i++) {
                    ops.add(curator.transactionOp().create().forPath(ZKPaths.makePath(values, PREFIX + i), record));
                }
                curator.transaction().forOperations(ops);
            }
        }
    }
}
