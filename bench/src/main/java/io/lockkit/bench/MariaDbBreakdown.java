package io.lockkit.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.lockkit.JobLock;
import io.lockkit.Lease;
import io.lockkit.VersionedUpdate;
import io.lockkit.mariadb.MariaDbBackend;
import io.lockkit.mariadb.MariaDbStatements;
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
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.sql.DataSource;
import net.javacrumbs.shedlock.core.SimpleLock;
import net.javacrumbs.shedlock.provider.jdbc.JdbcLockProvider;
import org.jspecify.annotations.Nullable;

/**
 * Where MariaDB's time goes, measured as {@link PgBreakdown} measures PostgreSQL's: every step in the
 * same thread, interleaved (a batch of each step in turn, round after round), so the load of other
 * work on a shared machine falls on all of them alike and the steps can be subtracted.
 *
 * <p>Steps: the floors (the read floor {@code SELECT 1}; the write floor, a one-row autocommit
 * {@code UPDATE} of an InnoDB table of the bench's own, which flushes the redo log at its commit as
 * the server's {@code innodb_flush_log_at_trx_commit = 1} has every commit do, and no transaction can
 * choose otherwise; a {@code NEXTVAL} of a {@code NOCACHE} sequence of the bench's own, which writes
 * the sequence's row but commits without waiting for the flush; {@code SELECT 1} timed right after
 * that {@code UPDATE} on its connection, a read as a release sees it); lockkit's statements raw, as the
 * backend sends them ({@code MariaDbStatements} of backend-jdbc reads them from its {@code
 * MariaDbSql}): the table variant's acquire then release, the advisory variant's on one connection,
 * the row lock's (the locking select in a transaction left open, the token's flushing write on a
 * second, autocommit connection, then {@code ROLLBACK}) and compare-and-set, each sequence whole and
 * each of its statements alone (the others run untimed, in order); each variant's backend
 * (table, advisory, rowlock): acquire + release, and each half alone (the other half untimed);
 * compare-and-set through the backend; ShedLock's two statements raw and its JDBC provider on
 * HikariCP, lock + unlock and each half alone.
 *
 * <p>After the timed rounds, a counting pass: each step runs {@value #COUNT_OPS} times more (at most
 * as many as it was timed; {@value #COUNT_PASSES} passes), and the server's {@link #COUNTERS} are read
 * on a connection of their own right before and right after the step's measured part (the part its
 * time covers), so a half timed alone is counted alone. Per operation, the least of the passes: other
 * sessions on the server, and InnoDB's once-a-second background flush, add fsyncs to a window. (Another
 * session's commit could also flush an operation's log record first, a group commit, and take a flush
 * off it: on a busy server the counts are approximate; on an idle one, exact.) {@link #FLOORS} derives
 * from the floors what each operation cannot go below; {@link Report} renders both.
 *
 * <p>Prints medians and writes them to {@value #FILE}, with the server's version and durability
 * settings under {@value #SERVER} and the counted fsyncs and redo log writes per operation under
 * {@value #FSYNCS} and {@value #LOG_WRITES}: {@code MariaDbBreakdown OUT.json [ROUNDS [WARM-UP
 * ROUNDS]]} (defaults 40 and 300, as {@link PgBreakdown}). {@link BenchMain} runs it in a JVM of its
 * own in full runs, and in the launcher's JVM with one round (and one warm-up round) in smoke runs.
 */
public final class MariaDbBreakdown {
    /** The file name of the results in the output folder. */
    static final String FILE = "mariadb-breakdown.json";

    /** The key of the server's version and durability settings (text). */
    static final String SERVER = "server";
    /** The key of {@code Innodb_data_fsyncs} per operation, by step. */
    static final String FSYNCS = "fsyncs";
    /** The key of {@code Innodb_log_writes} per operation, by step. */
    static final String LOG_WRITES = "logWrites";

