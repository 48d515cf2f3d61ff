package io.lockkit.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.lockkit.JobLock;
import io.lockkit.Lease;
import io.lockkit.VersionedUpdate;
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
import net.javacrumbs.shedlock.core.SimpleLock;
import net.javacrumbs.shedlock.provider.jdbc.JdbcLockProvider;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Where PostgreSQL's time goes, measured so that the steps can be subtracted from one another:
 * every step runs in the same thread, <em>interleaved</em> (round after round, a batch of each step
 * in turn), so the load of other work on a shared machine falls on all of them alike, which
 * separate JMH forks cannot promise.
 *
 * <p>Steps: the floors (the read floor {@code SELECT 1}; the write floor, a single-row autocommit
 * {@code UPDATE} committed as the server commits by default; the same {@code UPDATE} with {@code
 * synchronous_commit} set on, and set off, for its own transaction in the same statement, one round
 * trip each); lockkit's table statements raw, as the backend sends them ({@code TableStatements} of
 * backend-jdbc reads them from its {@code Sql}), with and without the release's {@code pg_notify},
 * and through Jdbi's fluent API on one handle (how the backend sent them before it ran them as
 * plain JDBC); the row-lock variant's statements raw (grant in a held transaction, the token's
 * flush on a second connection, the release: its wait-marker check and commit together), and with
 * a bare commit as the release; each variant's backend (table, advisory, rowlock): acquire + release, and acquire
 * and release timed apart (the other half runs untimed); lockkit's compare-and-set through the
 * backend, and its statement raw (a copy of the backend's {@code Sql.CAS}); ShedLock's statements
 * raw and ShedLock's JDBC provider, lock + unlock and each alone. {@link #FLOORS} derives from the
 * floors what each operation cannot go below; {@link Report} renders both.
 *
 * <p>All three variants run in the same rounds, so the session variants' release listeners (each
 * backend {@code LISTEN}s once it holds a session lease) are woken by every {@code NOTIFY} in the
 * database, the table variant's too: a cost {@link UncontendedRun}, one variant at a time, has
 * less of.
 *
 * <p>Prints medians and writes them to {@code breakdown.json}, with the server's version and commit
 * settings under {@value #SERVER}: {@code PgBreakdown OUT.json [ROUNDS [WARM-UP ROUNDS]]} (defaults
 * 40 and 300: enough for the JIT to compile every step fully, as a JMH fork's warm-up does; with 10
 * warm-up rounds Jdbi ran partly interpreted and looked 200 µs slower than it is). {@link
 * BenchMain} runs it in a JVM of its own in full runs, and in the launcher's JVM with one round
 * (and one warm-up round) in smoke runs.
 */
public final class PgBreakdown {
    static final String READ = "SELECT 1 (read floor)";
    static final String WRITE = "UPDATE one row, autocommit (write floor)";
    static final String WRITE_FLUSHED = "UPDATE one row, autocommit, synchronous_commit on";
    static final String WRITE_NO_FLUSH = "UPDATE one row, autocommit, synchronous_commit off (write without flush)";
    static final String RAW = "lockkit table statements, raw JDBC";
    static final String RAW_QUIET = "lockkit table statements, raw JDBC, no wait-marker check";
    static final String JDBI = "lockkit table statements, through Jdbi on one handle";
    static final String ROW_RAW = "lockkit rowlock statements, raw JDBC";
    static final String ROW_RAW_COMMIT = "lockkit rowlock statements, raw JDBC, bare commit as release";
    static final String LOCKKIT = "lockkit postgresql/table tryAcquire + release";
    static final String TABLE_ACQUIRE = "lockkit postgresql/table tryAcquire alone";
    /** The table variant's release alone (its name from before the other variants were measured). */
    static final String RELEASE = "lockkit release alone";

    static final String CAS = "lockkit compareAndSet";
    static final String CAS_RAW = "lockkit compareAndSet statement, raw JDBC";
    static final String SHED_RAW = "ShedLock statements, raw JDBC";
    static final String SHED = "ShedLock JdbcLockProvider lock + unlock (HikariCP)";
    static final String SHED_LOCK = "ShedLock JdbcLockProvider lock alone";
    static final String SHED_UNLOCK = "ShedLock JdbcLockProvider unlock alone";

