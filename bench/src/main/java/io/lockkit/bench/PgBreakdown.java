package io.lockkit.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.lockkit.Backend;
import io.lockkit.Lease;
import io.lockkit.postgresql.PostgresBackend;
import io.lockkit.postgresql.TableStatements;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import net.javacrumbs.shedlock.core.LockConfiguration;
import net.javacrumbs.shedlock.core.LockProvider;
import net.javacrumbs.shedlock.provider.jdbc.JdbcLockProvider;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Where PostgreSQL's acquire + release time goes, measured so that the steps can be subtracted from
 * one another: every step runs in the same thread, <em>interleaved</em> (round after round, a batch
 * of each step in turn), so the load of other work on a shared machine falls on all of them alike,
 * which separate JMH forks cannot promise. Steps: the read floor ({@code SELECT 1}), the write floor
 * (a single-row autocommit {@code UPDATE}), lockkit's table statements raw, as the backend sends
 * them ({@code TableStatements} of backend-jdbc reads them from its {@code Sql}), with and without
 * the release's {@code pg_notify}, the same statements through Jdbi's fluent API on one handle (how the backend sent them before it ran them as plain JDBC), lockkit's table
 * backend itself (acquire and release timed apart), ShedLock's statements raw and ShedLock's JDBC
 * provider itself. Prints medians and writes them to {@code breakdown.json}: {@code PgBreakdown
 * OUT.json [ROUNDS [WARM-UP ROUNDS]]} (defaults 40 and 300: enough for the JIT to compile every
 * step fully, as a JMH fork's warm-up does; with 10 warm-up rounds Jdbi ran partly interpreted and
 * looked 200 µs slower than it is). {@link BenchMain} runs it in its own JVM in full runs, and in its
 * own with one round in smoke runs.
 */
public final class PgBreakdown {
    static final String READ = "SELECT 1 (read floor)";
    static final String WRITE = "UPDATE one row, autocommit (write floor)";
    static final String RAW = "lockkit table statements, raw JDBC";
    static final String RAW_QUIET = "lockkit table statements, raw JDBC, no pg_notify";
    static final String JDBI = "lockkit table statements, through Jdbi on one handle";
    static final String LOCKKIT = "lockkit postgresql/table tryAcquire + release";
    static final String RELEASE = "lockkit release alone";
    static final String SHED_RAW = "ShedLock statements, raw JDBC";
    static final String SHED = "ShedLock JdbcLockProvider lock + unlock (HikariCP)";
    /** ShedLock 6's JDBC provider, after the first insert of a name: lock, then unlock. */
    static final String SHEDLOCK_LOCK =
            "UPDATE shedlock SET lock_until = ?, locked_at = ?, locked_by = ? WHERE name = ? AND lock_until <= ?";

    static final String SHEDLOCK_UNLOCK = "UPDATE shedlock SET lock_until = ? WHERE name = ?";
    private static final int BATCH = 50;
    private static final Duration LEASE = Duration.ofSeconds(30);

    private PgBreakdown() {}

    public static void main(String[] args) throws Exception {
        run(args);
        System.exit(0);
    }

    /** Measures and writes {@code OUT.json}; returns the medians (µs) by step. */
    static Map<String, Double> run(String... args) throws Exception {
        Path out = Path.of(args.length > 0 ? args[0] : "breakdown.json");
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 40;
        // Long enough for the JIT to compile every step's path fully (C2), as in a JMH fork.
        int warmupRounds = args.length > 2 ? Integer.parseInt(args[2]) : 300;
        Deque<AutoCloseable> opened = new ArrayDeque<>();
        try {
            Map<String, Interleaved.Step> steps = steps(opened);
            long[][] samples = Interleaved.run(List.copyOf(steps.values()), BATCH, warmupRounds, rounds);
            Map<String, Double> medians = new LinkedHashMap<>();
            List<String> names = List.copyOf(steps.keySet());
            for (int s = 0; s < names.size(); s++) {
                medians.put(names.get(s), Interleaved.micros(samples[s], 0.5));
                System.out.printf(
                        Locale.ROOT,
                        "%-58s median %8.1f µs  (p25 %8.1f, p75 %8.1f)%n",
                        names.get(s),
                        Interleaved.micros(samples[s], 0.5),
                        Interleaved.micros(samples[s], 0.25),
                        Interleaved.micros(samples[s], 0.75));
            }
            new ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(out.toFile(), medians);
            return medians;
        } finally {
            while (!opened.isEmpty()) {
                opened.pop().close();
            }
        }
    }

