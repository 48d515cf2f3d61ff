package io.lockkit.tck.scenarios;

import java.util.ArrayList;
import java.util.List;

/**
 * Formats rows as the table of the race scenarios (CONTRACT.md), one line per scenario and backend,
 * for side-by-side reading.
 */
public final class ScenarioTable {
    private static final String FORMAT = "%-4s %-34s %-20s %-4s %7s %7s %7s %7s %7s %7s %9s";

    private ScenarioTable() {}

    /** The header line. */
    public static String header() {
        return String.format(
                FORMAT,
                "#",
                "scenario",
                "backend",
                "",
                "workers",
                "winners",
                "effects",
                "lost",
                "overlap",
                "uncaught",
                "ms");
    }

    /** One row as a table line. */
    public static String line(ScenarioRow row) {
        return String.format(
                FORMAT,
                row.scenario(),
                row.title(),
                row.backend(),
                row.verdict(),
                row.workers(),
                row.winners(),
                row.sideEffects(),
                row.lostUpdates(),
                row.overlaps(),
                row.uncaught(),
                row.duration().toMillis());
    }

    /** The header, one line per row, and below the table each failed or skipped row's reasons. */
    public static String format(List<ScenarioRow> rows) {
        List<String> lines = new ArrayList<>();
        lines.add(header());
        rows.forEach(r -> lines.add(line(r)));
        for (ScenarioRow r : rows) {
            if (!r.passed()) {
                lines.add("");
                lines.add(r.describe());
            }
        }
        return String.join(System.lineSeparator(), lines);
    }
}