    /** The key of the server's version and commit settings (text) in {@code breakdown.json}. */
    static final String SERVER = "server";

    /** ShedLock 6's JDBC provider, after the first insert of a name: lock, then unlock. */
    static final String SHEDLOCK_LOCK =
            "UPDATE shedlock SET lock_until = ?, locked_at = ?, locked_by = ? WHERE name = ? AND lock_until <= ?";

    static final String SHEDLOCK_UNLOCK = "UPDATE shedlock SET lock_until = ? WHERE name = ?";

    /** The backend's {@code Sql.CAS} (package-private there), copied, on the default table. */
    static final String CAS_SQL = "UPDATE lockkit_versioned SET value = ?, version = version + 1, write_id = ?"
            + " WHERE key = ? AND version = ? AND NOT deleted RETURNING version";

    private static final int BATCH = 50;
    /**
     * The advisory lock class of the raw release's wait-marker check: not lockkit's, so a run against
     * a database with lockkit waiters never takes one of their markers.
     */
    private static final int BENCH_MARKER_CLASS = 0x62656e63;

    private static final Duration LEASE = Duration.ofSeconds(30);
    private static final byte[] VALUE = "v".getBytes(StandardCharsets.UTF_8);

    /**
     * What each operation cannot go below, from the floors. A token must be durable before it is
     * handed out, so every acquire waits for one flushed write: the table variant's upsert; the
     * advisory lock's statement, which writes a log record so that its commit waits for the flush;
     * the row lock's token statement on a second session, after the row lock (a read's round trip,
     * in the transaction left open). Every release is a write committed without the flush, except the
     * advisory one nobody waits for, which writes nothing: a read's round trip.
     * Compare-and-set, and each of ShedLock's two {@code UPDATE}s, is a flushed write.
     */
    static final List<Report.Floor> FLOORS = List.of(
            new Report.Floor(LOCKKIT, "write floor + write without flush", List.of(WRITE, WRITE_NO_FLUSH)),
            new Report.Floor(TABLE_ACQUIRE, "write floor", List.of(WRITE)),
            new Report.Floor(RELEASE, "write without flush", List.of(WRITE_NO_FLUSH)),
            new Report.Floor(acquireRelease("postgresql/advisory"), "write floor + read floor", List.of(WRITE, READ)),
            new Report.Floor(acquireAlone("postgresql/advisory"), "write floor", List.of(WRITE)),
            new Report.Floor(releaseAlone("postgresql/advisory"), "read floor", List.of(READ)),
            new Report.Floor(
                    acquireRelease("postgresql/rowlock"),
                    "read floor + write floor + write without flush",
                    List.of(READ, WRITE, WRITE_NO_FLUSH)),
            new Report.Floor(acquireAlone("postgresql/rowlock"), "read floor + write floor", List.of(READ, WRITE)),
            new Report.Floor(releaseAlone("postgresql/rowlock"), "write without flush", List.of(WRITE_NO_FLUSH)),
            new Report.Floor(CAS, "write floor", List.of(WRITE)),
            new Report.Floor(CAS_RAW, "write floor", List.of(WRITE)),
            new Report.Floor(SHED, "2 × write floor", List.of(WRITE, WRITE)),
            new Report.Floor(SHED_LOCK, "write floor", List.of(WRITE)),
            new Report.Floor(SHED_UNLOCK, "write floor", List.of(WRITE)));

    /** Each variant's acquire + release at its floor against ShedLock's provider as measured. */
    static final List<Report.Reach> REACH = List.of(
            new Report.Reach("postgresql/table", LOCKKIT, "shedlock/jdbc", SHED),
            new Report.Reach("postgresql/advisory", acquireRelease("postgresql/advisory"), "shedlock/jdbc", SHED),
            new Report.Reach("postgresql/rowlock", acquireRelease("postgresql/rowlock"), "shedlock/jdbc", SHED));

