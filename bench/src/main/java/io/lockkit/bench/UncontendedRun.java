package io.lockkit.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.locks.LockSupport;
import javax.sql.DataSource;
import org.apache.curator.framework.CuratorFramework;
import org.openjdk.jmh.annotations.Param;
import org.redisson.api.RScript;
import org.redisson.api.RedissonClient;
import org.redisson.api.options.OptionalOptions;
import org.redisson.client.codec.ByteArrayCodec;

/**
 * The uncontended figures once more, <em>interleaved</em>: per lockkit variant, its store's floor,
 * the variant's acquire + release and compare-and-set, and every peer on that store doing lock +
 * unlock, {@value #BATCH} operations of each in turn, round after round, in one thread of one JVM.
 * The machine's load then falls on all alike, so the ratios the targets are judged by (÷ a peer,
 * ÷ the write floor, handoff ÷ notify hop and cold round trips) compare like with like; JMH's
 * forks, minutes apart on a shared machine, keep the absolute figures. The subjects are the JMH
 * benchmarks' own state objects ({@link FloorBench}, {@link LockKitBench}, {@link PeerBench}), set
 * up as JMH sets them up, so both measure the same code. Every call MUST succeed.
 *
 * <p>The whole sequence runs {@code RUNS} times (at least {@value #MIN_RUNS}) in one invocation,
 * each run with clients of its own; every row carries its run, and the targets are judged on the
 * median of the runs' ratios, with each run's beside it, so one noisy stretch of a shared machine
 * cannot flip a verdict.
 *
 * <p>One variant at a time, as an application runs one: PostgreSQL wakes every listening session
 * of a database on every {@code NOTIFY}, so the session variants' release listeners, left open
 * beside the table variant, took CPU from every subject on this 2-core machine.
 *
 * <p>Each variant's group also has the write floor, the cheapest acknowledged write of the same
 * client: PostgreSQL and MariaDB a one-row {@code UPDATE} in autocommit (it pays a commit; on
 * MariaDB, which the backend requires to flush its redo log at every commit, a durable one),
 * Redis {@code EVALSHA} of a script doing one {@code SET}, ZooKeeper {@code setData} on one node
 * (it pays the transaction log).
 *
 * <p>After a store's variant groups, one handoff group per variant ({@link #handoffGroup}), whose
 * subjects all idle {@value #COLD_IDLE_NANOS} ns before their timed part, as long as the handoff
 * benchmark's waiter parks: the cold floor (the floor's round trip after the idling: what each hop
 * of a handoff pays on a machine whose idle threads and server processes are slow to wake), the
 * notify hop ({@link NotifyHop}, the store's own notification from one client to a listener on
 * another, the part of a handoff no lock on that store can skip), the variant's handoff and the
 * handoffs of the store's peers that can wait ({@link HandoffStep}). They are groups of their own
 * because they idle on purpose: what runs right after them starts cold (a floor measured there
 * came out up to twice the others'). MariaDB has none: its lockkit waiters poll ({@link
 * Clients#UNCONTENDED_ONLY}).
 *
 * <p>{@code UncontendedRun OUT.json ROUNDS [RUNS]} (runs default {@value #MIN_RUNS}); {@link
 * BenchMain} runs it in its own JVM. Warm-up: {@value #WARM_UP_ROUNDS} rounds in the first run (a
 * sixth of that on ZooKeeper), a tenth of that in later ones, at most five times the measured ones;
 * the handoff groups measure a quarter of {@code ROUNDS}.
 */
public final class UncontendedRun {
    static final int BATCH = 10;

    /** The fewest runs the targets are judged on. */
    static final int MIN_RUNS = 3;

    /**
     * Warm-up rounds before measuring: enough for the JIT to compile every subject's path fully (a
     * few thousand calls), as a JMH fork's warm-up does; with 20 rounds lockkit's own code was
     * still partly interpreted while the drivers' shared code was hot.
     */
    private static final int WARM_UP_ROUNDS = 300;

    /** How long the cold round trip's client sits idle first: a handoff benchmark's waiter parks 20 ms. */
    static final long COLD_IDLE_NANOS = 20_000_000;

    /**
     * One measured subject of a group (the lockkit variant it ran with, or its handoff group) in one
     * run (from 1): what it is ({@code floor}, {@code write}, {@code acquire}, {@code cas}, {@code
     * peer}; in a handoff group {@code cold}, {@code notify}, {@code handoff}).
     */
    record Row(
            int run,
            String store,
            String group,
            String subject,
            String kind,
            double medianMicros,
            double p90Micros,
            int samples) {}

    private record Subject(String name, String kind, Interleaved.Step step, AutoCloseable closer) {}

