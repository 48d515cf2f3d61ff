package io.lockkit.bench;

import static org.assertj.core.api.Assertions.assertThat;

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
        Path json = write("""
                [%s, %s, %s, %s]
                """
                .formatted(
                        run("LockKitBench.acquireRelease", "backend", "redis", 200_000, "ns/op"),
                        run("LockKitBench.compareAndSet", "backend", "redis", 150, "us/op"),
                        run("FloorBench.roundTrip", "store", "redis", 100, "us/op"),
                        run("PeerBench.lockUnlock", "peer", "redisson/RLock", 400, "us/op")));

        String md = Report.markdown(json);

        assertThat(md)
                .contains("| redis | 200.0 | 2.00 | 1.00 | 150.0 | 1.50 | 1.50 | 100.0 |")
                .contains("| redisson/RLock | 400.0 | 4.00 | redis 200.0 | 0.50 |")
                .doesNotContain("postgresql/table |");
    }

    @Test
    @DisplayName("a backend without a floor in the run gets dashes, not a division by nothing")
    void missingFloor() throws IOException {
        Path json = write("[" + run("LockKitBench.acquireRelease", "backend", "mem/timed", 0.5, "us/op") + "]");

        assertThat(Report.markdown(json)).contains("| mem/timed | 0.50 | – | – | – | – | – | – |");
    }

    private Path write(String content) throws IOException {
        Path json = dir.resolve("jmh.json");
        Files.writeString(json, content);
        return json;
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
