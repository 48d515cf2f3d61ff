package io.lockkit.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.lockkit.Backend;
import io.lockkit.ConcurrentUpdateException;
import io.lockkit.Lease;
import io.lockkit.OutcomeUnknownException;
import io.lockkit.RetryPolicy;
import io.lockkit.Updater;
import io.lockkit.Versioned;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * The contended counter: 1, 8 and 100 threads incrementing ONE key, per lockkit variant, through the
 * retrying updater ({@code updater}) and through a lock-protected read-modify-write ({@code lock}:
 * acquire with a wait, read, compare-and-set fenced by the lease's token, release), and on
 * PostgreSQL the atomic {@code UPDATE … SET v = v + 1} on a pool as large as lockkit's ({@code
 * floor}). Reports throughput and write attempts per success, and checks that the final value equals
 * the acknowledged increments: a mismatch is a failure and the process exits with status 1.
 *
 * <p>A hand-rolled harness, not JMH: JMH sets the thread count per run rather than per parameter,
 * measures time per operation rather than the throughput of a shared counter, and has no place to
 * fail a run on the counter's final value. Each case warms up, counts what completes in the
 * measurement window, then stops its threads and checks the value. Runs in its own JVM (started by
 * {@link BenchMain}), so the embedded ZooKeeper server does not share it; in smoke mode, in the
 * launcher (nothing is measured then, and a JVM's start would double the smoke's time).
 *
 * <p>The updater's policy: {@value #MAX_ATTEMPTS} attempts within {@value #MAX_SECONDS} s, backoff
 * 1–100 ms (the defaults otherwise): under 100 threads the default 100 attempts can run out, and a
 * give-up is counted, not hidden.
 */
public final class CounterRun {
    static final int MAX_ATTEMPTS = 100_000;
    static final int MAX_SECONDS = 120;
    private static final RetryPolicy POLICY = RetryPolicy.builder()
            .maxAttempts(MAX_ATTEMPTS)
            .maxDuration(Duration.ofSeconds(MAX_SECONDS))
            .build();
    private static final Duration LEASE = Duration.ofSeconds(30);
    private static final Duration MAX_WAIT = Duration.ofSeconds(30);
    private static final Duration DRAIN = Duration.ofSeconds(150);
    private static final String FLOOR_DDL =
            "CREATE TABLE IF NOT EXISTS bench_counter (id text PRIMARY KEY, v bigint NOT NULL)";

    /** One case's numbers; {@code correct} is final − initial = acknowledged (or within the unknown outcomes). */
    record Row(
            String subject,
            String mode,
            int threads,
            double opsPerSecond,
            double attemptsPerSuccess,
            long acknowledged,
            long giveUps,
            long unknown,
            long applied,
            boolean correct,
            String note) {}

    /** What one increment came to. */
    private enum Outcome {
        ACKNOWLEDGED,
        GAVE_UP,
        UNKNOWN,
        /** Nothing written: the case is stopping. */
        STOPPED
    }

    /**
     * The end of a case, so that its threads stop in milliseconds rather than each finishing an
     * increment under contention: the updater's function declines, and a thread waiting in {@code
     * acquire} is interrupted (it then holds no lock, L8). A thread that already holds its lease
     * finishes its increment.
     */
    private static final class Stop {
        private final AtomicBoolean stopping = new AtomicBoolean();
        private final Set<Thread> waiting = new HashSet<>(); // guarded by this

        boolean stopping() {
            return stopping.get();
        }

        synchronized void stop() {
            stopping.set(true);
            waiting.forEach(Thread::interrupt);
        }

        Optional<Lease> acquire(Backend client, String key) throws InterruptedException {
            Thread me = Thread.currentThread();
            synchronized (this) {
                if (stopping.get()) {
                    throw new InterruptedException("stopping");
                }
                waiting.add(me);
            }
            try {
                return client.jobLock().acquire(key, LEASE, MAX_WAIT);
            } finally {
                synchronized (this) {
                    waiting.remove(me);
                    // An interrupt that came after acquire returned is not for the work under the lease.
                    Thread.interrupted();
                }
            }
        }
    }

    /** One increment by one thread. */
    @FunctionalInterface
    private interface Increment {
        Outcome run(Stop stop) throws Exception;
    }

    private CounterRun() {}

    /** {@code CounterRun OUT.json WARMUP_MS MEASURE_MS THREADS[,THREADS…] [VARIANT_REGEX]}. */
    public static void main(String[] args) throws Exception {
        if (args.length < 4) {
            System.err.println("usage: CounterRun <out.json> <warmup ms> <measure ms> <threads,…> [variant regex]");
            System.exit(2);
        }
        System.exit(run(args) ? 0 : 1);
    }