    /**
     * The server's counters read around each operation in the counting pass: every fsync InnoDB
     * issues (since MariaDB 10.8 the redo log's too: {@code Innodb_os_log_fsyncs} is gone) and its
     * redo log writes.
     */
    static final List<String> COUNTERS = List.of("Innodb_data_fsyncs", "Innodb_log_writes");

    static final String READ = "SELECT 1 (read floor)";
    static final String WRITE = "UPDATE one row, autocommit (write floor)";
    static final String NEXTVAL = "SELECT NEXTVAL of a NOCACHE sequence (a write without a commit flush)";
    static final String READ_AFTER_WRITE = "SELECT 1 right after the write floor's UPDATE, alone";
    static final String TABLE_RAW = "lockkit table statements (ACQUIRE, RELEASE), raw JDBC";
    static final String ADVISORY_RAW =
            "lockkit advisory statements (ADVISORY_ACQUIRE, ADVISORY_RELEASE), raw JDBC on one connection";
    static final String ROWLOCK_RAW =
            "lockkit rowlock statements (ROWLOCK_TRY; ROWLOCK_FLUSH on a second" + " connection; ROLLBACK), raw JDBC";
    static final String CAS = PgBreakdown.CAS;
    static final String CAS_RAW = "lockkit compareAndSet statement (CAS), raw JDBC";
    static final String SHED_RAW = PgBreakdown.SHED_RAW;
    static final String SHED = PgBreakdown.SHED;
    static final String SHED_LOCK = PgBreakdown.SHED_LOCK;
    static final String SHED_UNLOCK = PgBreakdown.SHED_UNLOCK;

    static final int BATCH = 50;
    static final int COUNT_OPS = 100;
    static final int COUNT_PASSES = 3;
    private static final Duration LEASE = Duration.ofSeconds(30);
    private static final byte[] VALUE = "v".getBytes(StandardCharsets.UTF_8);

    /**
     * What each operation cannot go below. A token must be durable before it is handed out, and
     * MariaDB has no per-transaction way to skip the commit's flush ({@code
     * innodb_flush_log_at_trx_commit} is global), so every statement that writes pays a flushed
     * write: the table variant's acquire (its upsert) and its release (an {@code UPDATE}); the
     * advisory acquire ({@code GET_LOCK}, {@code NEXTVAL} and the grant row's upsert in one autocommit
     * statement), whose release ({@code RELEASE_LOCK}) writes nothing: a read's round trip; the row
     * lock's acquire, the locking select in the transaction left open (a read's round trip) and then
     * the grant row's flushed write, and its release a {@code ROLLBACK} of a transaction that wrote
     * nothing: a read's round trip. Compare-and-set, and each of ShedLock's two {@code UPDATE}s, is a
     * flushed write.
     */
    static final List<Report.Floor> FLOORS = List.of(
            new Report.Floor(TABLE_RAW, "2 × write floor", List.of(WRITE, WRITE)),
            new Report.Floor(rawAlone("table", "ACQUIRE"), "write floor", List.of(WRITE)),
            new Report.Floor(rawAlone("table", "RELEASE"), "write floor", List.of(WRITE)),
            new Report.Floor(ADVISORY_RAW, "write floor + read floor", List.of(WRITE, READ)),
            new Report.Floor(rawAlone("advisory", "ADVISORY_ACQUIRE"), "write floor", List.of(WRITE)),
            new Report.Floor(rawAlone("advisory", "ADVISORY_RELEASE"), "read floor", List.of(READ)),
            new Report.Floor(ROWLOCK_RAW, "read floor + write floor + read floor", List.of(READ, WRITE, READ)),
            new Report.Floor(rawAlone("rowlock", "ROWLOCK_TRY"), "read floor", List.of(READ)),
            new Report.Floor(rawAlone("rowlock", "ROWLOCK_FLUSH"), "write floor", List.of(WRITE)),
            new Report.Floor(rawAlone("rowlock", "ROLLBACK"), "read floor", List.of(READ)),
            new Report.Floor(CAS_RAW, "write floor", List.of(WRITE)),
            new Report.Floor(acquireRelease("mariadb/table"), "2 × write floor", List.of(WRITE, WRITE)),
            new Report.Floor(acquireAlone("mariadb/table"), "write floor", List.of(WRITE)),
            new Report.Floor(releaseAlone("mariadb/table"), "write floor", List.of(WRITE)),
            new Report.Floor(acquireRelease("mariadb/advisory"), "write floor + read floor", List.of(WRITE, READ)),
            new Report.Floor(acquireAlone("mariadb/advisory"), "write floor", List.of(WRITE)),
            new Report.Floor(releaseAlone("mariadb/advisory"), "read floor", List.of(READ)),
            new Report.Floor(
                    acquireRelease("mariadb/rowlock"),
                    "read floor + write floor + read floor",
                    List.of(READ, WRITE, READ)),
            new Report.Floor(acquireAlone("mariadb/rowlock"), "read floor + write floor", List.of(READ, WRITE)),
            new Report.Floor(releaseAlone("mariadb/rowlock"), "read floor", List.of(READ)),
            new Report.Floor(CAS, "write floor", List.of(WRITE)),
            new Report.Floor(SHED_RAW, "2 × write floor", List.of(WRITE, WRITE)),
            new Report.Floor(SHED, "2 × write floor", List.of(WRITE, WRITE)),
            new Report.Floor(SHED_LOCK, "write floor", List.of(WRITE)),
            new Report.Floor(SHED_UNLOCK, "write floor", List.of(WRITE)));