    private PgBreakdown() {}

    public static void main(String[] args) throws Exception {
        run(args);
        System.exit(0);
    }

    /** The step of {@code variant}'s acquire + release (the table's is {@link #LOCKKIT}). */
    static String acquireRelease(String variant) {
        return "lockkit " + variant + " tryAcquire + release";
    }

    static String acquireAlone(String variant) {
        return "lockkit " + variant + " tryAcquire alone";
    }

    /** The step of {@code variant}'s release alone (the table's is {@link #RELEASE}). */
    static String releaseAlone(String variant) {
        return variant.equals("postgresql/table") ? RELEASE : "lockkit " + variant + " release alone";
    }

    /** Measures and writes {@code OUT.json}; returns the medians (µs) by step. */
    static Map<String, Double> run(String... args) throws Exception {
        Path out = Path.of(args.length > 0 ? args[0] : "breakdown.json");
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 40;
        // Long enough for the JIT to compile every step's path fully (C2), as in a JMH fork.
        int warmupRounds = args.length > 2 ? Integer.parseInt(args[2]) : 300;
        Deque<AutoCloseable> opened = new ArrayDeque<>();
        try {
            Map<String, Interleaved.Step> steps = new LinkedHashMap<>();
            String server = steps(steps, opened);
            Map<String, Double> medians = measure(steps, BATCH, warmupRounds, rounds);
            Map<String, Object> json = new LinkedHashMap<>(medians);
            json.put(SERVER, server);
            System.out.println(server);
            new ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(out.toFile(), json);
            return medians;
        } finally {
            while (!opened.isEmpty()) {
                opened.pop().close();
            }
        }
    }

    /** Runs {@code steps} interleaved, prints each one's median and quartiles, and returns the medians (µs). */
    static Map<String, Double> measure(Map<String, Interleaved.Step> steps, int batch, int warmUp, int rounds)
            throws Exception {
        long[][] samples = Interleaved.run(List.copyOf(steps.values()), batch, warmUp, rounds);
        Map<String, Double> medians = new LinkedHashMap<>();
        List<String> names = List.copyOf(steps.keySet());
        for (int s = 0; s < names.size(); s++) {
            medians.put(names.get(s), Interleaved.micros(samples[s], 0.5));
            System.out.printf(
                    Locale.ROOT,
                    "%-72s median %8.1f µs  (p25 %8.1f, p75 %8.1f)%n",
                    names.get(s),
                    Interleaved.micros(samples[s], 0.5),
                    Interleaved.micros(samples[s], 0.25),
                    Interleaved.micros(samples[s], 0.75));
        }
        return medians;
    }

