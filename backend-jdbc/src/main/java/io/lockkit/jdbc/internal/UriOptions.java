package io.lockkit.jdbc.internal;

import io.lockkit.spi.Options;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * The lockkit options of a JDBC URI's query and of the options map, merged the same way by every
 * database's provider. Stateless.
 *
 * @param lockkit the names the provider reads
 * @param driver what the database's driver is called in a message ("a pgjdbc connection property")
 * @param isDriverOption whether a name is one of the driver's own options
 * @param bareConnectTimeoutUnit the unit the driver reads a bare number of {@code connectTimeout} in
 *     ({@code s} for pgjdbc, {@code ms} for Connector/J)
 */
public record UriOptions(
        List<String> lockkit, String driver, Predicate<String> isDriverOption, String bareConnectTimeoutUnit) {
    /** Choices and flags are read case-insensitively, so 'TRUE' and 'true' say the same. */
    private static final Set<String> CASE_FREE = Set.of("variant", "createSchema");

    private static final Pattern WHOLE_NUMBER = Pattern.compile("\\d{1,12}");

    /**
     * The options of the map and of the URI's query together. A lockkit option given in both must
     * have the same value (the same duration, for a duration) in both: which one was meant is not
     * guessed. A driver option in the map is refused: the driver's options go in the URI. In the URI,
     * {@code connectTimeout} may be a bare number, as the driver reads it. Problems go to {@code
     * problems}, never with a value that may be a secret.
     */
    public Map<String, String> merge(Map<String, String> fromUri, Map<String, String> map, List<String> problems) {
        Map<String, String> merged = new TreeMap<>();
        map.forEach((name, value) -> {
            if (!lockkit.contains(name) && isDriverOption.test(name)) {
                // its value is not shown: it may be a password
                problems.add(name + " in the options map is " + driver + ", not a lockkit option: give it in the"
                        + " URI's query (?" + name + "=…)");
            } else {
                merged.put(name, value);
            }
        });
        fromUri.forEach((name, raw) -> {
            String value = name.equals("connectTimeout")
                            && WHOLE_NUMBER.matcher(raw.trim()).matches()
                    ? raw.trim() + bareConnectTimeoutUnit
                    : raw;
            String other = map.get(name);
            if (other == null || !lockkit.contains(name)) {
                merged.putIfAbsent(name, value);
            } else if (!same(name, raw, other) && !same(name, value, other)) {
                problems.add(name + " is '" + raw + "' in the URI but '" + other + "' in the options map (give it"
                        + " in one place, or the same value in both)");
            }
        });
        return merged;
    }

    private static boolean same(String name, String a, String b) {
        if (a.trim().equals(b.trim()) || (CASE_FREE.contains(name) && a.trim().equalsIgnoreCase(b.trim()))) {
            return true;
        }
        Duration x = Options.parseDuration(a);
        return x != null && x.equals(Options.parseDuration(b));
    }
}
