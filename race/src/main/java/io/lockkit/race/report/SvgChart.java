package io.lockkit.race.report;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;
import java.util.function.DoubleFunction;

/**
 * lockkit's one SVG chart generator, for the race report ({@code results.html}: handoff latency,
 * lost updates, the soak's grants per second) and the benchmark ({@code bench/results/chart.svg}).
 * Self-contained inline SVG: no script, no external font, style or link. Every text is escaped
 * ({@link #escape(String)}). Stateless; thread-safe.
 *
 * <p>{@link #bars}: horizontal bars in one or more {@link Panel panels} under one legend. A panel
 * has {@link Heading headings} and {@link Group groups} (a label and one bar per series, or a note
 * in their place), an axis with labelled ticks, and a {@link Scale}: linear from 0 (ticks on whole
 * numbers), logarithmic over whole decades, or {@link Scale#AUTO} (logarithmic when the positive
 * values span more than {@value #LOG_SCALE_RATIO}×). Each bar has its value written after it and a
 * tooltip; a missing value prints {@code n/a}, a zero a hairline.
 *
 * <p>{@link #timeline}: one vertical bar per second, with {@link Mark marks} (such as faults) drawn
 * above the second they began in.
 */
public final class SvgChart {
    /** Above this ratio of the largest to the smallest positive value, {@link Scale#AUTO} is logarithmic. */
    public static final double LOG_SCALE_RATIO = 20;

    private static final int MIN_LABEL_W = 120;
    private static final int MAX_LABEL_W = 420;
    private static final double LABEL_CHAR_W = 6.6;
    private static final int PLOT_W = 560;
    private static final int VALUE_W = 110;
    private static final int BAR_H = 12;
    private static final int GROUP_GAP = 12;
    private static final int HEADING_H = 20;
    private static final int TITLE_H = 22;
    private static final int LEGEND_ROW_H = 20;
    private static final int AXIS_H = 44;
    private static final int PANEL_GAP = 16;

    /** How a panel maps values to bar lengths. */
    public enum Scale {
        /** Linear from 0. */
        LINEAR,
        /** Logarithmic over whole decades; values ≤ 0 draw as a hairline. */
        LOG,
        /** Logarithmic when the positive values span more than {@value SvgChart#LOG_SCALE_RATIO}×, else linear. */
        AUTO
    }

    /**
     * One bar.
     *
     * @param series the series' name, for the tooltip (empty: the tooltip is the label and value)
     * @param colour its fill, such as {@code #4a7bd0}
     * @param value its value; empty = n/a
     */
    public record Bar(String series, String colour, OptionalDouble value) {
        public static Bar of(String series, String colour, double value) {
            return new Bar(series, colour, OptionalDouble.of(value));
        }

        public static Bar missing(String series, String colour) {
            return new Bar(series, colour, OptionalDouble.empty());
        }
    }

    /** A row of a panel: a {@link Group} of bars or a {@link Heading}. */
    public sealed interface Row permits Group, Heading {}

    /**
     * A labelled group of bars; when {@code note} is not empty (or there are no bars), the note is
     * printed in their place.
     */
    public record Group(String label, List<Bar> bars, String note) implements Row {
        public Group {
            bars = List.copyOf(bars);
        }

        public static Group of(String label, List<Bar> bars) {
            return new Group(label, bars, "");
        }

        public static Group note(String label, String note) {
            return new Group(label, List.of(), note);
        }
    }

    /** A bold heading above the groups that follow it, such as a store's name. */
    public record Heading(String text) implements Row {}

    /**
     * One panel of bars.
     *
     * @param title printed above the panel; empty for none
     * @param axis the axis label, such as {@code handoff latency}; the scale is appended
     * @param scale linear, logarithmic or chosen by the values
     * @param ticks how a tick prints, such as {@code 10 µs}
     * @param values how a bar's value prints after the bar and in its tooltip
     * @param rows the headings and groups, top to bottom
     */
    public record Panel(
            String title,
            String axis,
            Scale scale,
            DoubleFunction<String> ticks,
            DoubleFunction<String> values,
            List<Row> rows) {
        public Panel {
            rows = List.copyOf(rows);
        }
    }