    /** Each variant's acquire + release at its floor against ShedLock's JDBC provider on MariaDB as measured. */
    static final List<Report.Reach> REACH = List.of(
            new Report.Reach("mariadb/table", acquireRelease("mariadb/table"), "shedlock/jdbc-mariadb", SHED),
            new Report.Reach("mariadb/advisory", acquireRelease("mariadb/advisory"), "shedlock/jdbc-mariadb", SHED),
            new Report.Reach("mariadb/rowlock", acquireRelease("mariadb/rowlock"), "shedlock/jdbc-mariadb", SHED));

    /** A step: an untimed part, the measured part (what its time and its counts cover), an untimed part. */
    private record Part(Interleaved.Body before, Interleaved.Body measured, Interleaved.Body after) {
        private static final Interleaved.Body NOTHING = () -> {};

        static Part whole(Interleaved.Body body) {
            return new Part(NOTHING, body, NOTHING);
        }

        Interleaved.Step timed() {
            return () -> {
                before.run();
                long t = System.nanoTime();
                measured.run();
                long took = System.nanoTime() - t;
                after.run();
                return took;
            };
        }
    }

    private MariaDbBreakdown() {}

    public static void main(String[] args) throws Exception {
        run(args);
        System.exit(0);
    }

    /** The step of one of {@code variant}'s raw statements timed alone (the others of its sequence untimed). */
    static String rawAlone(String variant, String statement) {
        return "lockkit " + variant + " " + statement + " alone, raw JDBC";
    }

    static String acquireRelease(String variant) {
        return PgBreakdown.acquireRelease(variant);
    }

    static String acquireAlone(String variant) {
        return PgBreakdown.acquireAlone(variant);
    }

    static String releaseAlone(String variant) {
        return PgBreakdown.releaseAlone(variant);
    }

    /**
     * The flushed writes the physics of {@link #FLOORS} puts in {@code step}: the write floors among
     * its floor's parts (the floors themselves: the write floor one, the others none); null for a
     * step without a floor.
     */
    static @Nullable Integer flushedWrites(String step) {
        if (step.equals(WRITE)) {
            return 1;
        }
        if (step.equals(READ) || step.equals(NEXTVAL) || step.equals(READ_AFTER_WRITE)) {
            return 0;
        }
        return FLOORS.stream()
                .filter(f -> f.step().equals(step))
                .findFirst()
                .map(f -> (int) f.parts().stream().filter(WRITE::equals).count())
                .orElse(null);
    }