    /** Runs the cases {@link #main} describes; true when every final value is right. */
    static boolean run(String... args) throws Exception {
        Duration warmup = Duration.ofMillis(Long.parseLong(args[1]));
        Duration measure = Duration.ofMillis(Long.parseLong(args[2]));
        int[] threads =
                Arrays.stream(args[3].split(",")).mapToInt(Integer::parseInt).toArray();
        String only = args.length > 4 ? args[4] : ".*";
        List<Row> rows = new ArrayList<>();
        for (String variant : Clients.VARIANTS) {
            if (variant.matches(only) && !Clients.UNCONTENDED_ONLY.contains(variant)) {
                rows.addAll(lockkit(variant, threads, warmup, measure));
            }
        }
        if ("postgresql/UPDATE".matches(only)) {
            rows.addAll(floor(threads, warmup, measure));
        }
        new ObjectMapper()
                .writerWithDefaultPrettyPrinter()
                .writeValue(Path.of(args[0]).toFile(), rows);
        boolean correct = rows.stream().allMatch(Row::correct);
        System.out.println("counter: " + rows.size() + " cases, "
                + (correct ? "every final value = acknowledged increments" : "FAILED: see the rows marked wrong"));
        return correct;
    }

    private static List<Row> lockkit(String variant, int[] threads, Duration warmup, Duration measure) {
        List<Row> rows = new ArrayList<>();
        try (Backend client = Clients.lockkit(variant)) {
            CountingStore store = new CountingStore(client.versionedUpdate());
            Updater updater = store.updater(POLICY);
            for (String mode : List.of("updater", "lock")) {
                for (int n : threads) {
                    String key = Clients.freshKey("counter");
                    store.create(key, bytes(0)).orElseThrow();
                    Increment increment = mode.equals("updater")
                            ? stop -> viaUpdater(updater, key, stop)
                            : stop -> viaLock(client, store, key, variant, stop);
                    rows.add(measure(
                            variant,
                            mode,
                            n,
                            increment,
                            store::attempts,
                            () -> value(store.read(key).orElseThrow()),
                            warmup,
                            measure));
                }
            }
        }
        return rows;
    }

    private static Outcome viaUpdater(Updater updater, String key, Stop stop) {
        try {
            Optional<Versioned> written = updater.update(
                    key,
                    current -> stop.stopping()
                            ? Optional.empty()
                            : Optional.of(bytes(current.map(CounterRun::value)
                                            .orElseThrow(() -> new IllegalStateException(key + " vanished"))
                                    + 1)));
            return written.isPresent() ? Outcome.ACKNOWLEDGED : Outcome.STOPPED;
        } catch (ConcurrentUpdateException e) {
            return Outcome.GAVE_UP;
        } catch (OutcomeUnknownException e) {
            return Outcome.UNKNOWN;
        }
    }

    private static Outcome viaLock(Backend client, CountingStore store, String key, String variant, Stop stop) {
        Optional<Lease> acquired;
        try {
            acquired = stop.acquire(client, key);
        } catch (InterruptedException e) {
            return Outcome.STOPPED;
        }
        if (acquired.isEmpty()) {
            return Outcome.GAVE_UP;
        }
        try (Lease lease = acquired.get()) {
            Versioned current = store.read(key).orElseThrow(() -> new IllegalStateException(key + " vanished"));
            try {
                store.compareAndSet(key, current.version(), bytes(value(current) + 1), lease.token())
                        .orElseThrow(() -> new IllegalStateException(
                                variant + ": compareAndSet under the lock conflicted: the lock did not exclude"));
                return Outcome.ACKNOWLEDGED;
            } catch (OutcomeUnknownException e) {
                return Outcome.UNKNOWN;
            }
        }
    }

    private static List<Row> floor(int[] threads, Duration warmup, Duration measure) throws SQLException {
        List<Row> rows = new ArrayList<>();
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(Stores.postgres());
        config.setMaximumPoolSize(Clients.CONNECTIONS);
        config.setConnectionTimeout(30_000);
        try (HikariDataSource pool = new HikariDataSource(config)) {
            try (Connection c = pool.getConnection();
                    Statement s = c.createStatement()) {
                s.execute(FLOOR_DDL);
            }
            for (int n : threads) {
                String id = Clients.freshKey("counter");
                sql(pool, "INSERT INTO bench_counter (id, v) VALUES (?, 0)", id);
                LongAdder attempts = new LongAdder();
                Increment increment = stop -> {
                    attempts.increment();
                    return sql(pool, "UPDATE bench_counter SET v = v + 1 WHERE id = ?", id) == 1
                            ? Outcome.ACKNOWLEDGED
                            : Outcome.UNKNOWN;
                };
                rows.add(measure(
                        "postgresql/UPDATE",
                        "floor",
                        n,
                        increment,
                        attempts::sum,
                        () -> select(pool, id),
                        warmup,
                        measure));
            }
        }
        return rows;
    }

