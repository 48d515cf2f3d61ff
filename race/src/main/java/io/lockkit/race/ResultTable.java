package io.lockkit.race;

import io.lockkit.tck.Scenario;
import io.lockkit.tck.ScenarioRow;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Collects rows and renders them side by side: rows = scenarios, columns = backends. Not
 * thread-safe.
 *
 * <p>Rows: the given scenarios first, in their order, then any other scenario id a row was added
 * for (such as the multi-process {@code P2x8} or the fault {@code F1}), in order of first
 * appearance, titled by its first row. Columns: lockkit backends in order of first appearance,
 * then the backends marked {@link #peer(String) peer}. A peer's results are reported as measured
 * and MUST NOT make {@link #anyFailed()} true. The text table prints in blocks of at most {@value
 * #MAX_COLUMNS} backend columns (same rows in every block), so thirteen backends stay readable.
 */
final class ResultTable {
    static final String LEGEND = "cell: result winners/side-effects/lost-updates/overlaps/uncaught (workers)";
    static final String LOCKKIT_HEADER = "lockkit backends";
    static final String PEERS_HEADER = "peers (reported as measured)";
    static final String HANDOFF_ROW = "handoff µs p50/p99 (n)";
    static final int MAX_COLUMNS = 6;

    /** One row of the table: a scenario id and its title. */
    record RowId(String id, String title) {}

    private final List<Scenario> scenarios;
    private final Map<String, Map<String, ScenarioRow>> byBackend = new LinkedHashMap<>();
    private final Set<String> peers = new LinkedHashSet<>();
    private final Map<String, Handoff.Result> handoffs = new LinkedHashMap<>();
    private final Map<String, String> otherTitles = new LinkedHashMap<>();

    ResultTable(List<Scenario> scenarios) {
        this.scenarios = List.copyOf(scenarios);
    }

    /** Adds (or replaces) {@code backend}'s row for {@code row.scenario()}. */
    void add(String backend, ScenarioRow row) {
        column(backend).put(row.scenario(), row);
        if (scenarios.stream().noneMatch(s -> s.id().equals(row.scenario()))) {
            otherTitles.putIfAbsent(row.scenario(), row.title());
        }
    }

    /** Marks {@code backend} as a peer: printed after the lockkit backends, never a failure. */
    void peer(String backend) {
        column(backend);
        peers.add(backend);
    }

    /** Records {@code backend}'s handoff latency. */
    void handoff(String backend, Handoff.Result result) {
        column(backend);
        handoffs.put(backend, result);
    }

    /** True when a lockkit backend (not a peer) ran a scenario and broke a rule. */
    boolean anyFailed() {
        return byBackend.entrySet().stream()
                .filter(e -> !peers.contains(e.getKey()))
                .flatMap(e -> e.getValue().values().stream())
                .anyMatch(r -> r.skipReason().isEmpty() && !r.passed());
    }

    boolean isPeer(String backend) {
        return peers.contains(backend);
    }

    /** Lockkit backends in order of first appearance. */
    List<String> lockkitBackends() {
        return byBackend.keySet().stream().filter(b -> !peers.contains(b)).toList();
    }

    /** Peers in order of first appearance. */
    List<String> peerBackends() {
        return byBackend.keySet().stream().filter(peers::contains).toList();
    }

    /** Every column: lockkit backends, then peers. */
    List<String> backends() {
        List<String> all = new ArrayList<>(lockkitBackends());
        all.addAll(peerBackends());
        return all;
    }

    /** Every row: the given scenarios, then other ids in order of first appearance. */
    List<RowId> rowIds() {
        List<RowId> ids = new ArrayList<>();
        scenarios.forEach(s -> ids.add(new RowId(s.id(), s.title())));
        otherTitles.forEach((id, title) -> ids.add(new RowId(id, title)));
        return ids;
    }

    Optional<ScenarioRow> row(String backend, String scenario) {
        return Optional.ofNullable(byBackend.getOrDefault(backend, Map.of()).get(scenario));
    }

    Optional<Handoff.Result> handoff(String backend) {
        return Optional.ofNullable(handoffs.get(backend));
    }

    String render() {
        if (byBackend.isEmpty()) {
            return "no results\n";
        }
        StringBuilder out = new StringBuilder();
        renderGroup(out, LOCKKIT_HEADER, lockkitBackends());
        renderGroup(out, PEERS_HEADER, peerBackends());
        out.append(LEGEND).append('\n');
        for (String b : backends()) {
            String who = peers.contains(b) ? "peer " + b : b;
            for (ScenarioRow r : byBackend.get(b).values()) {
                if (r.skipReason().isPresent()) {
                    out.append("skipped ").append(who).append(" scenario ").append(r.scenario());
                    out.append(": ").append(r.skipReason().get()).append('\n');
                } else if (!r.passed()) {
                    out.append(peers.contains(b) ? "fails (peer, reported as measured) " : "FAILED ");
                    out.append(who).append(" scenario ").append(r.scenario()).append(": ");
                    out.append(String.join("; ", r.violations())).append('\n');
                }
            }
            handoff(b).flatMap(Handoff.Result::skipReason).ifPresent(reason -> out.append("handoff skipped ")
                    .append(who)
                    .append(": ")
                    .append(reason)
                    .append('\n'));
        }
        return out.toString();
    }

    /** One group (lockkit backends or peers), in balanced blocks of at most {@link #MAX_COLUMNS}. */
    private void renderGroup(StringBuilder out, String header, List<String> backends) {
        if (backends.isEmpty()) {
            return;
        }
        int blocks = (backends.size() + MAX_COLUMNS - 1) / MAX_COLUMNS;
        int perBlock = (backends.size() + blocks - 1) / blocks;
        for (int from = 0, block = 1; from < backends.size(); from += perBlock, block++) {
            out.append(header);
            if (blocks > 1) {
                out.append(" (").append(block).append('/').append(blocks).append(')');
            }
            out.append('\n');
            renderBlock(out, backends.subList(from, Math.min(backends.size(), from + perBlock)));
            out.append('\n');
        }
    }

    private void renderBlock(StringBuilder out, List<String> backends) {
        List<List<String>> rows = new ArrayList<>();
        List<String> header = new ArrayList<>(List.of("scenario"));
        header.addAll(backends);
        rows.add(header);
        for (RowId id : rowIds()) {
            List<String> line = new ArrayList<>(List.of(id.id() + " " + id.title()));
            backends.forEach(
                    b -> line.add(row(b, id.id()).map(ResultTable::cell).orElse("-")));
            rows.add(line);
        }
        if (!handoffs.isEmpty()) {
            List<String> line = new ArrayList<>(List.of(HANDOFF_ROW));
            backends.forEach(b -> line.add(handoff(b).map(ResultTable::cell).orElse("-")));
            rows.add(line);
        }
        int[] widths = new int[header.size()];
        for (List<String> row : rows) {
            for (int i = 0; i < row.size(); i++) {
                widths[i] = Math.max(widths[i], row.get(i).length());
            }
        }
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
    }

    static String cell(ScenarioRow r) {
        if (r.skipReason().isPresent()) {
            return "skip";
        }
        return (r.passed() ? "pass " : "FAIL ") + counts(r);
    }

    /** {@code winners/side-effects/lost-updates/overlaps/uncaught (workers)}. */
    static String counts(ScenarioRow r) {
        return r.winners() + "/" + r.sideEffects() + "/" + r.lostUpdates() + "/" + r.overlaps() + "/" + r.uncaught()
                + " (" + r.workers() + ")";
    }

    static String cell(Handoff.Result h) {
        return h.skipped() ? "skip" : h.p50Micros() + "/" + h.p99Micros() + " (" + h.count() + ")";
    }

    /** The whole run as one JSON object: run, scenarios (the row order), backends with peer, handoff and rows. */
    String json(RunInfo run) {
        String options = run.options().entrySet().stream()
                .map(e -> quote(e.getKey()) + ": " + quote(e.getValue()))
                .collect(Collectors.joining(", ", "{", "}"));
        String runJson = "  \"run\": {\"date\": " + quote(run.date().toString()) + ", \"cores\": " + run.cores()
                + ", \"java\": " + quote(run.java()) + ", \"os\": " + quote(run.os()) + ", \"options\": " + options
                + "}";
        String scenariosJson = rowIds().stream()
                .map(id -> "    {\"id\": " + quote(id.id()) + ", \"title\": " + quote(id.title()) + "}")
                .collect(Collectors.joining(",\n", "  \"scenarios\": [\n", "\n  ]"));
        String backendsJson =
                backends().stream().map(this::json).collect(Collectors.joining(",\n", "  \"backends\": [\n", "\n  ]"));
        return "{\n" + runJson + ",\n" + scenariosJson + ",\n" + backendsJson + ",\n  \"anyFailed\": " + anyFailed()
                + "\n}\n";
    }

    private String json(String backend) {
        String rows =
                byBackend.get(backend).values().stream().map(ResultTable::json).collect(Collectors.joining(",\n"));
        return "    {\"name\": " + quote(backend) + ", \"peer\": " + peers.contains(backend) + ", \"handoff\": "
                + handoff(backend).map(ResultTable::json).orElse("null") + ", \"rows\": ["
                + (rows.isEmpty() ? "]}" : "\n" + rows + "\n    ]}");
    }

    private static String json(Handoff.Result h) {
        return "{\"count\": " + h.count() + ", \"p50Micros\": " + h.p50Micros() + ", \"p90Micros\": "
                + h.p90Micros() + ", \"p99Micros\": " + h.p99Micros() + ", \"maxMicros\": " + h.maxMicros()
                + ", \"skipReason\": " + h.skipReason().map(ResultTable::quote).orElse("null") + "}";
    }

    private static String json(ScenarioRow r) {
        return "      {\"scenario\": " + quote(r.scenario()) + ", \"title\": " + quote(r.title())
                + ", \"result\": " + quote(r.skipReason().isPresent() ? "skip" : r.passed() ? "pass" : "fail")
                + ", \"workers\": " + r.workers() + ", \"winners\": " + r.winners()
                + ", \"sideEffects\": " + r.sideEffects() + ", \"lostUpdates\": " + r.lostUpdates()
                + ", \"overlaps\": " + r.overlaps() + ", \"uncaught\": " + r.uncaught()
                + ", \"millis\": " + r.duration().toMillis()
                + ", \"violations\": " + list(r.violations()) + ", \"notes\": " + list(r.notes())
                + ", \"skipReason\": " + r.skipReason().map(ResultTable::quote).orElse("null") + "}";
    }

    private static String list(List<String> values) {
        return values.stream().map(ResultTable::quote).collect(Collectors.joining(", ", "[", "]"));
    }

    static String quote(String s) {
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

    private Map<String, ScenarioRow> column(String backend) {
        return byBackend.computeIfAbsent(backend, b -> new LinkedHashMap<>());
    }

    private static String pad(String s, int width) {
        return s + " ".repeat(width - s.length());
    }
}