    /** Measures and writes {@code OUT.json}; returns the medians (µs) by step. */
    static Map<String, Double> run(String... args) throws Exception {
        Path out = Path.of(args.length > 0 ? args[0] : FILE);
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 40;
        // Long enough for the JIT to compile every step's path fully (C2), as in a JMH fork.
        int warmUpRounds = args.length > 2 ? Integer.parseInt(args[2]) : 300;
        Deque<AutoCloseable> opened = new ArrayDeque<>();
        try {
            Map<String, Part> parts = new LinkedHashMap<>();
            DataSource dataSource = Clients.mariaDbDataSource(Stores.mariadb());
            String server = steps(parts, dataSource, opened);
            Map<String, Interleaved.Step> steps = new LinkedHashMap<>();
            parts.forEach((name, part) -> steps.put(name, part.timed()));
            Map<String, Double> medians = PgBreakdown.measure(steps, BATCH, warmUpRounds, rounds);

            Connection statusConnection = dataSource.getConnection();
            opened.push(statusConnection);
            Map<String, double[]> counted =
                    count(parts, statusConnection, Math.min(COUNT_OPS, rounds * BATCH), COUNT_PASSES);
            Map<String, Double> fsyncs = new LinkedHashMap<>();
            Map<String, Double> logWrites = new LinkedHashMap<>();
            counted.forEach((name, perOp) -> {
                fsyncs.put(name, perOp[0]);
                logWrites.put(name, perOp[1]);
                System.out.printf(
                        Locale.ROOT, "%-72s fsyncs/op %5.2f  log writes/op %5.2f%n", name, perOp[0], perOp[1]);
            });
            Map<String, Object> json = new LinkedHashMap<>(medians);
            json.put(SERVER, server);
            json.put(FSYNCS, fsyncs);
            json.put(LOG_WRITES, logWrites);
            System.out.println(server);
            new ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(out.toFile(), json);
            return medians;
        } finally {
            while (!opened.isEmpty()) {
                opened.pop().close();
            }
        }
    }

    /**
     * Each step's {@link #COUNTERS} per operation: {@code ops} operations, the counters read before
     * and after each one's measured part; the least of {@code passes} passes.
     */
    private static Map<String, double[]> count(Map<String, Part> parts, Connection status, int ops, int passes)
            throws Exception {
        Map<String, double[]> perOp = new LinkedHashMap<>();
        try (Statement s = status.createStatement()) {
            for (Map.Entry<String, Part> e : parts.entrySet()) {
                Part part = e.getValue();
                double[] least = new double[COUNTERS.size()];
                Arrays.fill(least, Double.MAX_VALUE);
                for (int pass = 0; pass < passes; pass++) {
                    long[] sum = new long[COUNTERS.size()];
                    for (int i = 0; i < ops; i++) {
                        part.before().run();
                        long[] before = counters(s);
                        part.measured().run();
                        long[] after = counters(s);
                        part.after().run();
                        for (int c = 0; c < sum.length; c++) {
                            sum[c] += after[c] - before[c];
                        }
                    }
                    for (int c = 0; c < sum.length; c++) {
                        least[c] = Math.min(least[c], (double) sum[c] / ops);
                    }
                }
                perOp.put(e.getKey(), least);
            }
        }
        return perOp;
    }