    /** Sets up every step into {@code steps}; returns the server's version and commit settings. */
    private static String steps(Map<String, Interleaved.Step> steps, Deque<AutoCloseable> opened) throws Exception {
        PostgresBackend table = Clients.postgres(PostgresBackend.Variant.TABLE, Clients.dataSource());
        opened.push(table);
        Connection c = Clients.dataSource().getConnection();
        opened.push(c);
        String name = Clients.freshKey("breakdown");
        byte[] key = name.getBytes(StandardCharsets.UTF_8);
        String server;
        try (Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS bench_work (id text PRIMARY KEY, v bigint NOT NULL)");
            s.execute("CREATE TABLE IF NOT EXISTS shedlock (name VARCHAR(64) NOT NULL, lock_until TIMESTAMP NOT NULL,"
                    + " locked_at TIMESTAMP NOT NULL, locked_by VARCHAR(255) NOT NULL, PRIMARY KEY (name))");
            s.execute("INSERT INTO bench_work (id, v) VALUES ('" + name + "', 0)");
            s.execute("INSERT INTO shedlock VALUES ('" + name + "', now(), now(), 'bench')");
            // The compare-and-set statement's own row (the backend's table, created by createSchema).
            s.execute("INSERT INTO lockkit_versioned (key, value, version, write_id) VALUES ('\\x" + hex(key)
                    + "', '\\x76', 1, 0)");
            try (ResultSet rs = s.executeQuery("SELECT current_setting('server_version'),"
                    + " current_setting('synchronous_commit'), current_setting('fsync')")) {
                rs.next();
                server = "PostgreSQL " + rs.getString(1) + ", synchronous_commit " + rs.getString(2) + ", fsync "
                        + rs.getString(3);
            }
        }
        PreparedStatement select = c.prepareStatement("SELECT 1");
        PreparedStatement update = c.prepareStatement("UPDATE bench_work SET v = v + 1 WHERE id = ?");
        update.setString(1, name);
        PreparedStatement flushed = c.prepareStatement("UPDATE bench_work SET v = v + 1 WHERE id = ?"
                + " RETURNING set_config('synchronous_commit', 'on', true)");
        flushed.setString(1, name);
        PreparedStatement unflushed = c.prepareStatement("UPDATE bench_work SET v = v + 1 WHERE id = ?"
                + " RETURNING set_config('synchronous_commit', 'off', true)");
        unflushed.setString(1, name);
        steps.put(READ, Interleaved.timed(() -> one(select)));
        steps.put(WRITE, Interleaved.timed(() -> check(update.executeUpdate())));
        steps.put(WRITE_FLUSHED, Interleaved.timed(() -> rows(flushed)));
        steps.put(WRITE_NO_FLUSH, Interleaved.timed(() -> rows(unflushed)));

        tableStatements(steps, c, key, name, opened);
        rowLockStatements(steps, c, opened);
        pair(steps, table.jobLock(), "postgresql/table");
        for (String variant : List.of("postgresql/advisory", "postgresql/rowlock")) {
            PostgresBackend backend = Clients.postgres(Clients.postgresVariant(variant), Clients.dataSource());
            opened.push(backend);
            pair(steps, backend.jobLock(), variant);
        }
        compareAndSet(steps, table.versionedUpdate(), c, key);
        shedLock(steps, c, name, opened);
        return server;
    }