    /** One legend entry. */
    public record Key(String name, String colour) {}

    /**
     * A mark on a {@link #timeline}: a thin red bar above {@code atSeconds}, with {@code text} as its
     * tooltip.
     */
    public record Mark(double atSeconds, String text) {}

    private SvgChart() {}

    /** Horizontal bars: the legend on top, then each panel; {@code ariaLabel} names the chart. */
    public static String bars(String ariaLabel, List<Key> legend, List<Panel> panels) {
        int labelW = MIN_LABEL_W;
        for (Panel p : panels) {
            for (Row r : p.rows()) {
                if (r instanceof Group g) {
                    labelW = Math.max(labelW, (int) Math.ceil(g.label().length() * LABEL_CHAR_W) + 16);
                }
            }
        }
        labelW = Math.min(MAX_LABEL_W, labelW);
        int width = labelW + PLOT_W + VALUE_W;
        StringBuilder body = new StringBuilder();
        int y = legend(body, legend, labelW, width);
        for (Panel p : panels) {
            y = panel(body, p, labelW, y) + PANEL_GAP;
        }
        int height = y;
        return "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + width + "\" height=\"" + height
                + "\" viewBox=\"0 0 " + width + " " + height + "\" role=\"img\" aria-label=\"" + escape(ariaLabel)
                + "\" font-family=\"system-ui, -apple-system, 'Segoe UI', sans-serif\">\n"
                + "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n" + body + "</svg>\n";
    }

    /** One panel under a legend of its series. */
    public static String bars(String ariaLabel, List<Key> legend, Panel panel) {
        return bars(ariaLabel, legend, List.of(panel));
    }

    /** The legend, wrapped to {@code width}; returns the y below it. */
    private static int legend(StringBuilder s, List<Key> legend, int labelW, int width) {
        int x = labelW;
        int y = 8;
        for (Key k : legend) {
            int w = 40 + (int) Math.ceil(LABEL_CHAR_W * k.name().length());
            if (x + w > width && x > labelW) {
                x = labelW;
                y += LEGEND_ROW_H;
            }
            s.append("<rect x=\"")
                    .append(x)
                    .append("\" y=\"")
                    .append(y)
                    .append("\" width=\"12\" height=\"12\" fill=\"")
                    .append(escape(k.colour()))
                    .append("\"/>");
            s.append("<text x=\"")
                    .append(x + 16)
                    .append("\" y=\"")
                    .append(y + 10)
                    .append("\" font-size=\"12\">")
                    .append(escape(k.name()))
                    .append("</text>\n");
            x += w;
        }
        return legend.isEmpty() ? 8 : y + LEGEND_ROW_H + 6;
    }

    /** One panel from {@code y}; returns the y below its axis. */
    private static int panel(StringBuilder s, Panel p, int labelW, int y) {
        if (!p.title().isEmpty()) {
            s.append("<text x=\"10\" y=\"")
                    .append(y + 14)
                    .append("\" font-size=\"13\" font-weight=\"bold\">")
                    .append(escape(p.title()))
                    .append("</text>\n");
            y += TITLE_H;
        }
        Range scale = Range.of(p);
        int top = y + 6;
        int plotBottom = top;
        for (Row r : p.rows()) {
            plotBottom += height(r);
        }
        for (double tick : scale.ticks()) {
            int x = labelW + (int) Math.round(scale.position(tick) * PLOT_W);
            s.append("<line x1=\"")
                    .append(x)
                    .append("\" y1=\"")
                    .append(top - 4)
                    .append("\" x2=\"")
                    .append(x)
                    .append("\" y2=\"")
                    .append(plotBottom + 4)
                    .append("\" stroke=\"#ddd\"/>\n");
            s.append("<text x=\"")
                    .append(x)
                    .append("\" y=\"")
                    .append(plotBottom + 18)
                    .append("\" font-size=\"11\" text-anchor=\"middle\">")
                    .append(escape(p.ticks().apply(tick)))
                    .append("</text>\n");
        }
        s.append("<line x1=\"")
                .append(labelW)
                .append("\" y1=\"")
                .append(plotBottom + 4)
                .append("\" x2=\"")
                .append(labelW + PLOT_W)
                .append("\" y2=\"")
                .append(plotBottom + 4)
                .append("\" stroke=\"#666\"/>\n");
        s.append("<text x=\"")
                .append(labelW + PLOT_W / 2)
                .append("\" y=\"")
                .append(plotBottom + 36)
                .append("\" font-size=\"12\" text-anchor=\"middle\">")
                .append(escape(p.axis() + (scale.log() ? " (log scale)" : " (linear scale)")))
                .append("</text>\n");
        int rowY = top;
        for (Row r : p.rows()) {
            if (r instanceof Group g) {
                group(s, p, g, labelW, rowY, scale);
            } else if (r instanceof Heading h) {
                s.append("<text x=\"10\" y=\"")
                        .append(rowY + 14)
                        .append("\" font-size=\"12\" font-weight=\"bold\">")
                        .append(escape(h.text()))
                        .append("</text>\n");
            }
            rowY += height(r);
        }
        return plotBottom + AXIS_H;
    }