    /** The server's {@link #COUNTERS} now, in that order. */
    private static long[] counters(Statement s) throws SQLException {
        long[] values = new long[COUNTERS.size()];
        boolean[] seen = new boolean[COUNTERS.size()];
        try (ResultSet rs =
                s.executeQuery("SHOW GLOBAL STATUS WHERE Variable_name IN ('" + String.join("', '", COUNTERS) + "')")) {
            while (rs.next()) {
                for (int c = 0; c < COUNTERS.size(); c++) {
                    if (COUNTERS.get(c).equalsIgnoreCase(rs.getString(1))) {
                        values[c] = rs.getLong(2);
                        seen[c] = true;
                    }
                }
            }
        }
        for (int c = 0; c < seen.length; c++) {
            if (!seen[c]) {
                throw new IllegalStateException("the server reports no status variable " + COUNTERS.get(c));
            }
        }
        return values;
    }

    /** Sets up every step into {@code parts}; returns the server's version and durability settings. */
    private static String steps(Map<String, Part> parts, DataSource dataSource, Deque<AutoCloseable> opened)
            throws Exception {
        // The table variant first: its createSchema makes the tables and the sequence the raw statements use.
        MariaDbBackend table = Clients.mariadb(dataSource, "mariadb/table");
        opened.push(table);
        Connection c = dataSource.getConnection();
        opened.push(c);
        String name = Clients.freshKey("breakdown");
        String server;
        try (Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS bench_work (id VARCHAR(64) PRIMARY KEY, v BIGINT NOT NULL)"
                    + " ENGINE=InnoDB");
            s.execute("CREATE SEQUENCE IF NOT EXISTS bench_sequence NOCACHE");
            s.execute(PeerBench.SHEDLOCK_MARIADB_DDL);
            s.execute("INSERT INTO bench_work (id, v) VALUES ('" + name + "', 0)");
            s.execute("INSERT INTO shedlock (name, lock_until, locked_at, locked_by) VALUES ('" + name
                    + "', NOW(3), NOW(3), 'bench')");
            try (ResultSet rs = s.executeQuery("SELECT VERSION(), @@global.innodb_flush_log_at_trx_commit,"
                    + " @@global.sync_binlog, @@global.log_bin, @@global.innodb_flush_method")) {
                rs.next();
                server = "MariaDB " + rs.getString(1) + ", innodb_flush_log_at_trx_commit " + rs.getString(2)
                        + ", sync_binlog " + rs.getString(3) + ", log_bin " + rs.getString(4)
                        + ", innodb_flush_method " + rs.getString(5);
            }
        }
        PreparedStatement select = c.prepareStatement("SELECT 1");
        PreparedStatement update = c.prepareStatement("UPDATE bench_work SET v = v + 1 WHERE id = ?");
        update.setString(1, name);
        PreparedStatement nextval = c.prepareStatement("SELECT NEXTVAL(bench_sequence)");
        parts.put(READ, Part.whole(() -> PgBreakdown.one(select)));
        parts.put(WRITE, Part.whole(() -> PgBreakdown.check(update.executeUpdate())));
        parts.put(NEXTVAL, Part.whole(() -> PgBreakdown.one(nextval)));
        // A read's round trip as the releases see it: sent right after a flushed commit on its connection.
        parts.put(
                READ_AFTER_WRITE,
                new Part(() -> PgBreakdown.check(update.executeUpdate()), () -> PgBreakdown.one(select), Part.NOTHING));

