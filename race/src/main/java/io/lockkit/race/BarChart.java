package io.lockkit.race;

import static io.lockkit.race.HtmlReport.escape;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.function.LongFunction;

/**
 * A horizontal grouped bar chart in inline SVG: one group of bars per backend, one bar per series,
 * a labelled axis with ticks, a legend, and the value written after each bar. Linear from 0, or
 * logarithmic over whole decades when {@code logIfWide} and the values span more than {@value
 * #LOG_SCALE_RATIO}×. Every text MUST go through {@link HtmlReport#escape(String)}. Immutable;
 * thread-safe.
 *
 * @param series the series' names, in bar order
 * @param colours one fill colour per series
 * @param axis the axis label, such as {@code handoff latency}
 * @param format how a value and a tick print, such as {@code 1.2 ms}
 * @param logIfWide whether a wide range of values switches to a log scale
 */
record BarChart(
        List<String> series, List<String> colours, String axis, LongFunction<String> format, boolean logIfWide) {
    static final double LOG_SCALE_RATIO = 20;

    private static final int LABEL_W = 210;
    private static final int PLOT_W = 560;
    private static final int VALUE_W = 110;
    private static final int BAR_H = 12;
    private static final int GROUP_GAP = 12;
    private static final int TOP = 34;
    private static final int AXIS_H = 44;

    String render(List<Bars> rows) {
        long max = rows.stream()
                .flatMap(r -> r.values().stream())
                .filter(OptionalLong::isPresent)
                .mapToLong(OptionalLong::getAsLong)
                .max()
                .orElse(0);
        long min = rows.stream()
                .flatMap(r -> r.values().stream())
                .filter(OptionalLong::isPresent)
                .mapToLong(OptionalLong::getAsLong)
                .filter(v -> v > 0)
                .min()
                .orElse(1);
        Scale scale = logIfWide && max > 0 && (double) max / min > LOG_SCALE_RATIO
                ? Scale.log(min, max)
                : Scale.linear(Math.max(1, max));
        int groupH = Math.max(1, series.size()) * BAR_H + GROUP_GAP;
        int height = TOP + Math.max(1, rows.size()) * groupH + AXIS_H;
        int width = LABEL_W + PLOT_W + VALUE_W;
        StringBuilder s = new StringBuilder();
        s.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"")
                .append(width)
                .append("\" height=\"")
                .append(height)
                .append("\" viewBox=\"0 0 ")
                .append(width)
                .append(' ')
                .append(height)
                .append("\" role=\"img\" aria-label=\"")
                .append(escape(axis + " per backend"))
                .append("\">\n");
        legend(s);
        int plotBottom = TOP + rows.size() * groupH;
        for (double tick : scale.ticks()) {
            int x = LABEL_W + (int) Math.round(scale.position(tick) * PLOT_W);
            s.append("<line x1=\"")
                    .append(x)
                    .append("\" y1=\"")
                    .append(TOP - 4)
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
                    .append(escape(format.apply(Math.round(tick))))
                    .append("</text>\n");
        }
        s.append("<line x1=\"")
                .append(LABEL_W)
                .append("\" y1=\"")
                .append(plotBottom + 4)
                .append("\" x2=\"")
                .append(LABEL_W + PLOT_W)
                .append("\" y2=\"")
                .append(plotBottom + 4)
                .append("\" stroke=\"#666\"/>\n");
        s.append("<text x=\"")
                .append(LABEL_W + PLOT_W / 2)
                .append("\" y=\"")
                .append(plotBottom + 36)
                .append("\" font-size=\"12\" text-anchor=\"middle\">")
                .append(escape(axis + (scale.log() ? " (log scale)" : " (linear scale)")))
                .append("</text>\n");
        for (int i = 0; i < rows.size(); i++) {
            group(s, rows.get(i), TOP + i * groupH, scale);
        }
        s.append("</svg>\n");
        return s.toString();
    }

    private void legend(StringBuilder s) {
        int x = LABEL_W;
        for (int i = 0; i < series.size(); i++) {
            s.append("<rect x=\"")
                    .append(x)
                    .append("\" y=\"8\" width=\"12\" height=\"12\" fill=\"")
                    .append(colours.get(i))
                    .append("\"/>");
            s.append("<text x=\"")
                    .append(x + 16)
                    .append("\" y=\"18\" font-size=\"12\">")
                    .append(escape(series.get(i)))
                    .append("</text>\n");
            x += 40 + 7 * series.get(i).length();
        }
    }

    private void group(StringBuilder s, Bars bars, int y, Scale scale) {
        int groupMid = y + series.size() * BAR_H / 2;
        s.append("<text x=\"")
                .append(LABEL_W - 8)
                .append("\" y=\"")
                .append(groupMid + 4)
                .append("\" font-size=\"12\" text-anchor=\"end\">")
                .append(escape(bars.label()))
                .append("</text>\n");
        if (!bars.note().isEmpty() || bars.values().isEmpty()) {
            s.append("<text x=\"")
                    .append(LABEL_W + 4)
                    .append("\" y=\"")
                    .append(groupMid + 4)
                    .append("\" font-size=\"11\" fill=\"#777\">")
                    .append(escape(shorten(bars.note(), 90)))
                    .append("<title>")
                    .append(escape(bars.note()))
                    .append("</title></text>\n");
            return;
        }
        for (int i = 0; i < series.size() && i < bars.values().size(); i++) {
            OptionalLong v = bars.values().get(i);
            int barY = y + i * BAR_H;
            if (v.isEmpty()) {
                s.append("<text x=\"")
                        .append(LABEL_W + 4)
                        .append("\" y=\"")
                        .append(barY + BAR_H - 2)
                        .append("\" font-size=\"10\" fill=\"#777\">n/a</text>\n");
                continue;
            }
            int w = (int) Math.round(scale.position(v.getAsLong()) * PLOT_W);
            String text = series.get(i) + " " + format.apply(v.getAsLong());
            s.append("<rect x=\"")
                    .append(LABEL_W)
                    .append("\" y=\"")
                    .append(barY)
                    .append("\" width=\"")
                    // A zero still shows as a hairline, so "0" and "n/a" look different.
                    .append(Math.max(2, w))
                    .append("\" height=\"")
                    .append(BAR_H - 2)
                    .append("\" fill=\"")
                    .append(colours.get(i))
                    .append("\"><title>")
                    .append(escape(bars.label() + ": " + text))
                    .append("</title></rect>");
            s.append("<text x=\"")
                    .append(LABEL_W + Math.max(0, w) + 4)
                    .append("\" y=\"")
                    .append(barY + BAR_H - 3)
                    .append("\" font-size=\"10\">")
                    .append(escape(format.apply(v.getAsLong())))
                    .append("</text>\n");
        }
    }

    private static String shorten(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }

    /** One backend's bars: one value per series, empty = n/a; {@code note} replaces the bars when set. */
    record Bars(String label, List<OptionalLong> values, String note) {
        static Bars missing(String label, String note) {
            return new Bars(label, List.of(), note);
        }
    }

    /** Maps a value to 0…1 along the plot; linear from 0, or logarithmic over whole decades. */
    record Scale(boolean log, double low, double high) {
        static Scale linear(long max) {
            double step = niceStep(max / 5.0);
            return new Scale(false, 0, Math.max(step, Math.ceil(max / step) * step));
        }

        static Scale log(long min, long max) {
            double low = Math.pow(10, Math.floor(Math.log10(Math.max(1, min))));
            double high = Math.pow(10, Math.ceil(Math.log10(Math.max(max, low * 10))));
            return new Scale(true, low, high);
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

        /** 1, 2 or 5 times a power of ten, at least 1 (the values are whole numbers). */
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
