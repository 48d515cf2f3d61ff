package io.lockkit.spi;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a provider's string options, collecting every problem so that {@link #validate()} reports
 * all bad and unknown options at once, each with its value. Not thread-safe: one per {@code open}.
 *
 * <p>Durations are {@code 500ms}, {@code 2s}, {@code 1m} or ISO-8601 ({@code PT2S}).
 */
public final class Options {
    private static final Pattern SIMPLE_DURATION = Pattern.compile("(\\d+)(ms|s|m)");

    private final String backend;
    private final Map<String, String> values;
    private final Set<String> read = new HashSet<>();
    private final List<String> problems = new ArrayList<>();

    public Options(String backend, Map<String, String> values) {
        this.backend = backend;
        this.values = Map.copyOf(values);
    }

    public String string(String name, String fallback) {
        read.add(name);
        return values.getOrDefault(name, fallback);
    }

    public Duration duration(String name, Duration fallback, boolean zeroAllowed) {
        String raw = string(name, "");
        if (!values.containsKey(name)) {
            return fallback;
        }
        Duration d = parseDuration(raw);
        if (d == null
                || d.isNegative()
                || (!zeroAllowed && d.isZero())
                || d.compareTo(io.lockkit.LeaseLimits.MAX) > 0) {
            problems.add(name + "=" + raw + " (expected a " + (zeroAllowed ? "non-negative" : "positive")
                    + " duration of at most 365 days, such as 500ms, 2s or PT2S)");
            return fallback;
        }
        return d;
    }

    public int integer(String name, int fallback, int min, int max) {
        String raw = string(name, "");
        if (!values.containsKey(name)) {
            return fallback;
        }
        try {
            int v = Integer.parseInt(raw.trim());
            if (v >= min && v <= max) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        problems.add(name + "=" + raw + " (expected an integer from " + min + " to " + max + ")");
        return fallback;
    }

    public <E extends Enum<E>> E choice(String name, Class<E> type, E fallback) {
        String raw = string(name, "");
        if (!values.containsKey(name)) {
            return fallback;
        }
        for (E e : type.getEnumConstants()) {
            if (e.name().equalsIgnoreCase(raw.trim())) {
                return e;
            }
        }
        problems.add(name + "=" + raw + " (expected one of "
                + Arrays.stream(type.getEnumConstants())
                        .map(e -> e.name().toLowerCase(Locale.ROOT))
                        .toList() + ")");
        return fallback;
    }

    /** Throws {@link IllegalArgumentException} listing every malformed and unknown option. */
    public void validate() {
        List<String> all = new ArrayList<>(problems);
        Set<String> unknown = new TreeSet<>(values.keySet());
        unknown.removeAll(read);
        for (String name : unknown) {
            all.add(name + " (unknown option; known: " + new TreeSet<>(read) + ")");
        }
        if (!all.isEmpty()) {
            throw new IllegalArgumentException("bad options for " + backend + ": " + String.join("; ", all));
        }
    }

    /**
     * Parses lockkit's one duration grammar: a whole number with {@code ms}, {@code s} or {@code m}
     * ({@code 500ms}, {@code 2s}, {@code 1m}), or ISO-8601 ({@code PT1.5S}); null when {@code raw} is
     * neither. Options, URI parameters and the race's command line all read durations with it.
     */
    public static @org.jspecify.annotations.Nullable Duration parseDuration(String raw) {
        String s = raw.trim();
        Matcher m = SIMPLE_DURATION.matcher(s);
        try {
            if (m.matches()) {
                long n = Long.parseLong(m.group(1));
                return switch (m.group(2)) {
                    case "ms" -> Duration.ofMillis(n);
                    case "s" -> Duration.ofSeconds(n);
                    default -> Duration.ofMinutes(n);
                };
            }
            return Duration.parse(s);
        } catch (DateTimeParseException | NumberFormatException | ArithmeticException e) {
            return null;
        }
    }
}
