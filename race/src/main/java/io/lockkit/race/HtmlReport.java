package io.lockkit.race;

import io.lockkit.race.proc.Soak;
import io.lockkit.race.report.SvgChart;
import io.lockkit.tck.scenarios.ScenarioRow;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.DoubleFunction;

/**
 * The comparison as one self-contained HTML page ({@code results.html}): inline CSS and SVG, no
 * script, no external resource. Every text that comes from a run (backend names, titles,
 * violations, notes, options) MUST go through {@link #escape(String)}. Stateless; thread-safe.
 *
 * <p>The page: run date, machine and options; the table (pass, fail and skip coloured, the counts in
 * each cell, violations, skip reasons and notes as the cell's tooltip and, for failures and skips,
 * listed below); a chart of handoff latency p50 and p99 per backend (logarithmic when the values
 * span more than {@value SvgChart#LOG_SCALE_RATIO}×); and a chart of lost updates (scenario 5) and double
 * executions (side effects beyond 1 in the double-execution rows) per backend.
 */
final class HtmlReport {
    static final String LOST_UPDATES_SCENARIO = "5";

    private static final String CSS =
            """
            body { font: 14px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 24px; color: #222; }
            h1 { margin: 0 0 8px; } h2 { margin: 28px 0 8px; font-size: 18px; }
            dl.meta { display: grid; grid-template-columns: max-content auto; gap: 2px 16px; margin: 0; }
            dl.meta dt { font-weight: 600; } dl.meta dd { margin: 0; }
            .verdict { padding: 6px 10px; border-radius: 4px; display: inline-block; margin-top: 12px; }
            .verdict.ok { background: #d6f0d6; } .verdict.bad { background: #f6caca; }
            .scroll { overflow-x: auto; }
            table.results { border-collapse: collapse; font-size: 12px; }
            table.results th, table.results td { border: 1px solid #bbb; padding: 3px 6px; vertical-align: top; }
            table.results th { background: #f2f2f2; }
            table.results th.group { text-align: center; }
            table.results th.peer, table.results th.group.peer { background: #e8e8f6; }
            table.results td.name { white-space: nowrap; }
            td.pass { background: #d6f0d6; } td.fail { background: #f6caca; font-weight: 600; }
            td.skip { background: #ececec; color: #666; } td.none { color: #999; }
            td.handoff { background: #f7f7ff; white-space: nowrap; }
            td .counts { font-family: ui-monospace, Menlo, Consolas, monospace; white-space: nowrap; }
            td.peercell { border-left-style: dashed; }
            ul.problems li { margin-bottom: 4px; } ul.problems code { white-space: pre-wrap; }
            .legend { color: #555; font-size: 12px; }
            svg text { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; }
            """;

    private HtmlReport() {}

    static String render(ResultTable table, RunInfo run) {
        StringBuilder h = new StringBuilder();
        h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        h.append("<title>lockkit race comparison, ")
                .append(escape(run.date().toString()))
                .append("</title>\n");
        h.append("<style>\n").append(CSS).append("</style>\n</head>\n<body>\n");
        h.append("<h1>lockkit race comparison</h1>\n");
        meta(h, table, run);
        h.append("<h2 id=\"results\">Results</h2>\n");
        resultTable(h, table);
        problems(h, table);
        h.append("<h2 id=\"handoff\">Handoff latency</h2>\n");
        h.append("<p class=\"legend\">From just before the holder's <code>release()</code> to the waiter's"
                + " <code>acquire</code> returning, on two clients of one store in one JVM.</p>\n");
        h.append(handoffChart(table));
        h.append("<h2 id=\"lost-updates\">Lost updates and double executions</h2>\n");
        h.append(lostUpdatesChart(table));
        soak(h, table);
        h.append("</body>\n</html>\n");
        return h.toString();
    }

