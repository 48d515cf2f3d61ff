package io.lockkit.race.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("SvgChart")
class SvgChartTest {
    private static final Pattern RECT_WIDTH = Pattern.compile("<rect x=\"\\d+\" y=\"\\d+\" width=\"(\\d+)\"");

    @Test
    @DisplayName("panels with headings, a log scale over fractional decades, values after the bars, n/a and notes")
    void panels() {
        SvgChart.Panel top = new SvgChart.Panel(
                "Uncontended <µs>",
                "µs per operation",
                SvgChart.Scale.LOG,
                SvgChart::decade,
                v -> String.format(java.util.Locale.ROOT, "%.1f", v),
                List.of(
                        new SvgChart.Heading("redis"),
                        SvgChart.Group.of("floor × 2 RT", List.of(SvgChart.Bar.of("floor", "#aaa", 200))),
                        SvgChart.Group.of("lockkit redis", List.of(SvgChart.Bar.of("lockkit", "#2b6cb0", 0.5))),
                        SvgChart.Group.of("peer & co", List.of(SvgChart.Bar.missing("peer", "#dd6b20"))),
                        SvgChart.Group.note("mem", "skipped: <none>")));
        SvgChart.Panel bottom = new SvgChart.Panel(
                "",
                "ops/s",
                SvgChart.Scale.LINEAR,
                SvgChart::decade,
                SvgChart::decade,
                List.of(SvgChart.Group.of(
                        "counter",
                        List.of(
                                SvgChart.Bar.of("1 thread", "#9ae6b4", 40),
                                SvgChart.Bar.of("8 threads", "#38a169", 0)))));

        String svg = SvgChart.bars(
                "benchmarks",
                List.of(new SvgChart.Key("floor", "#aaa"), new SvgChart.Key("lockkit", "#2b6cb0")),
                List.of(top, bottom));

        assertThat(svg).startsWith("<svg xmlns=\"http://www.w3.org/2000/svg\"").endsWith("</svg>\n");
        assertThat(svg).doesNotContain("<script", "href=", "<µs>", "<none>", "peer & co");
        assertThat(svg).contains(">Uncontended &lt;µs&gt;</text>", ">redis</text>", ">lockkit redis</text>");
        assertThat(svg).contains(">peer &amp; co</text>", ">n/a</text>", "skipped: &lt;none&gt;");
        assertThat(svg).contains("µs per operation (log scale)", "ops/s (linear scale)");
        assertThat(svg).contains(">0.1</text>", ">1</text>", ">1,000</text>", ">200.0</text>", ">0.5</text>");
        assertThat(svg).contains("<title>lockkit redis: lockkit 0.5</title>", "<title>counter: 8 threads 0</title>");
        assertThat(svg).contains(">floor</text>", ">lockkit</text>");
        // A zero is a hairline; the bars grow with their values.
        Matcher widths = RECT_WIDTH.matcher(svg.substring(svg.indexOf("floor × 2 RT")));
        assertThat(widths.find()).isTrue();
        int floor = Integer.parseInt(widths.group(1));
        assertThat(widths.find()).isTrue();
        int lockkit = Integer.parseInt(widths.group(1));
        assertThat(floor).isGreaterThan(lockkit).isGreaterThan(2);
    }

    @Test
    @DisplayName("AUTO is linear for close values and logarithmic beyond 20×")
    void autoScale() {
        SvgChart.Panel close = panel(100, 400);
        SvgChart.Panel wide = panel(30, 40_000);

        assertThat(SvgChart.bars("x", List.of(), close)).contains("x (linear scale)", ">0<", ">400<");
        assertThat(SvgChart.bars("x", List.of(), wide)).contains("x (log scale)", ">10<", ">100000<");
    }

    @Test
    @DisplayName("timeline: a bar per second, each mark's text escaped, a caption")
    void timeline() {
        String svg = SvgChart.timeline(
                List.of(10L, 0L, 20L), "grants", List.of(new SvgChart.Mark(0.5, "+0.5 s pause c<1> (3000 ms)")));

        assertThat(svg).contains("0 s: 10 grants", "1 s: 0 grants", "2 s: 20 grants", "tallest bar 20 grants");
        assertThat(svg).contains("+0.5 s pause c&lt;1&gt; (3000 ms)").doesNotContain("c<1>");
        assertThat(svg).contains("height=\"120\" fill=\"#4a7ab5\"", "height=\"60\" fill=\"#4a7ab5\"");
    }

    @Test
    @DisplayName("decade() prints ticks without float noise")
    void decade() {
        assertThat(SvgChart.decade(0.1)).isEqualTo("0.1");
        assertThat(SvgChart.decade(0.01 * 10)).isEqualTo("0.1");
        assertThat(SvgChart.decade(1)).isEqualTo("1");
        assertThat(SvgChart.decade(10_000)).isEqualTo("10,000");
    }

    private static SvgChart.Panel panel(long a, long b) {
        return new SvgChart.Panel(
                "",
                "x",
                SvgChart.Scale.AUTO,
                v -> Long.toString(Math.round(v)),
                v -> Long.toString(Math.round(v)),
                List.of(SvgChart.Group.of(
                        "a", List.of(SvgChart.Bar.of("p", "#000", a), SvgChart.Bar.of("q", "#111", b)))));
    }
}