    private static int height(Row r) {
        return r instanceof Group g ? Math.max(1, g.bars().size()) * BAR_H + GROUP_GAP : HEADING_H;
    }

    private static void group(StringBuilder s, Panel p, Group g, int labelW, int y, Range scale) {
        int groupMid = y + Math.max(1, g.bars().size()) * BAR_H / 2;
        s.append("<text x=\"")
                .append(labelW - 8)
                .append("\" y=\"")
                .append(groupMid + 4)
                .append("\" font-size=\"12\" text-anchor=\"end\">")
                .append(escape(g.label()))
                .append("</text>\n");
        if (!g.note().isEmpty() || g.bars().isEmpty()) {
            s.append("<text x=\"")
                    .append(labelW + 4)
                    .append("\" y=\"")
                    .append(groupMid + 4)
                    .append("\" font-size=\"11\" fill=\"#777\">")
                    .append(escape(shorten(g.note(), 90)))
                    .append("<title>")
                    .append(escape(g.note()))
                    .append("</title></text>\n");
            return;
        }
        for (int i = 0; i < g.bars().size(); i++) {
            Bar bar = g.bars().get(i);
            int barY = y + i * BAR_H;
            if (bar.value().isEmpty()) {
                s.append("<text x=\"")
                        .append(labelW + 4)
                        .append("\" y=\"")
                        .append(barY + BAR_H - 2)
                        .append("\" font-size=\"10\" fill=\"#777\">n/a</text>\n");
                continue;
            }
            double v = bar.value().getAsDouble();
            int w = (int) Math.round(scale.position(v) * PLOT_W);
            String value = p.values().apply(v);
            s.append("<rect x=\"")
                    .append(labelW)
                    .append("\" y=\"")
                    .append(barY)
                    .append("\" width=\"")
                    // A zero still shows as a hairline, so "0" and "n/a" look different.
                    .append(Math.max(2, w))
                    .append("\" height=\"")
                    .append(BAR_H - 2)
                    .append("\" fill=\"")
                    .append(escape(bar.colour()))
                    .append("\"><title>")
                    .append(escape(g.label() + ": " + (bar.series().isEmpty() ? "" : bar.series() + " ") + value))
                    .append("</title></rect>");
            s.append("<text x=\"")
                    .append(labelW + Math.max(0, w) + 4)
                    .append("\" y=\"")
                    .append(barY + BAR_H - 3)
                    .append("\" font-size=\"10\">")
                    .append(escape(value))
                    .append("</text>\n");
        }
    }

