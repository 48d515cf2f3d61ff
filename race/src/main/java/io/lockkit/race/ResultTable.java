package io.lockkit.race;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lockkit.tck.scenarios.Scenario;
import io.lockkit.tck.scenarios.ScenarioRow;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

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

    private static final ObjectMapper JSON = new ObjectMapper();

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

    /**
     * The whole run as one JSON object, pretty-printed: {@code run} (date, cores, java, os, options),
     * {@code scenarios} (the row order: id, title), {@code backends} (name, peer, handoff or null,
     * rows), {@code anyFailed}.
     */
    String json(RunInfo run) {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode runNode = root.putObject("run")
                .put("date", run.date().toString())
                .put("cores", run.cores())
                .put("java", run.java())
                .put("os", run.os());
        ObjectNode options = runNode.putObject("options");
        run.options().forEach(options::put);
        ArrayNode scenarioNodes = root.putArray("scenarios");
        rowIds().forEach(id -> scenarioNodes.addObject().put("id", id.id()).put("title", id.title()));
        ArrayNode backendNodes = root.putArray("backends");
        for (String backend : backends()) {
            ObjectNode b = backendNodes.addObject().put("name", backend).put("peer", peers.contains(backend));
            handoff(backend).ifPresentOrElse(h -> json(b.putObject("handoff"), h), () -> b.putNull("handoff"));
            ArrayNode rows = b.putArray("rows");
            byBackend.get(backend).values().forEach(r -> json(rows.addObject(), r));
        }
        root.put("anyFailed", anyFailed());
        return root.toPrettyString() + "\n";
    }

    private static void json(ObjectNode n, Handoff.Result h) {
        n.put("count", h.count())
                .put("p50Micros", h.p50Micros())
                .put("p90Micros", h.p90Micros())
                .put("p99Micros", h.p99Micros())
                .put("maxMicros", h.maxMicros())
                .put("skipReason", h.skipReason().orElse(null));
    }

    private static void json(ObjectNode n, ScenarioRow r) {
        n.put("scenario", r.scenario())
                .put("title", r.title())
                .put("result", r.skipReason().isPresent() ? "skip" : r.passed() ? "pass" : "fail")
                .put("workers", r.workers())
                .put("winners", r.winners())
                .put("sideEffects", r.sideEffects())
                .put("lostUpdates", r.lostUpdates())
                .put("overlaps", r.overlaps())
                .put("uncaught", r.uncaught())
                .put("millis", r.duration().toMillis());
        r.violations().forEach(n.putArray("violations")::add);
        r.notes().forEach(n.putArray("notes")::add);
        n.put("skipReason", r.skipReason().orElse(null));
    }

    private Map<String, ScenarioRow> column(String backend) {
        return byBackend.computeIfAbsent(backend, b -> new LinkedHashMap<>());
    }

    private static String pad(String s, int width) {
        return s + " ".repeat(width - s.length());
    }
}
