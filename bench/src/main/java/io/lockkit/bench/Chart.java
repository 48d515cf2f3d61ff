package io.lockkit.bench;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * The results as one self-contained SVG (no script, no external font or style): horizontal bars on
 * log scales. The top panel, per store: the floor times the round trips a lock needs, each lockkit
 * variant's uncontended acquire+release (and with the idle keys), and each peer's lock+unlock, in
 * µs. The bottom panel: the contended counter's throughput at 1, 8 and 100 threads, in ops/s.
 * Stateless.
 */
final class Chart {
    private static final int WIDTH = 960;
    private static final int LABEL = 290;
    private static final int PLOT = 560;
    private static final int ROW = 18;
    private static final String LOCKKIT = "#2b6cb0";
    private static final String IDLE = "#90cdf4";
    private static final String FLOOR = "#a0aec0";
    private static final String PEER = "#dd6b20";
    private static final String[] THREAD_COLOURS = {"#9ae6b4", "#38a169", "#22543d"};

    /** One bar: its label, value, colour; a null value draws a dash. */
    private record Bar(String label, @Nullable Double value, String colour) {}

    private Chart() {}

    static String svg(Results r) {
        List<Object> top = new ArrayList<>(); // a String is a group heading, a Bar is a row
        for (String store : List.of("postgresql", "redis", "zookeeper", "mem")) {
            List<Bar> bars = new ArrayList<>();
            Double floor = r.floor(store);
            int trips = Report.minTrips(store, "acquire") + Report.minTrips(store, "release");
            if (floor != null && trips > 0) {
                bars.add(new Bar("floor × " + trips + " RT", floor * trips, FLOOR));
            }
            for (String v : Report.variantsOn(store)) {
                bars.add(new Bar("lockkit " + v, r.median(Results.ACQUIRE, v), LOCKKIT));
                for (IdleRun.Row row : r.idle()) {
                    if (row.backend().equals(v)) {
                        bars.add(new Bar(
                                "lockkit " + v + ", idle keys (vs " + Report.micros(row.plainMicros()) + " beside)",
                                row.idleMicros(),
                                IDLE));
                    }
                }
            }
            for (String peer : r.peers()) {
                if (Clients.store(peer).equals(store)) {
                    bars.add(new Bar(peer, r.median(Results.PEER, peer), PEER));
                }
            }
            if (bars.stream().anyMatch(b -> b.value() != null)) {
                top.add(store);
                top.addAll(bars);
            }
        }
        List<Object> bottom = new ArrayList<>();
        List<String> seen = new ArrayList<>();
        for (CounterRun.Row row : r.counter()) {
            String name = row.subject() + " " + row.mode();
            if (seen.contains(name)) {
                continue;
            }
            seen.add(name);
            for (int i = 0; i < Report.THREADS.size(); i++) {
                CounterRun.Row at = r.counter(row.subject(), row.mode(), Report.THREADS.get(i));
                if (at != null) {
                    bottom.add(new Bar(
                            name + " × " + at.threads(),
                            at.opsPerSecond() > 0 ? at.opsPerSecond() : null,
                            THREAD_COLOURS[i]));
                }
            }
        }
        StringBuilder body = new StringBuilder();
        int y = 30;
        y = panel(
                body,
                y,
                "Uncontended acquire+release vs floor·RT vs peers (µs per operation, log scale; lower" + " is better)",
                top,
                "µs");
        if (!bottom.isEmpty()) {
            y = panel(
                    body,
                    y + 30,
                    "Contended counter, one key (ops/s, log scale; higher is better): × threads",
                    bottom,
                    "ops/s");
        }
        y = legend(body, y + 10);
        return "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + WIDTH + "\" height=\"" + (y + 10)
                + "\" viewBox=\"0 0 " + WIDTH + " " + (y + 10) + "\" font-family=\"sans-serif\" font-size=\"11\">\n"
                + "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n" + body + "</svg>\n";
    }

    private static int panel(StringBuilder svg, int y, String title, List<Object> rows, String unit) {
        double min = Double.MAX_VALUE;
        double max = 0;
        for (Object o : rows) {
            if (o instanceof Bar b && b.value() != null && b.value() > 0) {
                min = Math.min(min, b.value());
                max = Math.max(max, b.value());
            }
        }
        if (max == 0) {
            return y;
        }
        int lo = (int) Math.floor(Math.log10(min));
        int hi = (int) Math.ceil(Math.log10(max));
        if (hi == lo) {
            hi++;
        }
        svg.append(text(10, y, title, "font-weight=\"bold\" font-size=\"13\""));
        int top = y + 10;
        int height = 0;
        for (Object o : rows) {
            height += o instanceof String ? ROW + 4 : ROW;
        }
        for (int p = lo; p <= hi; p++) {
            double x = LABEL + PLOT * (p - lo) / (double) (hi - lo);
            svg.append(String.format(
                    Locale.ROOT,
                    "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#e2e8f0\"/>%n",
                    x,
                    top,
                    x,
                    top + height));
            svg.append(text(x - 10, top + height + 14, power(p) + (p == hi ? " " + unit : ""), ""));
        }
        int cy = top;
        for (Object o : rows) {
            if (o instanceof String heading) {
                svg.append(text(10, cy + 15, heading, "font-weight=\"bold\""));
                cy += ROW + 4;
                continue;
            }
            Bar b = (Bar) o;
            svg.append(text(20, cy + 13, b.label(), ""));
            if (b.value() == null || b.value() <= 0) {
                svg.append(text(LABEL + 4, cy + 13, "–", ""));
            } else {
                double w = Math.max(1, PLOT * (Math.log10(b.value()) - lo) / (hi - lo));
                svg.append(String.format(
                        Locale.ROOT,
                        "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"/>%n",
                        LABEL,
                        cy + 3,
                        w,
                        ROW - 5,
                        b.colour()));
                svg.append(text(LABEL + w + 4, cy + 13, value(b.value(), unit), ""));
            }
            cy += ROW;
        }
        return top + height + 20;
    }

    private static int legend(StringBuilder svg, int y) {
        String[][] items = {
            {FLOOR, "floor × round trips"},
            {LOCKKIT, "lockkit"},
            {IDLE, "lockkit, idle keys"},
            {PEER, "peer"},
            {THREAD_COLOURS[0], "1 thread"},
            {THREAD_COLOURS[1], "8 threads"},
            {THREAD_COLOURS[2], "100 threads"}
        };
        int x = 10;
        for (String[] item : items) {
            svg.append(String.format(
                    Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"10\" height=\"10\" fill=\"%s\"/>%n", x, y, item[0]));
            svg.append(text(x + 14, y + 9, item[1], ""));
            x += 30 + item[1].length() * 6;
        }
        return y + 14;
    }

    private static String power(int p) {
        if (p < 0) {
            return BigDecimal.ONE.movePointLeft(-p).toPlainString();
        }
        return p <= 9 ? String.format(Locale.ROOT, "%,d", (long) Math.pow(10, p)) : "1e" + p;
    }

    private static String value(double v, String unit) {
        return v >= 1000 || !unit.equals("µs") ? String.format(Locale.ROOT, "%,.0f", v) : Report.micros(v);
    }

    private static String text(double x, double y, String s, String attributes) {
        return String.format(
                Locale.ROOT,
                "<text x=\"%.1f\" y=\"%.1f\"%s>%s</text>%n",
                x,
                y,
                attributes.isEmpty() ? "" : " " + attributes,
                s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"));
    }
}
