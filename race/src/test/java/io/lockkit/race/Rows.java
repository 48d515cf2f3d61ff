package io.lockkit.race;

import io.lockkit.tck.scenarios.ScenarioRow;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Hand-made rows for the table and report tests. */
final class Rows {
    private Rows() {}

    static ScenarioRow pass(String id, String title, String backend) {
        return new ScenarioRow(
                id, title, backend, 100, 1, 1, 0, 0, 0, Duration.ofMillis(12), List.of(), List.of(), Optional.empty());
    }

    static ScenarioRow fail(String id, String title, String backend, String violation) {
        return new ScenarioRow(
                id,
                title,
                backend,
                100,
                2,
                2,
                3,
                1,
                0,
                Duration.ofMillis(40),
                List.of(violation),
                List.of("seed 42"),
                Optional.empty());
    }

    static ScenarioRow lost(String backend, long lostUpdates) {
        return new ScenarioRow(
                "5",
                "Lost updates",
                backend,
                100,
                4000 - lostUpdates,
                0,
                lostUpdates,
                0,
                0,
                Duration.ofMillis(30),
                lostUpdates == 0 ? List.of() : List.of("V1 lost " + lostUpdates + " updates"),
                List.of(),
                Optional.empty());
    }

    static ScenarioRow skip(String id, String title, String backend, String reason) {
        return new ScenarioRow(
                id, title, backend, 0, 0, 0, 0, 0, 0, Duration.ZERO, List.of(), List.of(), Optional.of(reason));
    }

    static Handoff.Result handoff(long p50, long p99) {
        return new Handoff.Result(100, p50, (p50 + p99) / 2, p99, p99 * 2, List.of(p50, p99), Optional.empty());
    }
}