    /** lockkit's table statements raw (with and without {@code pg_notify}) and through Jdbi. */
    private static void tableStatements(
            Map<String, Interleaved.Step> steps, Connection c, byte[] key, String name, Deque<AutoCloseable> opened)
            throws SQLException {
        TableStatements.Statement acquireSql = TableStatements.acquire();
        TableStatements.Statement releaseSql = TableStatements.release();
        // The release without its wait-marker check (nobody waits here, so it never notifies anyway).
        String quietSql = releaseSql
                .jdbc()
                .replaceAll(
                        ",\\s*count\\(CASE WHEN NOT pg_try_advisory_xact_lock\\(\\?, \\?\\)\\s*THEN pg_notify\\(\\?,"
                                + " \\?\\) END\\) AS notified",
                        "");
        if (quietSql.equals(releaseSql.jdbc())) {
            throw new IllegalStateException(
                    "the release statement no longer has its wait-marker check: " + releaseSql.jdbc());
        }
        List<String> quietNames = releaseSql.names().stream()
                .filter(n ->
                        !List.of("marker_class", "marker", "channel", "payload").contains(n))
                .toList();
        PreparedStatement acquire = c.prepareStatement(acquireSql.jdbc());
        PreparedStatement release = c.prepareStatement(releaseSql.jdbc());
        PreparedStatement releaseQuiet = c.prepareStatement(quietSql);
        long[] owner = {0};
        Map<String, Object> values = new HashMap<>();
        values.put("key", key);
        values.put("micros", LEASE.toNanos() / 1000);
        values.put("channel", "lockkit_bench_work");
        values.put("payload", name);
        values.put("marker_class", BENCH_MARKER_CLASS);
        values.put("marker", name.hashCode());
        Handle jdbi = Jdbi.create(Clients.dataSource()).open();
        opened.push(jdbi);
        steps.put(RAW, Interleaved.timed(() -> {
            values.put("owner", ++owner[0]);
            values.put("token", one(bind(acquire, acquireSql.names(), values)));
            check((int) one(bind(release, releaseSql.names(), values)));
        }));
        steps.put(RAW_QUIET, Interleaved.timed(() -> {
            values.put("owner", ++owner[0]);
            values.put("token", one(bind(acquire, acquireSql.names(), values)));
            check((int) one(bind(releaseQuiet, quietNames, values)));
        }));
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
                    .bind("marker_class", BENCH_MARKER_CLASS)
                    .bind("marker", name.hashCode())
                    .bind("channel", "lockkit_bench_work")
                    .bind("payload", name)
                    .mapTo(Integer.class)
                    .one());
        }));
    }

    /**
     * The row-lock variant's statements raw: its grant in a transaction left open on a second
     * connection, the token's flush on {@code c}, and the release (the wait-marker check sent with
     * the commit); and the same with a bare commit instead of the release statement.
     */
    private static void rowLockStatements(
            Map<String, Interleaved.Step> steps, Connection c, Deque<AutoCloseable> opened) throws SQLException {
        TableStatements.Statement acquireSql = TableStatements.rowLockAcquire();
        TableStatements.Statement flushSql = TableStatements.flush();
        TableStatements.Statement releaseSql = TableStatements.rowLockRelease();
        TableStatements.Statement createSql = TableStatements.rowLockCreate();
        String name = Clients.freshKey("breakdown-row");
        Map<String, Object> values = new HashMap<>();
        values.put("key", name.getBytes(StandardCharsets.UTF_8));
        values.put("timeout_ms", Long.toString(LEASE.toMillis()));
        values.put("channel", "lockkit_bench_row");
        values.put("payload", name);
        values.put("marker_class", BENCH_MARKER_CLASS);
        values.put("marker", name.hashCode());
        try (PreparedStatement create = c.prepareStatement(createSql.jdbc())) {
            check(bind(create, createSql.names(), values).executeUpdate());
        }
        Connection lease = Clients.dataSource().getConnection();
        opened.push(lease);
        lease.setAutoCommit(false);
        PreparedStatement acquire = lease.prepareStatement(acquireSql.jdbc());
        PreparedStatement release = lease.prepareStatement(releaseSql.jdbc());
        PreparedStatement flush = c.prepareStatement(flushSql.jdbc());
        steps.put(ROW_RAW, Interleaved.timed(() -> {
            one(bind(acquire, acquireSql.names(), values));
            rows(flush);
            // the check and the commit in one round trip: the first result is the check's row
            PreparedStatement r = bind(release, releaseSql.names(), values);
            if (!r.execute()) {
                throw new IllegalStateException("the release returned no row");
            }
            r.getResultSet().close();
            lease.commit(); // nothing is open any more: pgjdbc sends nothing
        }));
        steps.put(ROW_RAW_COMMIT, Interleaved.timed(() -> {
            one(bind(acquire, acquireSql.names(), values));
            rows(flush);
            lease.commit();
        }));
    }

    /** {@code variant}'s acquire + release, acquire alone and release alone, each on a key of its own. */
    private static void pair(Map<String, Interleaved.Step> steps, JobLock lock, String variant) {
        String both = Clients.freshKey("breakdown-lock");
        String first = Clients.freshKey("breakdown-acquire");
        String second = Clients.freshKey("breakdown-release");
        steps.put(
                acquireRelease(variant),
                Interleaved.timed(() -> Interleaved.releaseHeld(Interleaved.acquireFree(lock, both, LEASE))));
        steps.put(acquireAlone(variant), () -> {
            long t = System.nanoTime();
            Lease lease = Interleaved.acquireFree(lock, first, LEASE);
            long took = System.nanoTime() - t;
            Interleaved.releaseHeld(lease);
            return took;
        });
        steps.put(releaseAlone(variant), () -> {
            Lease lease = Interleaved.acquireFree(lock, second, LEASE);
            long t = System.nanoTime();
            Interleaved.releaseHeld(lease);
            return System.nanoTime() - t;
        });
    }

    /** lockkit's compare-and-set through the backend, and its statement raw on a row of its own. */
    private static void compareAndSet(
            Map<String, Interleaved.Step> steps, VersionedUpdate store, Connection c, byte[] rawKey)
            throws SQLException {
        String valueKey = Clients.freshKey("breakdown-value");
        long[] version = {
            store.create(valueKey, VALUE)
                    .orElseThrow(() -> new IllegalStateException(valueKey + " already exists"))
                    .version()
        };
        steps.put(
                CAS,
                Interleaved.timed(() -> version[0] = store.compareAndSet(valueKey, version[0], VALUE)
                        .orElseThrow(() -> new IllegalStateException("uncontended compareAndSet conflicted"))
                        .version()));
        PreparedStatement cas = c.prepareStatement(CAS_SQL);
        long[] rawVersion = {1};
        long[] writeId = {0};
        steps.put(CAS_RAW, Interleaved.timed(() -> {
            cas.setBytes(1, VALUE);
            cas.setLong(2, ++writeId[0]);
            cas.setBytes(3, rawKey);
            cas.setLong(4, rawVersion[0]);
            rawVersion[0] = one(cas);
        }));
    }

    /** ShedLock's two statements raw, and its JDBC provider: lock + unlock, lock alone, unlock alone. */
    private static void shedLock(
            Map<String, Interleaved.Step> steps, Connection c, String name, Deque<AutoCloseable> opened)
            throws SQLException {
        PreparedStatement shedLock = c.prepareStatement(SHEDLOCK_LOCK);
        PreparedStatement shedUnlock = c.prepareStatement(SHEDLOCK_UNLOCK);
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
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(Stores.postgres());
        config.setMaximumPoolSize(2);
        HikariDataSource pool = new HikariDataSource(config);
        opened.push(pool);
        LockProvider shedlock = new JdbcLockProvider(pool);
        // ShedLock keeps lock_until in whole milliseconds: rotate over names, as PeerBench does.
        String[] names = new String[64];
        for (int i = 0; i < names.length; i++) {
            names[i] = name + "-" + i;
        }
        int[] next = {0};
        Interleaved.Body lockUnlock =
                () -> shedLock(shedlock, names[next[0]++ % names.length]).unlock();
        steps.put(SHED, Interleaved.timed(lockUnlock));
        steps.put(SHED_LOCK, () -> {
            long t = System.nanoTime();
            SimpleLock lock = shedLock(shedlock, names[next[0]++ % names.length]);
            long took = System.nanoTime() - t;
            lock.unlock();
            return took;
        });
        steps.put(SHED_UNLOCK, () -> {
            SimpleLock lock = shedLock(shedlock, names[next[0]++ % names.length]);
            long t = System.nanoTime();
            lock.unlock();
            return System.nanoTime() - t;
        });
    }

    private static SimpleLock shedLock(LockProvider provider, String name) {
        return provider.lock(new LockConfiguration(Instant.now(), name, LEASE, Duration.ZERO))
                .orElseThrow(() -> new IllegalStateException("ShedLock: uncontended lock of " + name + " failed"));
    }

    /** {@code ps} with each {@code ?} set to the value of its parameter name. */
    static PreparedStatement bind(PreparedStatement ps, List<String> names, Map<String, Object> values)
            throws SQLException {
        for (int i = 0; i < names.size(); i++) {
            ps.setObject(i + 1, values.get(names.get(i)));
        }
        return ps;
    }

    static long one(PreparedStatement ps) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
                throw new IllegalStateException("expected one row, got none");
            }
            return rs.getLong(1);
        }
    }

    /** Runs a query that must return one row. */
    private static void rows(PreparedStatement ps) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            check(rs.next() ? 1 : 0);
        }
    }

    static void check(int rows) {
        if (rows != 1) {
            throw new IllegalStateException("expected one row, got " + rows);
        }
    }

    private static String hex(byte[] bytes) {
        StringBuilder hex = new StringBuilder();
        for (byte b : bytes) {
            hex.append(String.format(Locale.ROOT, "%02x", b));
        }
        return hex.toString();
    }
}
