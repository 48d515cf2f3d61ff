package io.lockkit.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportTest {
    @TempDir
    Path dir;

    @Test
    @DisplayName("medians come from the 50th percentile, in µs, and ratios divide by the store's floor")
    void mediansAndRatios() throws IOException {
        jmh(
                run("LockKitBench.acquireRelease", "backend", "redis", 200_000, "ns/op"),
                run("LockKitBench.compareAndSet", "backend", "redis", 150, "us/op"),
                run("FloorBench.roundTrip", "store", "redis", 100, "us/op"),
                run("PeerBench.lockUnlock", "peer", "redisson/RLock", 400, "us/op"));

        String md = Report.write(dir);

        assertThat(md)
                .contains("| redis | 200.0 | 2.00 | 1.00 | 150.0 | 1.50 | 1.50 | 100.0 |")
                .contains("| redisson/RLock | 400.0 | 4.00 | redis 200.0 | 0.50 |")
                .doesNotContain("postgresql/table |");
        assertThat(dir.resolve("results.md")).hasContent(md);
    }

    @Test
    @DisplayName("a backend without a floor in the run gets dashes, not a division by nothing")
    void missingFloor() throws IOException {
        jmh(run("LockKitBench.acquireRelease", "backend", "mem/timed", 0.5, "us/op"));

        assertThat(Report.write(dir)).contains("| mem/timed | 0.50 | – | – | – | – | – | – |");
    }

    @Test
    @DisplayName("each target is a met or missed line, and a missed one says by how much")
    void targets() throws IOException {
        jmh(
                run("LockKitBench.acquireRelease", "backend", "redis", 200, "us/op"),
                run("LockKitBench.acquireRelease", "backend", "postgresql/table", 240, "us/op"),
                run("FloorBench.roundTrip", "store", "redis", 100, "us/op"),
                run("FloorBench.roundTrip", "store", "postgresql", 25, "us/op"),
                run("PeerBench.lockUnlock", "peer", "redisson/RLock", 400, "us/op"));
        Files.writeString(
                dir.resolve("roundtrips.json"),
                """
                [{"backend": "redis", "operation": "acquire", "counted": 1, "min": 1, "max": 2},
                 {"backend": "redis", "operation": "release", "counted": 1, "min": 1, "max": 1},
                 {"backend": "redis", "operation": "compareAndSet", "counted": 2, "min": 2, "max": 2}]
                """);
        Files.writeString(
                dir.resolve("idle.json"),
                """
                [{"backend": "redis", "plainMicros": 200.0, "idleMicros": 230.0, "idleKeys": 100000},
                 {"backend": "zookeeper", "plainMicros": 1000.0, "idleMicros": 1050.0, "idleKeys": 100000}]
                """);

        String md = Report.write(dir);

        assertThat(md)
                .contains("**not measured**: the ratio targets (acquire+release against the peers, compareAndSet"
                        + " against the write floor, handoff): the interleaved run (`UncontendedRun`) did not run")
                .contains("**missed**: exactly the minimum round trips, redis: acquire 1 (min 1), release 1 (min 1),"
                        + " compareAndSet 2 (min 1)")
                .contains(
                        "**missed**: idle keys within 10 %, redis: with 100,000 idle keys ÷ without: 1.15 × (median of"
                                + " 1 run; each run 1.15), over by 5 %; with 230.0 µs, without 200.0 µs (medians of the runs)")
                .contains("**met**: idle keys within 10 %, zookeeper: with 100,000 idle keys ÷ without: 1.05 ×")
                .contains("| redis | 200.0 | 230.0 | 1.15 | 1.15 |")
                .contains("| redis | 1 (1–2) | 1 | 2 | 1 / 1 / 1 |")
                .doesNotContain("floor·RT, redis", "no slower than the fastest peer");
    }

    @Test
    @DisplayName("idle keys over several runs: the median of the runs' ratios decides, each run's beside it")
    void idleRuns() throws IOException {
        jmh(run("FloorBench.roundTrip", "store", "redis", 100, "us/op"));
        Files.writeString(
                dir.resolve("idle.json"),
                """
                [{"backend": "redis", "plainMicros": 200.0, "idleMicros": 210.0, "idleKeys": 100000, "run": 1},
                 {"backend": "redis", "plainMicros": 200.0, "idleMicros": 300.0, "idleKeys": 100000, "run": 2},
                 {"backend": "redis", "plainMicros": 200.0, "idleMicros": 200.0, "idleKeys": 100000, "run": 3}]
                """);

        String md = Report.write(dir);

        assertThat(md)
                .contains("**met**: idle keys within 10 %, redis: with 100,000 idle keys ÷ without: 1.05 × (median of 3"
                        + " runs; each run 1.05, 1.50, 1.00); with 210.0 µs, without 200.0 µs (medians of the runs)")
                .contains("| redis | 200.0 | 210.0 | 1.05 | 1.05, 1.50, 1.00 |");
    }

    @Test
    @DisplayName("ShedLock's Redis and ZooKeeper providers count as peers on their stores, in table and chart")
    void shedLockPeers() throws IOException {
        jmh(
                run("LockKitBench.acquireRelease", "backend", "redis", 200, "us/op"),
                run("LockKitBench.acquireRelease", "backend", "zookeeper", 1300, "us/op"),
                run("FloorBench.roundTrip", "store", "redis", 100, "us/op"),
                run("FloorBench.roundTrip", "store", "zookeeper", 190, "us/op"),
                run("PeerBench.lockUnlock", "peer", "redisson/RLock", 400, "us/op"),
                run("PeerBench.lockUnlock", "peer", "shedlock/redis", 160, "us/op"),
                run("PeerBench.lockUnlock", "peer", "curator/InterProcessMutex", 1_170, "us/op"),
                run("PeerBench.lockUnlock", "peer", "shedlock/zookeeper", 1_040, "us/op"));

        String md = Report.write(dir);

        assertThat(Clients.store("shedlock/redis")).isEqualTo("redis");
        assertThat(Clients.store("shedlock/zookeeper")).isEqualTo("zookeeper");
        assertThat(md)
                .contains("| shedlock/redis | 160.0 | 1.60 | redis 200.0 | 1.25 |")
                .contains("| shedlock/zookeeper | 1040.0 | 5.47 | zookeeper 1300.0 | 1.25 |");
        assertThat(Files.readString(dir.resolve("chart.svg")))
                .contains(">shedlock/redis</text>", ">shedlock/zookeeper</text>");
    }

    @Test
    @DisplayName("each ratio target is judged on the median of the interleaved runs' ratios, each run's beside it")
    void interleavedRunsDecideTheRatioTargets() throws IOException {
        jmh(
                run("LockKitBench.acquireRelease", "backend", "postgresql/table", 400, "us/op"),
                run("FloorBench.roundTrip", "store", "postgresql", 20, "us/op"),
                run("PeerBench.lockUnlock", "peer", "shedlock/jdbc", 100, "us/op"),
                run("HandoffBench.handoff", "backend", "postgresql/table", 2000, "us/op"));
        List<String> rows = new ArrayList<>();
        double[] acquire = {150, 150, 300};
        double[] jdbc = {250, 250, 250};
        double[] template = {220, 260, 280};
        double[] write = {70, 75, 60};
        double[] redisHandoff = {900, 1000, 2500};
        for (int run = 1; run <= 3; run++) {
            String pg = "postgresql/table";
            String pgHandoff = UncontendedRun.handoffGroup(pg);
            rows.add(row(run, "postgresql", pg, "postgresql", "floor", 30));
            rows.add(row(run, "postgresql", pg, "postgresql", "write", write[run - 1]));
            rows.add(row(run, "postgresql", pg, pg, "acquire", acquire[run - 1]));
            rows.add(row(run, "postgresql", pg, pg, "cas", 80));
            rows.add(row(run, "postgresql", pg, "shedlock/jdbc", "peer", jdbc[run - 1]));
            rows.add(row(run, "postgresql", pg, "shedlock/jdbc-template", "peer", template[run - 1]));
            rows.add(row(run, "postgresql", pgHandoff, "postgresql", "cold", 300));
            rows.add(row(run, "postgresql", pgHandoff, "postgresql", "coldwrite", 400));
            rows.add(row(run, "postgresql", pgHandoff, "postgresql", "notify", 800));
            rows.add(row(run, "postgresql", pgHandoff, pg, "handoff", 1200));
            String redisHandoffGroup = UncontendedRun.handoffGroup("redis");
            rows.add(row(run, "redis", redisHandoffGroup, "redis", "cold", 400));
            rows.add(row(run, "redis", redisHandoffGroup, "redis", "notify", 600));
            rows.add(row(run, "redis", redisHandoffGroup, "redis", "handoff", redisHandoff[run - 1]));
            rows.add(row(run, "redis", redisHandoffGroup, "redisson/RLock", "handoff", 1500));
            rows.add(row(run, "redis", redisHandoffGroup, "redisson/RFencedLock", "handoff", 1800));
        }
        Files.writeString(dir.resolve("uncontended.json"), "[" + String.join(",", rows) + "]");

        String md = Report.write(dir);

        assertThat(md)
                .contains("**met**: postgresql/table acquire+release ≤ 0.75 × the fastest ShedLock JDBC setup: 0.68 ×"
                        + " (median of 3 runs; each run 0.68, 0.60, 1.20); postgresql/table 150.0 µs, shedlock/jdbc"
                        + " 250.0 µs, shedlock/jdbc-template 260.0 µs (medians of the runs)")
                .contains(
                        "**missed**: postgresql/table compareAndSet ≤ 1.1 × the write floor: 1.14 × (median of 3 runs;"
                                + " each run 1.14, 1.07, 1.33), over by 4 %; compareAndSet 80.0 µs, write floor 70.0 µs")
                .contains("**met**: postgresql/table handoff ≤ 1.1 × (notify hop + 1 × cold write): 1.00 × (median of 3"
                        + " runs; each run 1.00, 1.00, 1.00); handoff 1200.0 µs, notify hop 800.0 µs, cold floor"
                        + " 300.0 µs, cold write 400.0 µs")
                .contains("**not measured**: postgresql/table handoff below every peer's handoff in the same run: no"
                        + " postgresql peer here can wait")
                .contains("**met**: redis handoff ≤ 1.1 × (notify hop + 1 × cold floor): 1.00 × (median of 3 runs;"
                        + " each run 0.90, 1.00, 2.50)")
                .contains(
                        "**met**: redis handoff below every peer's handoff in the same run (× the fastest; ShedLock's:"
                                + " not measured, it has no wait): 0.67 × (median of 3 runs; each run 0.60, 0.67, 1.67);"
                                + " redis 1000.0 µs, redisson/RLock 1500.0 µs, redisson/RFencedLock 1800.0 µs")
                .contains("**not measured**: redis acquire+release ≤ 0.75 × Redisson RLock: not in the interleaved run")
                .contains("| postgresql/table | postgresql/table | tryAcquire + release | 150.0 | 150.0, 150.0, 300.0 |"
                        + " 160.0 | 5.00 | 2.14 | 1800 |")
                .contains(
                        "| postgresql/table handoff |  | notify hop (after 20 ms idle) | 800.0 | 800.0, 800.0, 800.0 |")
                .contains(
                        "| postgresql/table | 1200.0 | 1200.0, 1200.0, 1200.0 | 800.0 | 300.0 | 400.0 | 1320.0 | 2000.0 |")
                .contains("| redisson/RLock (beside redis) | 1500.0 | 1500.0, 1500.0, 1500.0 | – | – | – | – | – |")
                .doesNotContain("floor·RT, postgresql", "no slower than the fastest peer", "2 × floor + 1 ms");
    }

    @Test
    @DisplayName("MariaDB: its ShedLock peers are on its store, and its targets are judged on its own group's runs")
    void mariadbTargets() throws IOException {
        jmh(
                run("LockKitBench.acquireRelease", "backend", "mariadb/table", 900, "us/op"),
                run("FloorBench.roundTrip", "store", "mariadb", 60, "us/op"),
                run("PeerBench.lockUnlock", "peer", "shedlock/jdbc-template-mariadb", 1800, "us/op"));
        List<String> rows = new ArrayList<>();
        double[] acquire = {700, 800, 900};
        for (int run = 1; run <= 3; run++) {
            String v = "mariadb/table";
            rows.add(row(run, "mariadb", v, "mariadb", "floor", 60));
            rows.add(row(run, "mariadb", v, "mariadb", "write", 400));
            rows.add(row(run, "mariadb", v, v, "acquire", acquire[run - 1]));
            rows.add(row(run, "mariadb", v, v, "cas", 420));
            rows.add(row(run, "mariadb", v, "shedlock/jdbc-mariadb", "peer", 1000));
            rows.add(row(run, "mariadb", v, "shedlock/jdbc-template-mariadb", "peer", 2000));
        }
        Files.writeString(dir.resolve("uncontended.json"), "[" + String.join(",", rows) + "]");

        String md = Report.write(dir);

        assertThat(Clients.store("shedlock/jdbc-mariadb")).isEqualTo("mariadb");
        assertThat(Clients.store("shedlock/jdbc-template-mariadb")).isEqualTo("mariadb");
        assertThat(Clients.store("shedlock/jdbc-template")).isEqualTo("postgresql");
        assertThat(md)
                .contains("**missed**: mariadb/table acquire+release ≤ 0.75 × the fastest ShedLock JDBC setup on"
                        + " MariaDB: 0.80 × (median of 3 runs; each run 0.70, 0.80, 0.90), over by 7 %; mariadb/table"
                        + " 800.0 µs, shedlock/jdbc-mariadb 1000.0 µs, shedlock/jdbc-template-mariadb 2000.0 µs"
                        + " (medians of the runs)")
                .contains("**met**: mariadb/table compareAndSet ≤ 1.1 × the write floor: 1.05 × (median of 3 runs;"
                        + " each run 1.05, 1.05, 1.05); compareAndSet 420.0 µs, write floor 400.0 µs")
                .contains("**not measured**: mariadb/table handoff: its waiters poll")
                .contains("| mariadb/table | 900.0 | 15.00 | 7.50 |")
                .contains("| shedlock/jdbc-template-mariadb | 1800.0 | 30.00 | mariadb/table 900.0 | 0.50 |")
                .doesNotContain("mariadb/table handoff ≤");
    }

    /** One row of {@code uncontended.json}. */
    private static String row(int run, String store, String group, String subject, String kind, double median) {
        return """
                {"run": %d, "store": "%s", "group": "%s", "subject": "%s", "kind": "%s", "medianMicros": %s,
                 "p90Micros": %s, "samples": 600}
                """
                .formatted(run, store, group, subject, kind, median, median + 10);
    }

    @Test
    @DisplayName("a counter whose final value is not the acknowledged increments is shown as a failure")
    void counterMismatch() throws IOException {
        jmh(run("FloorBench.roundTrip", "store", "postgresql", 25, "us/op"));
        Files.writeString(
                dir.resolve("counter.json"),
                """
                [{"subject": "postgresql/table", "mode": "updater", "threads": 100, "opsPerSecond": 900.0,
                  "attemptsPerSuccess": 3.5, "acknowledged": 1000, "giveUps": 0, "unknown": 0, "applied": 999,
                  "correct": false, "note": "final − initial = 999 but 1000 increments were acknowledged"},
                 {"subject": "postgresql/UPDATE", "mode": "floor", "threads": 100, "opsPerSecond": 3000.0,
                  "attemptsPerSuccess": 1.0, "acknowledged": 9000, "giveUps": 0, "unknown": 0, "applied": 9000,
                  "correct": true, "note": ""}]
                """);

        String md = Report.write(dir);

        assertThat(md)
                .contains("| postgresql/table | updater | 100 | 900 | 3.50 | 1000 | 0 | **NO**: final − initial = 999")
                .contains("**missed**: contended counter: final = acknowledged increments in 1 of 2 cases")
                .contains("**missed**: optimistic counter at 100 threads ≥ 50 % of the atomic UPDATE,"
                        + " postgresql/table: 900 vs 3000 ops/s (30 %); short by 20 points");
        assertThat(Files.readString(dir.resolve("chart.svg"))).contains("postgresql/table updater × 100");
    }

    @Test
    @DisplayName("the PostgreSQL breakdown becomes a table and one sentence of measured differences")
    void postgresBreakdown() throws IOException {
        jmh(run("FloorBench.roundTrip", "store", "postgresql", 25, "us/op"));
        Files.writeString(
                dir.resolve("breakdown.json"),
                """
                {"%s": 30.0, "%s": 60.0, "%s": 150.0, "%s": 140.0, "%s": 250.0, "%s": 400.0, "%s": 120.0,
                 "%s": 130.0, "%s": 180.0}
                """
                        .formatted(
                                PgBreakdown.READ,
                                PgBreakdown.WRITE,
                                PgBreakdown.RAW,
                                PgBreakdown.RAW_QUIET,
                                PgBreakdown.JDBI,
                                PgBreakdown.LOCKKIT,
                                PgBreakdown.RELEASE,
                                PgBreakdown.SHED_RAW,
                                PgBreakdown.SHED));

        String md = Report.write(dir);

        assertThat(md)
                .contains("| " + PgBreakdown.WRITE + " | 60.0 | 2.00 |")
                .contains("so ShedLock's floor is two flushed writes, 120.0 µs, and lockkit's one flushed write and"
                        + " one without the flush (the floor table above). lockkit's two statements sent raw take 150.0 µs"
                        + " (without the release's wait-marker check 140.0 µs; ShedLock's two plain `UPDATE`s 130.0 µs);"
                        + " the backend itself, which sends them as plain JDBC statements, 400.0 µs (+250.0 µs of pool"
                        + " and lease bookkeeping). Through Jdbi's fluent API the same two statements take 250.0 µs"
                        + " (+100.0 µs: Jdbi 3 copies its configuration and resolves binders and mappers per"
                        + " statement, which is why the lock and compare-and-set paths do not use it). ShedLock's"
                        + " provider takes 180.0 µs (+50.0 µs over its raw statements).");
    }

    @Test
    @DisplayName(
            "each PostgreSQL operation against its floor summed from the floor steps, and each target at that floor")
    void postgresFloors() throws IOException {
        jmh(run("FloorBench.roundTrip", "store", "postgresql", 25, "us/op"));
        Map<String, Object> steps = new LinkedHashMap<>();
        steps.put(PgBreakdown.READ, 30.0);
        steps.put(PgBreakdown.WRITE, 60.0);
        steps.put(PgBreakdown.WRITE_NO_FLUSH, 40.0);
        steps.put(PgBreakdown.LOCKKIT, 150.0);
        steps.put(PgBreakdown.RELEASE, 50.0);
        steps.put(PgBreakdown.acquireRelease("postgresql/advisory"), 99.0);
        steps.put(PgBreakdown.acquireRelease("postgresql/rowlock"), 100.0);
        steps.put(PgBreakdown.CAS, 66.0);
        steps.put(PgBreakdown.SHED, 130.0);
        steps.put(PgBreakdown.SERVER, "PostgreSQL 14.15, synchronous_commit off, fsync off");
        new ObjectMapper().writeValue(dir.resolve("breakdown.json").toFile(), steps);

        String md = Report.write(dir);

        assertThat(md)
                .contains("Server: PostgreSQL 14.15, synchronous_commit off, fsync off.")
                .contains("| lockkit postgresql/table release alone | 50.0 | 1.67 |")
                .contains("| lockkit postgresql/table tryAcquire + release | 150.0 | write floor + write without flush"
                        + " | 100.0 | 1.50 | 50.0 |")
                .contains(
                        "| lockkit postgresql/table release alone | 50.0 | write without flush | 40.0 | 1.25 | 10.0 |")
                .contains("| lockkit postgresql/advisory tryAcquire + release | 99.0 | write floor + read floor | 90.0"
                        + " | 1.10 | 9.00 |")
                .contains("| lockkit compareAndSet | 66.0 | write floor | 60.0 | 1.10 | 6.00 |")
                .contains(
                        "| ShedLock JdbcLockProvider lock + unlock (HikariCP) | 130.0 | 2 × write floor | 120.0 | 1.08"
                                + " | 10.0 |")
                .contains("- postgresql/table at its floor, 100.0 µs, ÷ " + PgBreakdown.SHED + " as measured, 130.0 µs:"
                        + " 0.77 × (target ≤ 0.75): out of reach: at its floor lockkit would still miss it")
                .contains("- postgresql/advisory at its floor, 90.0 µs, ÷ " + PgBreakdown.SHED + " as measured, 130.0"
                        + " µs: 0.69 × (target ≤ 0.6): out of reach: at its floor lockkit would still miss it")
                .doesNotContain("| server |", "rowlock tryAcquire alone | ")
                .doesNotContain("Where ZooKeeper's time goes");
    }

    @Test
    @DisplayName("the MariaDB breakdown becomes its own section: steps, the counted flushes per operation, the floors")
    void mariadbBreakdown() throws IOException {
        jmh(run("FloorBench.roundTrip", "store", "mariadb", 40, "us/op"));
        Map<String, Object> steps = new LinkedHashMap<>();
        steps.put(MariaDbBreakdown.READ, 40.0);
        steps.put(MariaDbBreakdown.WRITE, 300.0);
        steps.put(MariaDbBreakdown.acquireRelease("mariadb/table"), 660.0);
        steps.put(MariaDbBreakdown.acquireRelease("mariadb/advisory"), 500.0);
        steps.put(MariaDbBreakdown.releaseAlone("mariadb/advisory"), 50.0);
        steps.put(MariaDbBreakdown.SHED, 640.0);
        steps.put(MariaDbBreakdown.SERVER, "MariaDB 10.11.19, innodb_flush_log_at_trx_commit 1");
        Map<String, Double> fsyncs = new LinkedHashMap<>();
        fsyncs.put(MariaDbBreakdown.WRITE, 1.0);
        fsyncs.put(MariaDbBreakdown.acquireRelease("mariadb/table"), 2.0);
        fsyncs.put(MariaDbBreakdown.releaseAlone("mariadb/advisory"), 0.01);
        steps.put(MariaDbBreakdown.FSYNCS, fsyncs);
        steps.put(MariaDbBreakdown.LOG_WRITES, Map.of(MariaDbBreakdown.acquireRelease("mariadb/table"), 2.0));
        new ObjectMapper().writeValue(dir.resolve(MariaDbBreakdown.FILE).toFile(), steps);

        String md = Report.write(dir);

        assertThat(md)
                .contains("### Where MariaDB's time goes (µs)")
                .contains("Server: MariaDB 10.11.19, innodb_flush_log_at_trx_commit 1.")
                .contains("| " + MariaDbBreakdown.WRITE + " | 300.0 | 7.50 |")
                .contains("| " + MariaDbBreakdown.WRITE + " | 1.00 | – | 1 |")
                .contains("| lockkit mariadb/table tryAcquire + release | 2.00 | 2.00 | 2 |")
                .contains("| lockkit mariadb/advisory release alone | 0.01 | – | 0 |")
                .contains(
                        "| lockkit mariadb/table tryAcquire + release | 660.0 | 2 × write floor | 600.0 | 1.10 | 60.0 |")
                .contains("| lockkit mariadb/advisory tryAcquire + release | 500.0 | write floor + read floor | 340.0"
                        + " | 1.47 | 160.0 |")
                .contains("- mariadb/advisory at its floor, 340.0 µs, ÷ " + MariaDbBreakdown.SHED + " as measured,"
                        + " 640.0 µs: 0.53 × (target ≤ 0.6): within reach")
                .doesNotContain("| server |", "\n| fsyncs |", "| logWrites |", "Where PostgreSQL's time goes");
    }

    @Test
    @DisplayName("the ZooKeeper breakdown becomes its own section, with lockkit and the peers against their floors")
    void zookeeperBreakdown() throws IOException {
        jmh(run("FloorBench.roundTrip", "store", "zookeeper", 190, "us/op"));
        Map<String, Object> steps = new LinkedHashMap<>();
        steps.put(ZkBreakdown.READ, 200.0);
        steps.put(ZkBreakdown.SET_DATA, 300.0);
        steps.put(ZkBreakdown.CREATE_DELETE, 640.0);
        steps.put(ZkBreakdown.CREATE, 330.0);
        steps.put(ZkBreakdown.LOCKKIT, 800.0);
        steps.put(ZkBreakdown.LOCKKIT_ACQUIRE, 440.0);
        steps.put(ZkBreakdown.MUTEX, 1000.0);
        steps.put(ZkBreakdown.SHED, 900.0);
        new ObjectMapper().writeValue(dir.resolve(ZkBreakdown.FILE).toFile(), steps);

        String md = Report.write(dir);

        assertThat(md)
                .contains("### Where ZooKeeper's time goes (µs)")
                .contains("| " + ZkBreakdown.SET_DATA + " | 300.0 | 1.50 |")
                .contains(
                        "| lockkit zookeeper tryAcquire + release | 800.0 | create + delete (2 writes, 2 round trips) |"
                                + " 640.0 | 1.25 | 160.0 |")
                .contains(
                        "| lockkit zookeeper tryAcquire alone | 440.0 | create (1 write, 1 round trip) | 330.0 | 1.33 |"
                                + " 110.0 |")
                .contains(
                        "| Curator InterProcessMutex acquire + release | 1000.0 | create + delete + exists / (2 writes,"
                                + " 3 round trips) | 840.0 | 1.19 | 160.0 |")
                .contains(
                        "| ShedLock ZooKeeper lock + unlock | 900.0 | exists / + 2 × setData (2 writes, 3 round trips)"
                                + " | 800.0 | 1.13 | 100.0 |")
                .contains(
                        "- zookeeper at its floor, 640.0 µs, ÷ Curator InterProcessMutex acquire + release as measured,"
                                + " 1000.0 µs: 0.64 × (target ≤ 0.8): within reach")
                .contains(
                        "- zookeeper at its floor, 640.0 µs, ÷ ShedLock ZooKeeper lock + unlock as measured, 900.0 µs:"
                                + " 0.71 × (target ≤ 0.8): within reach")
                .doesNotContain("Where PostgreSQL's time goes");
    }

    @Test
    @DisplayName("the chart is one self-contained SVG with a labelled bar per subject")
    void chart() throws IOException {
        jmh(
                run("LockKitBench.acquireRelease", "backend", "zookeeper", 1300, "us/op"),
                run("FloorBench.roundTrip", "store", "zookeeper", 190, "us/op"),
                run("PeerBench.lockUnlock", "peer", "curator/InterProcessMutex", 1_170, "us/op"));

        Report.write(dir);

        String svg = Files.readString(dir.resolve("chart.svg"));
        assertThat(svg)
                .startsWith("<svg xmlns=\"http://www.w3.org/2000/svg\"")
                .contains(">lockkit zookeeper</text>", ">floor × 2 RT</text>", ">curator/InterProcessMutex</text>")
                .contains(">1,300</text>", ">380.0</text>")
                .doesNotContain("<script", "href=");
    }

    @Test
    @DisplayName("--readme replaces only the text between the markers, with the section and the chart")
    void readme() throws IOException {
        Path readme = dir.resolve("README.md");
        Files.writeString(
                readme, "# lockkit\n\nintro\n\n" + Report.BEGIN + "\nold numbers\n" + Report.END + "\n\nrest\n");

        Report.replaceSection(readme, "| new | table |\n");
        Report.replaceSection(readme, "| newer | table |\n");

        assertThat(readme)
                .hasContent("# lockkit\n\nintro\n\n" + Report.BEGIN + "\n| newer | table |\n\n"
                        + "![benchmarks](bench/results/chart.svg)\n" + Report.END + "\n\nrest\n");
    }

    @Test
    @DisplayName("--readme on a file without both markers fails and names what is missing")
    void readmeWithoutMarkers() throws IOException {
        Path readme = dir.resolve("README.md");
        Files.writeString(readme, "# lockkit\n" + Report.BEGIN + "\n");

        assertThatThrownBy(() -> Report.replaceSection(readme, "x"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(Report.END)
                .hasMessageContaining("end at -1");
        assertThat(readme).hasContent("# lockkit\n" + Report.BEGIN + "\n");
    }

    private void jmh(String... runs) throws IOException {
        Files.writeString(dir.resolve("jmh.json"), "[" + String.join(",", runs) + "]");
    }

    /** One JMH result as {@code -rf json} writes it, reduced to what the report reads. */
    private static String run(String method, String param, String value, double median, String unit) {
        return """
                {"benchmark": "io.lockkit.bench.%s", "mode": "sample", "jdkVersion": "17", "vmName": "Test VM",
                 "params": {"%s": "%s"},
                 "primaryMetric": {"score": %s, "scoreUnit": "%s", "scorePercentiles": {"0.0": 1, "50.0": %s}}}
                """
                .formatted(method, param, value, median * 3, unit, median);
    }
}