    private static Map<String, Interleaved.Step> steps(Deque<AutoCloseable> opened) throws SQLException {
        Backend lockkit = Clients.postgres(PostgresBackend.Variant.TABLE, Clients.dataSource());
        opened.push(lockkit);
        Connection c = Clients.dataSource().getConnection();
        opened.push(c);
        String name = Clients.freshKey("breakdown");
        byte[] key = name.getBytes(StandardCharsets.UTF_8);
        try (Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS bench_work (id text PRIMARY KEY, v bigint NOT NULL)");
            s.execute("CREATE TABLE IF NOT EXISTS shedlock (name VARCHAR(64) NOT NULL, lock_until TIMESTAMP NOT NULL,"
                    + " locked_at TIMESTAMP NOT NULL, locked_by VARCHAR(255) NOT NULL, PRIMARY KEY (name))");
            s.execute("INSERT INTO bench_work (id, v) VALUES ('" + name + "', 0)");
            s.execute("INSERT INTO shedlock VALUES ('" + name + "', now(), now(), 'bench')");
        }
        PreparedStatement select = c.prepareStatement("SELECT 1");
        PreparedStatement update = c.prepareStatement("UPDATE bench_work SET v = v + 1 WHERE id = ?");
        update.setString(1, name);
        TableStatements.Statement acquireSql = TableStatements.acquire();
        TableStatements.Statement releaseSql = TableStatements.release();
        String quietSql = releaseSql.jdbc().replace("count(pg_notify(?, ?))", "count(*)");
        if (quietSql.equals(releaseSql.jdbc())) {
            throw new IllegalStateException(
                    "the release statement no longer has count(pg_notify(?, ?)): " + releaseSql.jdbc());
        }
        List<String> quietNames = releaseSql.names().stream()
                .filter(n -> !n.equals("channel") && !n.equals("payload"))
                .toList();
        PreparedStatement acquire = c.prepareStatement(acquireSql.jdbc());
        PreparedStatement release = c.prepareStatement(releaseSql.jdbc());
        PreparedStatement releaseQuiet = c.prepareStatement(quietSql);
        PreparedStatement shedLock = c.prepareStatement(SHEDLOCK_LOCK);
        PreparedStatement shedUnlock = c.prepareStatement(SHEDLOCK_UNLOCK);
        long[] owner = {0};
        Map<String, Object> values = new HashMap<>();
        values.put("key", key);
        values.put("micros", LEASE.toNanos() / 1000);
        values.put("channel", "lockkit_bench_work");
        values.put("payload", name);

        Handle jdbi = Jdbi.create(Clients.dataSource()).open();
        opened.push(jdbi);

        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(Stores.postgres());
        config.setMaximumPoolSize(2);
        HikariDataSource pool = new HikariDataSource(config);
        opened.push(pool);
        LockProvider shedlock = new JdbcLockProvider(pool);
        String[] shedNames = new String[64];
        for (int i = 0; i < shedNames.length; i++) {
            shedNames[i] = name + "-" + i;
        }
        int[] next = {0};
        String lockKey = Clients.freshKey("breakdown-lock");

        Map<String, Interleaved.Step> steps = new LinkedHashMap<>();
        steps.put(READ, Interleaved.timed(() -> one(select)));
        steps.put(WRITE, Interleaved.timed(() -> check(update.executeUpdate())));
        Interleaved.Body raw = () -> {
            values.put("owner", ++owner[0]);
            values.put("token", one(bind(acquire, acquireSql.names(), values)));
            check((int) one(bind(release, releaseSql.names(), values)));
        };
        Interleaved.Body rawQuiet = () -> {
            values.put("owner", ++owner[0]);
            values.put("token", one(bind(acquire, acquireSql.names(), values)));
            check((int) one(bind(releaseQuiet, quietNames, values)));
        };
        steps.put(RAW, Interleaved.timed(raw));
        steps.put(RAW_QUIET, Interleaved.timed(rawQuiet));
        steps.put(JDBI, Interleaved.timed(() -> {
            long token = jdbi.createQuery(acquireSql.named())
                    .bind("key", key)
                    .bind("owner", ++owner[0])
                    .bind("micros", LEASE.toNanos() / 1000)
                    .mapTo(Long.class)
                    .one();
            check(jdbi.createQuery(releaseSql.named())
                    .bind("key", key)
                    .bind("token", token)
                    .bind("channel", "lockkit_bench_work")
                    .bind("payload", name)
                    .mapTo(Integer.class)
                    .one());
        }));
        steps.put(LOCKKIT, Interleaved.timed(() -> {
            Lease lease = lockkit.jobLock().tryAcquire(lockKey, LEASE).orElseThrow();
            if (!lease.release()) {
                throw new IllegalStateException("release returned false");
            }
        }));
        steps.put(RELEASE, () -> {
            Lease lease = lockkit.jobLock().tryAcquire(lockKey, LEASE).orElseThrow();
            long t = System.nanoTime();
            lease.release();
            return System.nanoTime() - t;
        });
        steps.put(SHED_RAW, Interleaved.timed(() -> {
            Instant now = Instant.now();
            shedLock.setTimestamp(1, Timestamp.from(now.plusSeconds(30)));
            shedLock.setTimestamp(2, Timestamp.from(now));
            shedLock.setString(3, "bench");
            shedLock.setString(4, name);
            shedLock.setTimestamp(5, Timestamp.from(now));
            check(shedLock.executeUpdate());
            shedUnlock.setTimestamp(1, Timestamp.from(Instant.now()));
            shedUnlock.setString(2, name);
            check(shedUnlock.executeUpdate());
        }));
        steps.put(SHED, Interleaved.timed(() -> shedlock.lock(new LockConfiguration(
                        Instant.now(), shedNames[next[0]++ % shedNames.length], LEASE, Duration.ZERO))
                .orElseThrow()
                .unlock()));
        return steps;
    }

    /** {@code ps} with each {@code ?} set to the value of its parameter name. */
    private static PreparedStatement bind(PreparedStatement ps, List<String> names, Map<String, Object> values)
            throws SQLException {
        for (int i = 0; i < names.size(); i++) {
            ps.setObject(i + 1, values.get(names.get(i)));
        }
        return ps;
    }

    private static long one(PreparedStatement ps) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void check(int rows) {
        if (rows != 1) {
            throw new IllegalStateException("expected one row, got " + rows);
        }
    }
}