    private static void meta(StringBuilder h, ResultTable table, RunInfo run) {
        h.append("<dl class=\"meta\">\n");
        item(h, "Run date", run.date().toString());
        item(h, "Machine", run.cores() + " cores, Java " + run.java() + ", " + run.os());
        List<String> options = new ArrayList<>();
        run.options().forEach((k, v) -> options.add(k + "=" + v));
        item(h, "Options", options.isEmpty() ? "(defaults)" : String.join("  ", options));
        item(
                h,
                "Backends",
                table.lockkitBackends().size() + " lockkit backends, "
                        + table.peerBackends().size() + " peers (reported as measured)");
        h.append("</dl>\n");
        long broken = table.lockkitBackends().stream()
                .flatMap(b -> table.rowIds().stream().flatMap(id -> table.row(b, id.id()).stream()))
                .filter(r -> !r.skipped() && !r.passed())
                .count();
        h.append(
                broken == 0
                        ? "<div class=\"verdict ok\">No lockkit backend broke a rule.</div>\n"
                        : "<div class=\"verdict bad\">" + broken + (broken == 1 ? " row" : " rows")
                                + " where a lockkit backend broke a rule (exit status 1).</div>\n");
    }

    private static void item(StringBuilder h, String term, String value) {
        h.append("<dt>")
                .append(escape(term))
                .append("</dt><dd>")
                .append(escape(value))
                .append("</dd>\n");
    }

    private static void resultTable(StringBuilder h, ResultTable table) {
        List<String> lockkit = table.lockkitBackends();
        List<String> peers = table.peerBackends();
        h.append("<div class=\"scroll\"><table class=\"results\">\n<thead>\n");
        h.append("<tr><th rowspan=\"2\">scenario</th>");
        if (!lockkit.isEmpty()) {
            h.append("<th class=\"group\" colspan=\"").append(lockkit.size()).append("\">lockkit backends</th>");
        }
        if (!peers.isEmpty()) {
            h.append("<th class=\"group peer\" colspan=\"")
                    .append(peers.size())
                    .append("\">peers (reported as measured)</th>");
        }
        h.append("</tr>\n<tr>");
        for (String b : table.backends()) {
            h.append(table.isPeer(b) ? "<th class=\"peer\">" : "<th>")
                    .append(escape(b))
                    .append("</th>");
        }
        h.append("</tr>\n</thead>\n<tbody>\n");
        for (ResultTable.RowId id : table.rowIds()) {
            h.append("<tr><td class=\"name\">")
                    .append(escape(id.id() + " " + id.title()))
                    .append("</td>");
            for (String b : table.backends()) {
                h.append(cell(table.row(b, id.id()), table.isPeer(b)));
            }
            h.append("</tr>\n");
        }
        if (table.backends().stream().anyMatch(b -> table.handoff(b).isPresent())) {
            h.append("<tr><td class=\"name\">handoff µs p50 / p99 (n)</td>");
            for (String b : table.backends()) {
                Optional<Handoff.Result> r = table.handoff(b);
                String text = r.map(ResultTable::cell).orElse("-");
                String title = r.map(Handoff.Result::summary).orElse("not measured");
                h.append("<td class=\"handoff")
                        .append(table.isPeer(b) ? " peercell" : "")
                        .append("\" title=\"")
                        .append(escape(title))
                        .append("\"><span class=\"counts\">")
                        .append(escape(text))
                        .append("</span></td>");
            }
            h.append("</tr>\n");
        }
        h.append("</tbody>\n</table></div>\n");
        h.append("<p class=\"legend\">Cell: result, then winners / side effects executed / lost updates /"
                + " overlapping critical sections / uncaught exceptions, and (workers). Hover a cell for"
                + " its violations, skip reason and notes. Peers are other libraries or hand-written"
                + " patterns, reported as measured: they never fail the comparison.</p>\n");
    }

    private static String cell(Optional<ScenarioRow> maybe, boolean peer) {
        String peerClass = peer ? " peercell" : "";
        if (maybe.isEmpty()) {
            return "<td class=\"none" + peerClass + "\">-</td>";
        }
        ScenarioRow r = maybe.get();
        List<String> tip = new ArrayList<>();
        tip.add(r.verdict() + " in " + r.duration().toMillis() + " ms: workers " + r.workers() + ", winners "
                + r.winners() + ", side effects " + r.sideEffects() + ", lost updates " + r.lostUpdates()
                + ", overlaps " + r.overlaps() + ", uncaught " + r.uncaught());
        r.skipReason().ifPresent(reason -> tip.add("skipped: " + reason));
        r.violations().forEach(v -> tip.add("VIOLATION " + v));
        r.notes().forEach(n -> tip.add("note: " + n));
        String kind = r.skipped() ? "skip" : r.passed() ? "pass" : "fail";
        String body =
                r.skipped() ? "skip" : kind + "<br><span class=\"counts\">" + escape(ResultTable.counts(r)) + "</span>";
        return "<td class=\"" + kind + peerClass + "\" title=\"" + escape(String.join("\n", tip)) + "\">" + body
                + "</td>";
    }