    /**
     * One bar per second ({@code perSecond.get(i)} in second {@code i}, in {@code unit} such as
     * {@code grants}), each mark a thin red bar above its second, and a caption.
     */
    public static String timeline(List<Long> perSecond, String unit, List<Mark> marks) {
        int bar = 6;
        int height = 120;
        int top = 24;
        long most =
                Math.max(1, perSecond.stream().mapToLong(Long::longValue).max().orElse(1));
        int width = perSecond.size() * bar + 40;
        StringBuilder svg = new StringBuilder();
        svg.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"")
                .append(width)
                .append("\" height=\"")
                .append(top + height + 20)
                .append("\" role=\"img\" aria-label=\"")
                .append(escape(unit + " per second"))
                .append("\">\n");
        for (int i = 0; i < perSecond.size(); i++) {
            long h = perSecond.get(i) * height / most;
            svg.append("<rect x=\"")
                    .append(i * bar)
                    .append("\" y=\"")
                    .append(top + height - h)
                    .append("\" width=\"")
                    .append(bar - 1)
                    .append("\" height=\"")
                    .append(h)
                    .append("\" fill=\"#4a7ab5\"><title>")
                    .append(escape(i + " s: " + perSecond.get(i) + " " + unit))
                    .append("</title></rect>\n");
        }
        for (Mark m : marks) {
            svg.append("<rect x=\"")
                    .append((int) (m.atSeconds() * bar))
                    .append("\" y=\"2\" width=\"3\" height=\"")
                    .append(top + height - 2)
                    .append("\" fill=\"#c0392b\" opacity=\"0.6\"><title>")
                    .append(escape(m.text()))
                    .append("</title></rect>\n");
        }
        svg.append("<text x=\"0\" y=\"")
                .append(top + height + 15)
                .append("\" font-size=\"11\">")
                .append(escape("0 s … " + perSecond.size() + " s; tallest bar " + most + " " + unit))
                .append("</text>\n");
        svg.append("</svg>\n");
        return svg.toString();
    }

    /** Text for SVG and HTML content and attribute values: {@code & < > " '} escaped. */
    public static String escape(String s) {
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    /** A number as a tick prints on a log scale: {@code 0.01}, {@code 1}, {@code 10,000}. */
    public static String decade(double v) {
        if (v < 1) {
            return BigDecimal.valueOf(v)
                    .round(new MathContext(6))
                    .stripTrailingZeros()
                    .toPlainString();
        }
        return String.format(Locale.ROOT, "%,.0f", v);
    }

    private static String shorten(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }

    /** Maps a value to 0…1 along the plot; linear from 0, or logarithmic over whole decades. */
    private record Range(boolean log, double low, double high) {
        static Range of(Panel p) {
            double max = 0;
            double min = Double.MAX_VALUE;
            for (Row r : p.rows()) {
                if (r instanceof Group g && g.note().isEmpty()) {
                    for (Bar b : g.bars()) {
                        if (b.value().isPresent()) {
                            double v = b.value().getAsDouble();
                            max = Math.max(max, v);
                            if (v > 0) {
                                min = Math.min(min, v);
                            }
                        }
                    }
                }
            }
            boolean log = max > 0
                    && switch (p.scale()) {
                        case LOG -> true;
                        case LINEAR -> false;
                        case AUTO -> max / min > LOG_SCALE_RATIO;
                    };
            return log ? log(min, max) : linear(Math.max(1, max));
        }

        static Range linear(double max) {
            double step = niceStep(max / 5.0);
            return new Range(false, 0, Math.max(step, Math.ceil(max / step) * step));
        }

        static Range log(double min, double max) {
            double low = Math.pow(10, Math.floor(Math.log10(min)));
            double high = Math.pow(10, Math.ceil(Math.log10(Math.max(max, low * 10))));
            return new Range(true, low, high);
        }

        double position(double value) {
            double p = log
                    ? (Math.log10(Math.max(value, low)) - Math.log10(low)) / (Math.log10(high) - Math.log10(low))
                    : value / high;
            return Math.max(0, Math.min(1, p));
        }

        List<Double> ticks() {
            List<Double> ticks = new ArrayList<>();
            if (log) {
                for (double t = low; t <= high * 1.0001; t *= 10) {
                    ticks.add(t);
                }
            } else {
                double step = niceStep(high / 5.0);
                for (double t = 0; t <= high * 1.0001; t += step) {
                    ticks.add(t);
                }
            }
            return ticks;
        }

        /** 1, 2 or 5 times a power of ten, at least 1: ticks fall on whole numbers. */
        private static double niceStep(double raw) {
            if (raw <= 1) {
                return 1;
            }
            double magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
            double n = raw / magnitude;
            return (n <= 1 ? 1 : n <= 2 ? 2 : n <= 5 ? 5 : 10) * magnitude;
        }
    }
}