    private static int sql(HikariDataSource pool, String sql, String id) throws SQLException {
        try (Connection c = pool.getConnection();
                PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, id);
            return ps.executeUpdate();
        }
    }

    private static long select(HikariDataSource pool, String id) {
        try (Connection c = pool.getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT v FROM bench_counter WHERE id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the counter " + id, e);
        }
    }

    private static Row measure(
            String subject,
            String mode,
            int threads,
            Increment increment,
            LongSupplier attempts,
            LongSupplier value,
            Duration warmup,
            Duration measure) {
        long began = System.nanoTime();
        long initial = value.getAsLong();
        LongAdder acknowledged = new LongAdder();
        LongAdder gaveUp = new LongAdder();
        LongAdder unknown = new LongAdder();
        AtomicReference<@Nullable Throwable> failure = new AtomicReference<>();
        Stop stop = new Stop();
        List<Thread> workers = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            Thread t = new Thread(
                    () -> {
                        while (!stop.stopping() && failure.get() == null) {
                            try {
                                switch (increment.run(stop)) {
                                    case ACKNOWLEDGED -> acknowledged.increment();
                                    case GAVE_UP -> gaveUp.increment();
                                    case UNKNOWN -> unknown.increment();
                                    case STOPPED -> {
                                        // nothing written
                                    }
                                }
                            } catch (Throwable e) {
                                // The write may or may not have happened: count it as unknown and stop the case.
                                unknown.increment();
                                failure.compareAndSet(null, e);
                            }
                        }
                    },
                    "counter-" + i);
            workers.add(t);
        }
        workers.forEach(Thread::start);
        waitFor(warmup);
        long ackedBefore = acknowledged.sum();
        long attemptsBefore = attempts.getAsLong();
        long started = System.nanoTime();
        waitFor(measure);
        long acked = acknowledged.sum() - ackedBefore;
        long tried = attempts.getAsLong() - attemptsBefore;
        double seconds = (System.nanoTime() - started) / 1e9;
        stop.stop();
        long drainUntil = System.nanoTime() + DRAIN.toNanos();
        List<String> notes = new ArrayList<>();
        for (Thread t : workers) {
            try {
                t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(drainUntil - System.nanoTime())));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while stopping the counter threads", e);
            }
            if (t.isAlive()) {
                notes.add(t.getName() + " still running after " + DRAIN.toSeconds() + " s");
            }
        }
        long applied = value.getAsLong() - initial;
        long total = acknowledged.sum();
        long unsure = unknown.sum();
        boolean correct = notes.isEmpty() && failure.get() == null && applied >= total && applied <= total + unsure;
        Throwable thrown = failure.get();
        if (thrown != null) {
            notes.add("threw " + thrown);
            thrown.printStackTrace();
        }
        if (applied != total) {
            notes.add("final − initial = " + applied + " but " + total + " increments were acknowledged (" + unsure
                    + " outcomes unknown)");
        }
        Row row = new Row(
                subject,
                mode,
                threads,
                acked / seconds,
                acked == 0 ? Double.NaN : (double) tried / acked,
                total,
                gaveUp.sum(),
                unsure,
                applied,
                correct,
                String.join("; ", notes));
        System.out.printf(
                Locale.ROOT,
                "counter %-20s %-7s %3d threads: %9.1f ops/s, %6.2f attempts/success, %d acknowledged, %d gave up,"
                        + " %d unknown, %d applied, %.1f s: %s%n",
                subject,
                mode,
                threads,
                row.opsPerSecond(),
                row.attemptsPerSuccess(),
                total,
                row.giveUps(),
                unsure,
                applied,
                (System.nanoTime() - began) / 1e9,
                correct ? "final = acknowledged" : "FAILED " + row.note());
        return row;
    }

    /** Lets the workers run for {@code time} (a measurement window, not a wait for a condition). */
    private static void waitFor(Duration time) {
        long until = System.nanoTime() + time.toNanos();
        for (long left; (left = until - System.nanoTime()) > 0; ) {
            LockSupport.parkNanos(left);
        }
    }

    private static byte[] bytes(long n) {
        return Long.toString(n).getBytes(StandardCharsets.US_ASCII);
    }

    private static long value(Versioned v) {
        return Long.parseLong(v.valueAsString());
    }
}
