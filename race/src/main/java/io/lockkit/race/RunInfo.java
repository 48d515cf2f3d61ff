package io.lockkit.race;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * When and where a comparison ran, and with which options, for the JSON and HTML reports. Immutable.
 *
 * @param date when the run started (UTC)
 * @param cores available processors
 * @param java the Java runtime, such as {@code 17.0.15 (OpenJDK 64-Bit Server VM)}
 * @param os the operating system, such as {@code Linux 6.1 (amd64)}
 * @param options the options in effect, in the order to print them
 */
record RunInfo(Instant date, int cores, String java, String os, Map<String, String> options) {
    RunInfo {
        options = Collections.unmodifiableMap(new LinkedHashMap<>(options));
    }

    /** This JVM and machine, now. */
    static RunInfo current(Map<String, String> options) {
        return new RunInfo(
                Instant.now().truncatedTo(ChronoUnit.SECONDS),
                Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")",
                System.getProperty("os.name") + " " + System.getProperty("os.version") + " ("
                        + System.getProperty("os.arch") + ")",
                options);
    }
}
