package io.lockkit.race;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockkit.tck.scenarios.Scenarios;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("HtmlReport")
class HtmlReportTest {
    private static final RunInfo RUN = new RunInfo(
            Instant.parse("2026-12-01T22:00:00Z"),
            2,
            "17.0.15 (OpenJDK)",
            "Linux 6.1 (amd64)",
            Map.of("workers", "<50>"));

    private static ResultTable table() {
        ResultTable table = new ResultTable(List.of(Scenarios.byId("1"), Scenarios.byId("2a"), Scenarios.byId("5")));
        table.add("mem/timed", Rows.pass("1", "Exclusive claim", "mem/timed"));
        table.add("mem/timed", Rows.lost("mem/timed", 0));
        table.handoff("mem/timed", Rows.handoff(30, 200));
        table.add("redis", Rows.fail("1", "Exclusive claim", "redis", "L1 <script>alert('x')</script> & more"));
        table.add("redis", Rows.lost("redis", 7));
        table.handoff("redis", Rows.handoff(900, 40_000));
        table.peer("naive/check-then-insert");
        table.add(
                "naive/check-then-insert",
                new io.lockkit.tck.scenarios.ScenarioRow(
                        "2a",
                        "Double execution",
                        "naive/check-then-insert",
                        100,
                        3,
                        3,
                        0,
                        2,
                        0,
                        java.time.Duration.ofMillis(5),
                        List.of("L1 side effect ran 3 times"),
                        List.of(),
                        java.util.Optional.empty()));
        table.handoff("naive/check-then-insert", Handoff.Result.skipped("release <b>returned</b> false"));
        return table;
    }

    @Test
    @DisplayName("escapes every run text: a <script> in a violation stays text")
    void escapes() {
        String html = HtmlReport.render(table(), RUN);

        assertThat(html).doesNotContain("<script").doesNotContain("<b>returned");
        assertThat(html).contains("L1 &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; more");
        assertThat(html).contains("workers=&lt;50&gt;");
        assertThat(HtmlReport.escape("a<b>\"c\"&'d'")).isEqualTo("a&lt;b&gt;&quot;c&quot;&amp;&#39;d&#39;");
    }

    @Test
    @DisplayName("is one self-contained page with the table, both SVG charts and every backend")
    void selfContained() {
        String html = HtmlReport.render(table(), RUN);

        assertThat(html).startsWith("<!DOCTYPE html>").endsWith("</html>\n");
        assertThat(html).doesNotContain("<script", "src=", "href=", "@import", "url(");
        assertThat(html.split("<svg ", -1)).hasSize(3);
        assertThat(html).contains("mem/timed", "redis", "naive/check-then-insert (peer)");
        assertThat(html).contains("peers (reported as measured)");
        assertThat(html).contains("<td class=\"fail\"", "<td class=\"pass\"");
        assertThat(html).contains("2026-12-01T22:00:00Z", "2 cores", "17.0.15 (OpenJDK)", "Linux 6.1 (amd64)");
        assertThat(html).contains("2 rows where a lockkit backend broke a rule");
    }

    @Test
    @DisplayName("handoff chart: log scale when the latencies span decades, with labelled ticks")
    void handoffChartLogScale() {
        String svg = HtmlReport.handoffChart(table());

        assertThat(svg).contains("handoff latency (log scale)", ">10 µs<", ">100 ms<", "p50", "p99");
        assertThat(svg).contains("skipped: release &lt;b&gt;returned&lt;/b&gt; false");
    }

    @Test
    @DisplayName("handoff chart: linear scale when the latencies are close")
    void handoffChartLinear() {
        ResultTable table = new ResultTable(List.of());
        table.handoff("a", Rows.handoff(100, 400));
        table.handoff("b", Rows.handoff(120, 500));

        assertThat(HtmlReport.handoffChart(table)).contains("handoff latency (linear scale)", ">0 µs<");
    }

    @Test
    @DisplayName("lost-update chart: scenario 5's lost updates and double executions beyond 1, n/a when not run")
    void lostUpdatesChart() {
        String svg = HtmlReport.lostUpdatesChart(table());

        assertThat(svg).contains("lost updates (scenario 5)", "double executions", "rows 2a");
        assertThat(svg).contains("redis: lost updates (scenario 5) 7");
        assertThat(svg).contains("naive/check-then-insert (peer): double executions 2");
        assertThat(svg).contains("mem/timed: lost updates (scenario 5) 0").contains(">n/a<");
    }

    @Test
    @DisplayName("micros() prints µs, ms and s")
    void micros() {
        assertThat(HtmlReport.micros(850)).isEqualTo("850 µs");
        assertThat(HtmlReport.micros(1_250)).isEqualTo("1.25 ms");
        assertThat(HtmlReport.micros(100_000)).isEqualTo("100 ms");
        assertThat(HtmlReport.micros(3_400_000)).isEqualTo("3.4 s");
    }

    @Test
    @DisplayName("soak rows: grants per second as bars, each fault a mark above its second, all text escaped")
    void soakTimeline() {
        ResultTable table = table();
        table.add(
                "redis",
                new io.lockkit.tck.scenarios.ScenarioRow(
                        "S8",
                        "Soak, 8 JVMs × 8, 10 s under faults",
                        "redis",
                        64,
                        30,
                        0,
                        0,
                        0,
                        0,
                        java.time.Duration.ofSeconds(10),
                        List.of(),
                        List.of(
                                io.lockkit.race.proc.Soak.GRANTS_PER_SECOND + " 10,0,20",
                                io.lockkit.race.proc.Soak.FAULT_TIMELINE
                                        + " +0.5s pause c<1> (3000 ms); +2.1s cut c2 (0 ms)"),
                        java.util.Optional.empty()));
        String html = HtmlReport.render(table, RUN);

        assertThat(html).contains("<h2 id=\"soak\">", "redis, S8 Soak, 8 JVMs × 8, 10 s under faults");
        assertThat(html).contains("0 s: 10 grants", "1 s: 0 grants", "2 s: 20 grants", "tallest bar 20 grants");
        assertThat(html).contains("+0.5 s pause c&lt;1&gt; (3000 ms)", "+2.1 s cut c2 (0 ms)");
        assertThat(html).doesNotContain("c<1>");
        assertThat(HtmlReport.render(table(), RUN))
                .as("no soak rows, no soak section")
                .doesNotContain("id=\"soak\"");
    }
}
