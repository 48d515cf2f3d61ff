package io.lockkit.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** What the run ran on, for the report: date, commit, CPU, cores, memory, OS, JVM. Best effort. */
final class Machine {
    private Machine() {}

    static Map<String, String> describe() {
        Map<String, String> run = new LinkedHashMap<>();
        run.put("date", Instant.now().truncatedTo(ChronoUnit.MINUTES).toString());
        String commit = command("git", "rev-parse", "--short", "HEAD");
        if (!commit.isEmpty()) {
            // The run's own outputs (results/, the README section) do not make the code dirty.
            boolean dirty = !command(
                            "git",
                            "status",
                            "--porcelain",
                            "--",
                            ":(top)",
                            ":(top,exclude)bench/results",
                            ":(top,exclude)README.md")
                    .isEmpty();
            run.put("commit", commit + (dirty ? " with uncommitted changes" : ""));
        }
        run.put("cpu", field(Path.of("/proc/cpuinfo"), "model name", "(cpu unknown)"));
        run.put("cores", Integer.toString(Runtime.getRuntime().availableProcessors()));
        String mem = field(Path.of("/proc/meminfo"), "MemTotal", "");
        run.put(
                "memory",
                mem.endsWith(" kB")
                        ? String.format(
                                Locale.ROOT,
                                "%.1f GiB",
                                Long.parseLong(mem.replace(" kB", "").strip()) / 1048576.0)
                        : "?");
        run.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        run.put("jvm", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        return run;
    }

    private static String field(Path file, String name, String otherwise) {
        try {
            for (String line : Files.readAllLines(file)) {
                if (line.startsWith(name) && line.contains(":")) {
                    return line.substring(line.indexOf(':') + 1).strip();
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or not readable
        }
        return otherwise;
    }

    private static String command(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0 ? out : "";
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }
}
