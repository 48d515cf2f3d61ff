package io.lockkit.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
                .contains("**met**: uncontended acquire+release ≤ 1.2 × floor·RT, redis: 1.00 × floor·RT")
                .contains("**missed**: uncontended acquire+release ≤ 1.2 × floor·RT, postgresql/table: 4.80"
                        + " × floor·RT (240.0 µs vs 2 × 25.0 µs, JMH); over by 300 %")
                .contains("**met**: no slower than the fastest peer, redis: 200.0 µs vs redisson/RLock 400.0 µs")
                .contains("**missed**: exactly the minimum round trips, redis: acquire 1 (min 1), release 1 (min 1),"
                        + " compareAndSet 2 (min 1)")
                .contains("**missed**: idle keys within 10 %, redis: 230.0 vs 200.0 µs (+15 %)")
                .contains("**met**: idle keys within 10 %, zookeeper: 1050.0 vs 1000.0 µs (+5 %)")
                .contains("| redis | 200.0 | 230.0 | 1.15 |")
                .contains("| redis | 1 (1–2) | 1 | 2 | 1 / 1 / 1 |");
    }

    @Test
    @DisplayName("ShedLock's Redis and ZooKeeper providers count as peers on their stores, in table, target and chart")
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
                .contains("| shedlock/zookeeper | 1040.0 | 5.47 | zookeeper 1300.0 | 1.25 |")
                .contains("**missed**: no slower than the fastest peer, redis: 200.0 µs vs shedlock/redis 160.0 µs"
                        + " (1.25 ×, JMH); over by 25 %")
                .contains("**missed**: no slower than the fastest peer, zookeeper: 1300.0 µs vs shedlock/zookeeper"
                        + " 1040.0 µs (1.25 ×, JMH); over by 25 %");
        assertThat(Files.readString(dir.resolve("chart.svg")))
                .contains(">shedlock/redis</text>", ">shedlock/zookeeper</text>");
    }

    @Test
    @DisplayName("the interleaved run, when present, is what the ratio targets are judged on, and is tabled")
    void interleavedFiguresDecideTheRatioTargets() throws IOException {
        jmh(
                run("LockKitBench.acquireRelease", "backend", "postgresql/table", 400, "us/op"),
                run("FloorBench.roundTrip", "store", "postgresql", 20, "us/op"),
                run("PeerBench.lockUnlock", "peer", "shedlock/jdbc", 100, "us/op"),
                run("HandoffBench.handoff", "backend", "postgresql/table", 2000, "us/op"));
        Files.writeString(
                dir.resolve("uncontended.json"),
                """
                [{"store": "postgresql", "group": "postgresql/table", "subject": "postgresql", "kind": "floor", "medianMicros": 30, "p90Micros": 40, "samples": 600},
                 {"store": "postgresql", "group": "postgresql/table", "subject": "postgresql", "kind": "cold", "medianMicros": 250, "p90Micros": 400, "samples": 600},
                 {"store": "postgresql", "group": "postgresql/table", "subject": "postgresql", "kind": "write", "medianMicros": 60, "p90Micros": 70, "samples": 600},
                 {"store": "postgresql", "group": "postgresql/table", "subject": "postgresql", "kind": "notify", "medianMicros": 1500, "p90Micros": 1900, "samples": 600},
                 {"store": "postgresql", "group": "postgresql/table", "subject": "postgresql/table", "kind": "acquire", "medianMicros": 135, "p90Micros": 150, "samples": 600},
                 {"store": "postgresql", "group": "postgresql/table", "subject": "shedlock/jdbc", "kind": "peer", "medianMicros": 150, "p90Micros": 170, "samples": 600}]
                """);

        String md = Report.write(dir);

        assertThat(md)
                .contains("**missed**: uncontended acquire+release ≤ 1.2 × floor·RT, postgresql/table: 2.25 × floor·RT"
                        + " (135.0 µs vs 2 × 30.0 µs, interleaved); over by 88 %")
                .contains("**met**: no slower than the fastest peer, postgresql/table: 135.0 µs vs shedlock/jdbc"
                        + " 150.0 µs (0.90 ×, interleaved)")
                .contains(
                        "| postgresql/table | postgresql/table | tryAcquire + release | 135.0 | 150.0 | 4.50 | 2.25 | 600 |")
                .contains("| postgresql/table |  | write floor (one write) | 60.0 | 70.0 | 2.00 | 1.00 | 600 |")
                .contains(
                        "| postgresql/table |  | notify hop (after 20 ms idle) | 1500.0 | 1900.0 | 50.00 | 25.00 | 600 |")
                .contains("| postgresql/table | 2000.0 | 1040.0 | 20.0 | 250.0 | 1500.0 | 500.0 |")
                .contains(
                        "**missed**: handoff ≤ 2 × floor + 1 ms, postgresql/table: 2000.0 µs vs 1040.0 µs; over by 92 %"
                                + " (with the cold floor, 250.0 µs after 20 ms idle: 2 × cold + 1 ms = 1500.0 µs);"
                                + " the store's own notification after the same idling takes 1500.0 µs, so the waiter's"
                                + " wake-up and acquire add 500.0 µs");
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
                .contains("so a lock's floor is two writes, 120.0 µs. lockkit's two statements sent raw take 150.0 µs"
                        + " (without the release's `pg_notify` 140.0 µs; ShedLock's two plain `UPDATE`s 130.0 µs);"
                        + " the backend itself, which sends them as plain JDBC statements, 400.0 µs (+250.0 µs of pool"
                        + " and lease bookkeeping). Through Jdbi's fluent API the same two statements take 250.0 µs"
                        + " (+100.0 µs: Jdbi 3 copies its configuration and resolves binders and mappers per"
                        + " statement, which is why the lock and compare-and-set paths do not use it). ShedLock's"
                        + " provider takes 180.0 µs (+50.0 µs over its raw statements).");
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
                .contains(">lockkit zookeeper</text>", ">floor × 3 RT</text>", ">curator/InterProcessMutex</text>")
                .contains(">1,300</text>", ">570.0</text>")
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
