package io.lockkit.race;

import io.lockkit.tck.Scenario;
import io.lockkit.tck.ScenarioRow;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** Collects rows and renders them side by side: rows = scenarios, columns = backends. Not thread-safe. */
final class ResultTable {
    static final String LEGEND = "cell: result winners/side-effects/lost-updates/overlaps/uncaught (workers)";

    private final List<Scenario> scenarios;
    private final Map<String, Map<String, ScenarioRow>> byBackend = new LinkedHashMap<>();

    ResultTable(List<Scenario> scenarios) {
        this.scenarios = scenarios;
    }

    void add(String backend, ScenarioRow row) {
        byBackend.computeIfAbsent(backend, b -> new LinkedHashMap<>()).put(row.scenario(), row);
    }

    boolean anyFailed() {
        return byBackend.values().stream()
                .flatMap(m -> m.values().stream())
                .anyMatch(r -> r.skipReason().isEmpty() && !r.passed());
    }

    String render() {
        List<String> backends = new ArrayList<>(byBackend.keySet());
        List<List<String>> rows = new ArrayList<>();
        List<String> header = new ArrayList<>(List.of("scenario"));
        header.addAll(backends);
        rows.add(header);
        for (Scenario s : scenarios) {
            List<String> line = new ArrayList<>(List.of(s.id() + " " + s.title()));
            for (String b : backends) {
                ScenarioRow r = byBackend.get(b).get(s.id());
                line.add(r == null ? "-" : cell(r));
            }
            rows.add(line);
        }
        int[] widths = new int[header.size()];
        for (List<String> row : rows) {
            for (int i = 0; i < row.size(); i++) {
                widths[i] = Math.max(widths[i], row.get(i).length());
            }
        }
        StringBuilder out = new StringBuilder();
        for (int r = 0; r < rows.size(); r++) {
            List<String> row = rows.get(r);
            for (int i = 0; i < row.size(); i++) {
                out.append(i == 0 ? "| " : " | ").append(pad(row.get(i), widths[i]));
            }
            out.append(" |\n");
            if (r == 0) {
                for (int w : widths) {
                    out.append("|").append("-".repeat(w + 2));
                }
                out.append("|\n");
            }
        }
        out.append(LEGEND).append('\n');
        byBackend.forEach((b, m) -> m.values().forEach(r -> {
            if (r.skipReason().isPresent()) {
                out.append("skipped ")
                        .append(b)
                        .append(" scenario ")
                        .append(r.scenario())
                        .append(": ")
                        .append(r.skipReason().get())
                        .append('\n');
            } else if (!r.passed()) {
                out.append("FAILED ")
                        .append(b)
                        .append(" scenario ")
                        .append(r.scenario())
                        .append(": ")
                        .append(String.join("; ", r.violations()))
                        .append('\n');
            }
        }));
        return out.toString();
    }

    static String cell(ScenarioRow r) {
        if (r.skipReason().isPresent()) {
            return "skip";
        }
        return (r.passed() ? "pass " : "FAIL ") + r.winners() + "/" + r.sideEffects() + "/" + r.lostUpdates() + "/"
                + r.overlaps() + "/" + r.uncaught() + " (" + r.workers() + ")";
    }

    String json() {
        return byBackend.entrySet().stream()
                .map(e -> "  " + quote(e.getKey()) + ": [\n"
                        + e.getValue().values().stream().map(ResultTable::json).collect(Collectors.joining(",\n"))
                        + "\n  ]")
                .collect(Collectors.joining(",\n", "{\n", "\n}\n"));
    }

    private static String json(ScenarioRow r) {
        return "    {\"scenario\": " + quote(r.scenario()) + ", \"title\": " + quote(r.title())
                + ", \"result\": " + quote(r.skipReason().isPresent() ? "skip" : r.passed() ? "pass" : "fail")
                + ", \"workers\": " + r.workers() + ", \"winners\": " + r.winners()
                + ", \"sideEffects\": " + r.sideEffects() + ", \"lostUpdates\": " + r.lostUpdates()
                + ", \"overlaps\": " + r.overlaps() + ", \"uncaught\": " + r.uncaught()
                + ", \"millis\": " + r.duration().toMillis()
                + ", \"violations\": "
                + r.violations().stream().map(ResultTable::quote).toList()
                + ", \"skipReason\": " + r.skipReason().map(ResultTable::quote).orElse("null") + "}";
    }

    private static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }

    private static String pad(String s, int width) {
        return s + " ".repeat(width - s.length());
    }
}