    private UncontendedRun() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 2 || args.length > 3) {
            System.err.println("usage: UncontendedRun <out.json> <rounds> [<runs>]");
            System.exit(2);
        }
        run(args);
        System.exit(0);
    }

    static List<Row> run(String... args) throws Exception {
        int rounds = Integer.parseInt(args[1]);
        int runs = args.length > 2 ? Integer.parseInt(args[2]) : MIN_RUNS;
        if (runs < MIN_RUNS) {
            throw new IllegalArgumentException("runs must be at least " + MIN_RUNS + ": " + runs);
        }
        List<Row> rows = new ArrayList<>();
        for (int run = 1; run <= runs; run++) {
            for (String store : List.of("postgresql", "mariadb", "redis", "zookeeper")) {
                for (String variant : Report.variantsOn(store)) {
                    rows.addAll(group(run, store, variant, false, rounds));
                }
                for (String variant : Report.variantsOn(store)) {
                    if (!Clients.UNCONTENDED_ONLY.contains(variant)) {
                        rows.addAll(group(run, store, variant, true, rounds));
                    }
                }
            }
        }
        new ObjectMapper()
                .writerWithDefaultPrettyPrinter()
                .writeValue(Path.of(args[0]).toFile(), rows);
        return rows;
    }

    /** The handoff group of {@code variant}: {@link Row#group()} of its rows. */
    static String handoffGroup(String variant) {
        return variant + " handoff";
    }

    /** One group in one run: {@code variant} with its floors and peers, or its handoff group. */
    private static List<Row> group(int run, String store, String variant, boolean handoff, int rounds)
            throws Exception {
        String name = handoff ? handoffGroup(variant) : variant;
        List<Subject> subjects = handoff ? handoffSubjects(store, variant) : subjects(store, variant);
        try {
            // ZooKeeper's writes take milliseconds: fewer rounds there keep the run short; the handoff
            // groups idle 20 ms per operation, so they measure fewer rounds still.
            int measured =
                    handoff ? Math.max(1, rounds / 4) : store.equals("zookeeper") ? Math.max(1, rounds / 3) : rounds;
            int warmUp = handoff
                    ? Math.min(2, measured)
                    : Math.min(
                            (store.equals("zookeeper") ? WARM_UP_ROUNDS / 6 : WARM_UP_ROUNDS) / (run == 1 ? 1 : 10),
                            measured * 5);
            long[][] samples =
                    Interleaved.run(subjects.stream().map(Subject::step).toList(), BATCH, warmUp, measured);
            List<Row> rows = new ArrayList<>();
            for (int s = 0; s < subjects.size(); s++) {
                Row row = new Row(
                        run,
                        store,
                        name,
                        subjects.get(s).name(),
                        subjects.get(s).kind(),
                        Interleaved.micros(samples[s], 0.5),
                        Interleaved.micros(samples[s], 0.9),
                        samples[s].length);
                rows.add(row);
                System.out.printf(
                        Locale.ROOT,
                        "interleaved run %d %-28s %-8s %-36s median %8.1f µs, p90 %8.1f µs (%d)%n",
                        run,
                        name,
                        row.kind(),
                        row.subject(),
                        row.medianMicros(),
                        row.p90Micros(),
                        row.samples());
            }
            return rows;
        } finally {
            for (Subject subject : subjects) {
                subject.closer().close();
            }
        }
    }

    /** A handoff group's subjects, set up; the caller closes them. */
    private static List<Subject> handoffSubjects(String store, String variant) throws Exception {
        List<Subject> subjects = new ArrayList<>();
        try {
            FloorBench floor = new FloorBench();
            floor.store = store;
            floor.open();
            subjects.add(new Subject(
                    store,
                    "cold",
                    new Interleaved.Step() {
                        @Override
                        public long run() throws Exception {
                            LockSupport.parkNanos(COLD_IDLE_NANOS);
                            long t0 = System.nanoTime();
                            floor.roundTrip();
                            return System.nanoTime() - t0;
                        }

                        /** Its idling would make the warm-up long, and it runs the floor's warm code. */
                        @Override
                        public boolean warmsUp() {
                            return false;
                        }
                    },
                    floor::close));
            Subject write = writeFloor(store);
            subjects.add(new Subject(
                    store,
                    "coldwrite",
                    new Interleaved.Step() {
                        @Override
                        public long run() throws Exception {
                            LockSupport.parkNanos(COLD_IDLE_NANOS);
                            return write.step().run();
                        }

                        /** As the cold floor: its idling would make the warm-up long. */
                        @Override
                        public boolean warmsUp() {
                            return false;
                        }
                    },
                    write.closer()));
            NotifyHop hop = NotifyHop.open(store);
            subjects.add(new Subject(store, "notify", hop, hop));
            HandoffStep ours = HandoffStep.open(variant);
            subjects.add(new Subject(variant, "handoff", ours, ours));
            for (String peer : HandoffStep.PEERS) {
                if (Clients.store(peer).equals(store)) {
                    HandoffStep theirs = HandoffStep.open(peer);
                    subjects.add(new Subject(peer, "handoff", theirs, theirs));
                }
            }
            return subjects;
        } catch (Exception | Error e) {
            closeAll(subjects, e);
            throw e;
        }
    }

    private static void closeAll(List<Subject> subjects, Throwable e) {
        for (Subject subject : subjects) {
            try {
                subject.closer().close();
            } catch (Exception suppressed) {
                e.addSuppressed(suppressed);
            }
        }
    }

    /** A variant group's subjects, set up; the caller closes them. */
    private static List<Subject> subjects(String store, String variant) throws Exception {
        List<Subject> subjects = new ArrayList<>();
        try {
            FloorBench floor = new FloorBench();
            floor.store = store;
            floor.open();
            subjects.add(new Subject(store, "floor", Interleaved.timed(floor::roundTrip), floor::close));
            subjects.add(writeFloor(store));
            LockKitBench lockkit = new LockKitBench();
            lockkit.backend = variant;
            lockkit.open();
            subjects.add(new Subject(variant, "acquire", Interleaved.timed(lockkit::acquireRelease), lockkit::close));
            subjects.add(new Subject(variant, "cas", Interleaved.timed(lockkit::compareAndSet), () -> {}));
            for (String name : peers()) {
                if (Clients.store(name).equals(store)) {
                    PeerBench peer = new PeerBench();
                    peer.peer = name;
                    peer.open();
                    subjects.add(new Subject(name, "peer", Interleaved.timed(peer::lockUnlock), peer::close));
                }
            }
            return subjects;
        } catch (Exception | Error e) {
            closeAll(subjects, e);
            throw e;
        }
    }

    /** The peers {@link PeerBench} measures: its {@code @Param} values. */
    static List<String> peers() throws NoSuchFieldException {
        return List.of(
                PeerBench.class.getField("peer").getAnnotation(Param.class).value());
    }

    private static Subject writeFloor(String store) throws Exception {
        String name = store;
        switch (store) {
            case "postgresql" -> {
                return sqlWriteFloor(
                        name,
                        Clients.dataSource(),
                        "INSERT INTO bench_write_floor VALUES (1, 0) ON CONFLICT (id) DO NOTHING");
            }
            case "mariadb" -> {
                return sqlWriteFloor(
                        name,
                        Clients.mariaDbDataSource(Stores.mariadb()),
                        "INSERT IGNORE INTO bench_write_floor VALUES (1, 0)");
            }
            case "redis" -> {
                RedissonClient redisson = Clients.redisson(Clients.lockkitTransport());
                RScript script = redisson.getScript(OptionalOptions.defaults()
                        .codec(ByteArrayCodec.INSTANCE)
                        .retryAttempts(0));
                String sha = script.scriptLoad("return redis.call('set', KEYS[1], ARGV[1])");
                List<Object> keys = List.of(Clients.freshKey("write-floor"));
                byte[] value = {1};
                return new Subject(
                        name,
                        "write",
                        Interleaved.timed(() ->
                                script.evalSha(RScript.Mode.READ_WRITE, sha, RScript.ReturnType.STATUS, keys, value)),
                        redisson::shutdown);
            }
            case "zookeeper" -> {
                CuratorFramework curator = Clients.curator();
                String path = "/" + Clients.freshKey("write-floor");
                byte[] value = {1};
                curator.create().forPath(path, value);
                return new Subject(
                        name, "write", Interleaved.timed(() -> curator.setData().forPath(path, value)), curator);
            }
            default -> throw new IllegalArgumentException("unknown store: " + store);
        }
    }

    /**
     * The SQL write floor: a one-row {@code UPDATE} in autocommit on one connection of {@code
     * dataSource}, its row put there first by {@code insertRow} (which leaves an existing row be).
     */
    private static Subject sqlWriteFloor(String name, DataSource dataSource, String insertRow) throws SQLException {
        Connection connection = dataSource.getConnection();
        try (Statement s = connection.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS bench_write_floor (id int PRIMARY KEY, v bigint NOT NULL)");
            s.execute(insertRow);
        } catch (SQLException | RuntimeException e) {
            connection.close();
            throw e;
        }
        PreparedStatement update = connection.prepareStatement("UPDATE bench_write_floor SET v = v + 1 WHERE id = 1");
        return new Subject(name, "write", Interleaved.timed(update::executeUpdate), connection);
    }
}