    private static void problems(StringBuilder h, ResultTable table) {
        List<String> failures = new ArrayList<>();
        List<String> skips = new ArrayList<>();
        for (String b : table.backends()) {
            String who = table.isPeer(b) ? b + " (peer)" : b;
            for (ResultTable.RowId id : table.rowIds()) {
                table.row(b, id.id()).ifPresent(r -> {
                    String where = "<b>" + escape(who) + "</b>, scenario " + escape(id.id() + " " + id.title());
                    if (r.skipped()) {
                        skips.add(where + ": " + escape(r.skipReason().orElse("")));
                    } else if (!r.passed()) {
                        r.violations().forEach(v -> failures.add(where + ": <code>" + escape(v) + "</code>"));
                    }
                });
            }
            table.handoff(b)
                    .flatMap(Handoff.Result::skipReason)
                    .ifPresent(reason -> skips.add("<b>" + escape(who) + "</b>, handoff: " + escape(reason)));
        }
        h.append("<h2 id=\"violations\">Violations</h2>\n");
        list(h, failures, "None.");
        h.append("<h2 id=\"skipped\">Skipped</h2>\n");
        list(h, skips, "Nothing was skipped.");
    }

    /**
     * Each soak row: grants per second as bars, and every fault injected as a red mark above the
     * second it began in, with its kind and client as the mark's tooltip.
     */
    private static void soak(StringBuilder h, ResultTable table) {
        StringBuilder charts = new StringBuilder();
        for (String b : table.backends()) {
            for (ResultTable.RowId id : table.rowIds()) {
                table.row(b, id.id()).ifPresent(r -> {
                    List<Long> grants = new ArrayList<>();
                    List<SvgChart.Mark> faults = new ArrayList<>();
                    for (String n : r.notes()) {
                        if (n.startsWith(Soak.GRANTS_PER_SECOND)) {
                            for (String v : n.substring(Soak.GRANTS_PER_SECOND.length())
                                    .strip()
                                    .split(",")) {
                                grants.add(v.isBlank() ? 0 : Long.parseLong(v.strip()));
                            }
                        } else if (n.startsWith(Soak.FAULT_TIMELINE)) {
                            for (String f : n.substring(Soak.FAULT_TIMELINE.length())
                                    .strip()
                                    .split(Soak.TIMELINE_SEPARATOR)) {
                                String[] parts = f.strip().split(" ", 2); // "+3.8s", "cut c1 (11 ms)"
                                String at = parts[0].replace("+", "").replace("s", "");
                                try {
                                    faults.add(new SvgChart.Mark(
                                            Double.parseDouble(at),
                                            "+" + at + " s " + (parts.length > 1 ? parts[1] : "")));
                                } catch (NumberFormatException e) {
                                    // not a mark
                                }
                            }
                        }
                    }
                    if (!grants.isEmpty()) {
                        charts.append("<h3>")
                                .append(escape(b + ", " + id.id() + " " + id.title()))
                                .append("</h3>\n");
                        charts.append(SvgChart.timeline(grants, "grants", faults));
                    }
                });
            }
        }
        if (charts.length() > 0) {
            h.append("<h2 id=\"soak\">Soak: grants per second and the faults injected</h2>\n");
            h.append("<p class=\"legend\">Bars: leases granted in each second. Red marks: a fault began in that"
                    + " second (hover for its kind, client and length).</p>\n");
            h.append(charts);
        }
    }

    private static void list(StringBuilder h, List<String> items, String none) {
        if (items.isEmpty()) {
            h.append("<p>").append(escape(none)).append("</p>\n");
            return;
        }
        h.append("<ul class=\"problems\">\n");
        items.forEach(i -> h.append("<li>").append(i).append("</li>\n"));
        h.append("</ul>\n");
    }