        rawStatements(parts, c, dataSource, opened);
        pair(parts, table.jobLock(), "mariadb/table");
        for (String variant : List.of("mariadb/advisory", "mariadb/rowlock")) {
            MariaDbBackend backend = Clients.mariadb(dataSource, variant);
            opened.push(backend);
            pair(parts, backend.jobLock(), variant);
        }
        compareAndSet(parts, table.versionedUpdate());
        shedLock(parts, c, name, opened);
        return server;
    }

    /**
     * lockkit's statements raw on plain connections, bound by their parameter names: the table
     * variant's, the advisory variant's, the row lock's and compare-and-set's, each on a key of its own.
     */
    private static void rawStatements(
            Map<String, Part> parts, Connection c, DataSource dataSource, Deque<AutoCloseable> opened)
            throws SQLException {
        Map<String, Object> values = new HashMap<>();
        values.put("micros", LEASE.toNanos() / 1000);
        values.put("wait_ms", 0L);
        values.put("fence", 0L);
        values.put("limit", Long.MAX_VALUE);
        values.put("value", VALUE);

        // The table variant: a key's first acquire inserts its placeholder row (see MariaDbSql.ACQUIRE).
        MariaDbStatements.Statement acquireSql = MariaDbStatements.acquire();
        MariaDbStatements.Statement releaseSql = MariaDbStatements.release();
        PreparedStatement acquire = c.prepareStatement(acquireSql.jdbc());
        PreparedStatement release = c.prepareStatement(releaseSql.jdbc());
        long[] owner = {0};
        values.put("key", Clients.freshKey("breakdown-raw").getBytes(StandardCharsets.UTF_8));
        values.put("owner", ++owner[0]);
        try (ResultSet rs =
                PgBreakdown.bind(acquire, acquireSql.names(), values).executeQuery()) {
            rs.next(); // the placeholder
        }
        sequence(
                parts,
                TABLE_RAW,
                "table",
                Map.of(
                        "ACQUIRE",
                        () -> {
                            values.put("owner", ++owner[0]);
                            try (ResultSet rs = PgBreakdown.bind(acquire, acquireSql.names(), values)
                                    .executeQuery()) {
                                if (!rs.next() || rs.getLong("owner") != owner[0]) {
                                    throw new IllegalStateException("raw acquire of a free key not granted");
                                }
                                values.put("token", rs.getLong("token"));
                            }
                        },
                        "RELEASE",
                        () -> PgBreakdown.check(PgBreakdown.bind(release, releaseSql.names(), values)
                                .executeUpdate())),
                List.of("ACQUIRE", "RELEASE"));

        // The advisory variant: a lock name of the bench's own and its grant row (0xFF and the name).
        MariaDbStatements.Statement advisoryAcquireSql = MariaDbStatements.advisoryAcquire();
        MariaDbStatements.Statement advisoryReleaseSql = MariaDbStatements.advisoryRelease();
        Connection advisory = dataSource.getConnection();
        opened.push(advisory);
        PreparedStatement advisoryAcquire = advisory.prepareStatement(advisoryAcquireSql.jdbc());
        PreparedStatement advisoryRelease = advisory.prepareStatement(advisoryReleaseSql.jdbc());
        String lockName = Clients.freshKey("breakdown-advisory");
        Map<String, Object> advisoryValues = new HashMap<>(values);
        advisoryValues.put("name", lockName);
        advisoryValues.put("row", prefixed((byte) 0xFF, lockName));
        sequence(
                parts,
                ADVISORY_RAW,
                "advisory",
                Map.of(
                        "ADVISORY_ACQUIRE",
                        () -> PgBreakdown.one(
                                PgBreakdown.bind(advisoryAcquire, advisoryAcquireSql.names(), advisoryValues)),
                        "ADVISORY_RELEASE",
                        () -> PgBreakdown.check((int) PgBreakdown.one(
                                PgBreakdown.bind(advisoryRelease, advisoryReleaseSql.names(), advisoryValues)))),
                List.of("ADVISORY_ACQUIRE", "ADVISORY_RELEASE"));

        // The row lock: the key's row (0xFE and the key), locked in a READ COMMITTED transaction left
        // open, as the backend's lease session does; the token made durable on `c`, autocommit.
        String rowKey = Clients.freshKey("breakdown-rowlock");
        Map<String, Object> rowValues = new HashMap<>(values);
        rowValues.put("row", prefixed((byte) 0xFE, rowKey));
        rowValues.put("grant", prefixed((byte) 0xFD, rowKey));
        MariaDbStatements.Statement createSql = MariaDbStatements.rowLockCreate();
        MariaDbStatements.Statement tryLockSql = MariaDbStatements.rowLockTry();
        MariaDbStatements.Statement flushSql = MariaDbStatements.rowLockFlush();
        try (PreparedStatement create = c.prepareStatement(createSql.jdbc())) {
            PgBreakdown.check(
                    PgBreakdown.bind(create, createSql.names(), rowValues).executeUpdate());
        }
        Connection holder = dataSource.getConnection();
        opened.push(holder);
        holder.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
        try (Statement s = holder.createStatement();
                ResultSet rs = s.executeQuery("SELECT CONNECTION_ID()")) {
            rs.next();
            rowValues.put("conn", rs.getLong(1));
        }
        holder.setAutoCommit(false);
        PreparedStatement tryLock = holder.prepareStatement(tryLockSql.jdbc());
        PreparedStatement rollback = holder.prepareStatement("ROLLBACK");
        PreparedStatement flush = c.prepareStatement(flushSql.jdbc());
        sequence(
                parts,
                ROWLOCK_RAW,
                "rowlock",
                Map.of(
                        "ROWLOCK_TRY",
                        () -> rowValues.put(
                                "token", PgBreakdown.one(PgBreakdown.bind(tryLock, tryLockSql.names(), rowValues))),
                        "ROWLOCK_FLUSH",
                        () -> {
                            if (PgBreakdown.bind(flush, flushSql.names(), rowValues)
                                            .executeUpdate()
                                    < 1) {
                                throw new IllegalStateException("the raw token flush wrote no row");
                            }
                        },
                        "ROLLBACK",
                        rollback::executeUpdate),
                List.of("ROWLOCK_TRY", "ROWLOCK_FLUSH", "ROLLBACK"));

        // Compare-and-set on a row of its own (every parameter binds from outside: no copy needed).
        MariaDbStatements.Statement casSql = MariaDbStatements.compareAndSet();
        byte[] casKey = Clients.freshKey("breakdown-cas").getBytes(StandardCharsets.UTF_8);
        try (PreparedStatement insert = c.prepareStatement(
                "INSERT INTO lockkit_versioned (vkey, value, version, write_id) VALUES (?, ?, 1, 0)")) {
            insert.setBytes(1, casKey);
            insert.setBytes(2, VALUE);
            PgBreakdown.check(insert.executeUpdate());
        }
        PreparedStatement cas = c.prepareStatement(casSql.jdbc());
        Map<String, Object> casValues = new HashMap<>(values);
        casValues.put("key", casKey);
        long[] version = {1};
        long[] writeId = {0};
        parts.put(CAS_RAW, Part.whole(() -> {
            casValues.put("expected", version[0]);
            casValues.put("write_id", ++writeId[0]);
            PgBreakdown.check(PgBreakdown.bind(cas, casSql.names(), casValues).executeUpdate());
            version[0]++;
        }));
    }

    /**
     * A sequence of raw statements ({@code order}, each run by its body in {@code bodies}): the whole
     * sequence timed as {@code whole}, and each statement timed alone, the others run untimed in order.
     */
    private static void sequence(
            Map<String, Part> parts,
            String whole,
            String variant,
            Map<String, Interleaved.Body> bodies,
            List<String> order) {
        List<Interleaved.Body> steps = order.stream().map(bodies::get).toList();
        parts.put(whole, Part.whole(() -> runAll(steps)));
        for (int i = 0; i < steps.size(); i++) {
            List<Interleaved.Body> before = steps.subList(0, i);
            List<Interleaved.Body> after = steps.subList(i + 1, steps.size());
            parts.put(
                    rawAlone(variant, order.get(i)), new Part(() -> runAll(before), steps.get(i), () -> runAll(after)));
        }
    }

    private static void runAll(List<Interleaved.Body> bodies) throws Exception {
        for (Interleaved.Body body : bodies) {
            body.run();
        }
    }

    /** {@code variant}'s acquire + release, acquire alone and release alone, each on a key of its own. */
    private static void pair(Map<String, Part> parts, JobLock lock, String variant) {
        String both = Clients.freshKey("breakdown-lock");
        String first = Clients.freshKey("breakdown-acquire");
        String second = Clients.freshKey("breakdown-release");
        Lease[] held = {null};
        parts.put(
                acquireRelease(variant),
                Part.whole(() -> Interleaved.releaseHeld(Interleaved.acquireFree(lock, both, LEASE))));
        parts.put(
                acquireAlone(variant),
                new Part(
                        Part.NOTHING,
                        () -> held[0] = Interleaved.acquireFree(lock, first, LEASE),
                        () -> Interleaved.releaseHeld(held[0])));
        parts.put(
                releaseAlone(variant),
                new Part(
                        () -> held[0] = Interleaved.acquireFree(lock, second, LEASE),
                        () -> Interleaved.releaseHeld(held[0]),
                        Part.NOTHING));
    }

    /** lockkit's compare-and-set through the backend, on a key of its own. */
    private static void compareAndSet(Map<String, Part> parts, VersionedUpdate store) {
        String valueKey = Clients.freshKey("breakdown-value");
        long[] version = {
            store.create(valueKey, VALUE)
                    .orElseThrow(() -> new IllegalStateException(valueKey + " already exists"))
                    .version()
        };
        parts.put(
                CAS,
                Part.whole(() -> version[0] = store.compareAndSet(valueKey, version[0], VALUE)
                        .orElseThrow(() -> new IllegalStateException("uncontended compareAndSet conflicted"))
                        .version()));
    }

    /** ShedLock's two statements raw, and its JDBC provider: lock + unlock, lock alone, unlock alone. */
    private static void shedLock(Map<String, Part> parts, Connection c, String name, Deque<AutoCloseable> opened)
            throws SQLException {
        PreparedStatement shedLock = c.prepareStatement(PgBreakdown.SHEDLOCK_LOCK);
        PreparedStatement shedUnlock = c.prepareStatement(PgBreakdown.SHEDLOCK_UNLOCK);
        parts.put(SHED_RAW, Part.whole(() -> {
            Instant now = Instant.now();
            shedLock.setTimestamp(1, Timestamp.from(now.plusSeconds(30)));
            shedLock.setTimestamp(2, Timestamp.from(now));
            shedLock.setString(3, "bench");
            shedLock.setString(4, name);
            shedLock.setTimestamp(5, Timestamp.from(now));
            PgBreakdown.check(shedLock.executeUpdate());
            shedUnlock.setTimestamp(1, Timestamp.from(Instant.now()));
            shedUnlock.setString(2, name);
            PgBreakdown.check(shedUnlock.executeUpdate());
        }));
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(Stores.mariadb());
        config.setMaximumPoolSize(2);
        HikariDataSource pool = new HikariDataSource(config);
        opened.push(pool);
        // ShedLock keeps lock_until in whole milliseconds: rotate over names, as PeerBench does.
        ShedLockRound round = new ShedLockRound(new JdbcLockProvider(pool), name);
        SimpleLock[] held = {null};
        parts.put(SHED, Part.whole(round::lockUnlock));
        parts.put(SHED_LOCK, new Part(Part.NOTHING, () -> held[0] = round.lock(), () -> held[0].unlock()));
        parts.put(SHED_UNLOCK, new Part(() -> held[0] = round.lock(), () -> held[0].unlock(), Part.NOTHING));
    }

    /** {@code prefix} and the ASCII/UTF-8 bytes of {@code text}: a row key of the session variants. */
    private static byte[] prefixed(byte prefix, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        byte[] row = new byte[bytes.length + 1];
        row[0] = prefix;
        System.arraycopy(bytes, 0, row, 1, bytes.length);
        return row;
    }
}