    /** p50 and p99 per backend, horizontal bars. */
    static String handoffChart(ResultTable table) {
        String p50 = "#4a7bd0";
        String p99 = "#e08a2c";
        List<SvgChart.Row> rows = new ArrayList<>();
        for (String b : table.backends()) {
            Optional<Handoff.Result> r = table.handoff(b);
            String label = table.isPeer(b) ? b + " (peer)" : b;
            if (r.isEmpty()) {
                rows.add(SvgChart.Group.note(label, "not measured"));
            } else if (r.get().skipped()) {
                rows.add(SvgChart.Group.note(
                        label, "skipped: " + r.get().skipReason().orElse("")));
            } else {
                rows.add(SvgChart.Group.of(
                        label,
                        List.of(
                                SvgChart.Bar.of("p50", p50, r.get().p50Micros()),
                                SvgChart.Bar.of("p99", p99, r.get().p99Micros()))));
            }
        }
        DoubleFunction<String> micros = v -> micros(Math.round(v));
        return SvgChart.bars(
                "handoff latency per backend",
                List.of(new SvgChart.Key("p50", p50), new SvgChart.Key("p99", p99)),
                new SvgChart.Panel("", "handoff latency", SvgChart.Scale.AUTO, micros, micros, rows));
    }

    /** Lost updates of scenario 5 and double executions (side effects beyond 1) per backend. */
    static String lostUpdatesChart(ResultTable table) {
        List<String> doubleIds = table.rowIds().stream()
                .filter(id -> id.id().equals("2a")
                        || id.id().equals("2b")
                        || id.title().startsWith("Double execution"))
                .map(ResultTable.RowId::id)
                .toList();
        String lostName = "lost updates (scenario " + LOST_UPDATES_SCENARIO + ")";
        String lostColour = "#c0392b";
        String doubleName = "double executions";
        String doubleColour = "#8e44ad";
        List<SvgChart.Row> rows = new ArrayList<>();
        for (String b : table.backends()) {
            Optional<ScenarioRow> lost = table.row(b, LOST_UPDATES_SCENARIO).filter(r -> !r.skipped());
            List<ScenarioRow> doubles = doubleIds.stream()
                    .flatMap(id -> table.row(b, id).stream())
                    .filter(r -> !r.skipped())
                    .toList();
            rows.add(SvgChart.Group.of(
                    table.isPeer(b) ? b + " (peer)" : b,
                    List.of(
                            lost.map(r -> SvgChart.Bar.of(lostName, lostColour, r.lostUpdates()))
                                    .orElse(SvgChart.Bar.missing(lostName, lostColour)),
                            doubles.isEmpty()
                                    ? SvgChart.Bar.missing(doubleName, doubleColour)
                                    : SvgChart.Bar.of(
                                            doubleName,
                                            doubleColour,
                                            doubles.stream()
                                                    .mapToLong(r -> Math.max(0, r.sideEffects() - 1))
                                                    .sum()))));
        }
        String caption = "<p class=\"legend\">Lost updates: scenario " + LOST_UPDATES_SCENARIO
                + "'s acknowledged increments missing from the final value. Double executions: side effects"
                + " executed beyond the one allowed, summed over the double-execution rows "
                + escape(doubleIds.isEmpty() ? "(none ran)" : String.join(", ", doubleIds))
                + ". Both MUST be 0; n/a = not run or skipped.</p>\n";
        DoubleFunction<String> count = v -> Long.toString(Math.round(v));
        return caption
                + SvgChart.bars(
                        "lost updates and double executions per backend",
                        List.of(new SvgChart.Key(lostName, lostColour), new SvgChart.Key(doubleName, doubleColour)),
                        new SvgChart.Panel("", "count", SvgChart.Scale.LINEAR, count, count, rows));
    }

    /** A duration in microseconds as {@code 850 µs}, {@code 1.2 ms} or {@code 3.4 s}. */
    static String micros(long us) {
        if (us < 1_000) {
            return us + " µs";
        }
        if (us < 1_000_000) {
            return trim(us / 1_000.0) + " ms";
        }
        return trim(us / 1_000_000.0) + " s";
    }

    private static String trim(double v) {
        String s = String.format(Locale.ROOT, v < 10 ? "%.2f" : v < 100 ? "%.1f" : "%.0f", v);
        return s.contains(".") ? s.replaceAll("0+$", "").replaceAll("\\.$", "") : s;
    }

    /** Text for HTML content and attribute values: {@code & < > " '} escaped ({@link SvgChart#escape}). */
    static String escape(String s) {
        return SvgChart.escape(s);
    }
}
