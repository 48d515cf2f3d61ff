package io.lockkit.bench;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs the benchmarks: starts each store once (or finds the one named, see {@link Stores}), runs
 * JMH with the stores' addresses passed to every fork, writes JMH's JSON and the markdown table
 * ({@link Report}) into the output folder, and exits non-zero when a benchmark threw.
 *
 * <p>Arguments: {@code smoke} (no forks, no warm-up, one 100 ms iteration per benchmark: proves
 * every benchmark runs, measures nothing), {@code --include=REGEX} (JMH's benchmark filter), {@code
 * --out=DIR} (default {@code results}, or {@code target/bench-smoke} in smoke mode).
 */
public final class BenchMain {
    private BenchMain() {}

    public static void main(String[] args) {
        int status;
        try {
            status = run(args);
        } catch (RunnerException e) {
            System.err.println("bench: a benchmark failed: " + e.getMessage());
            e.printStackTrace();
            status = 1;
        } catch (Exception e) {
            e.printStackTrace();
            status = 2;
        }
        // Embedded servers and client threads would keep the JVM alive; shutdown hooks stop them.
        System.exit(status);
    }

    private static int run(String[] args) throws Exception {
        boolean smoke = false;
        String include = BenchMain.class.getPackageName() + "\\..*";
        @Nullable Path out = null;
        // Maven passes -Dbench.args as one argument: split it on spaces.
        for (String arg : String.join(" ", args).strip().split("\\s+")) {
            if (arg.isEmpty()) {
                continue;
            } else if (arg.equals("smoke") || arg.equals("--smoke")) {
                smoke = true;
            } else if (arg.startsWith("--include=")) {
                include = arg.substring("--include=".length());
            } else if (arg.startsWith("--out=")) {
                out = Path.of(arg.substring("--out=".length()));
            } else {
                System.err.println("bench: unknown argument " + arg + "; expected smoke, --include=REGEX, --out=DIR");
                return 2;
            }
        }
        if (out == null) {
            out = Path.of(smoke ? "target/bench-smoke" : "results");
        }
        Files.createDirectories(out);
        Path json = out.resolve("jmh.json");

        long started = System.nanoTime();
        double loadBefore = loadAverage();
        Map<String, String> stores = Stores.all();
        List<String> jvmArgs = new ArrayList<>();
        stores.forEach((k, v) -> jvmArgs.add("-D" + k + "=" + v));
        System.out.println("bench: stores up in " + millisSince(started) + " ms: " + stores.keySet());

        ChainedOptionsBuilder options = new OptionsBuilder()
                .include(include)
                .shouldFailOnError(true)
                .jvmArgsAppend(jvmArgs.toArray(String[]::new))
                .result(json.toString())
                .resultFormat(ResultFormatType.JSON);
        if (smoke) {
            options.forks(0).warmupIterations(0).measurementIterations(1).measurementTime(TimeValue.milliseconds(100));
        } else {
            options.forks(1)
                    .warmupIterations(3)
                    .warmupTime(TimeValue.seconds(1))
                    .measurementIterations(5)
                    .measurementTime(TimeValue.seconds(1));
        }
        new Runner(options.build()).run();

        // Other work on the machine moves every median: say how busy it was.
        String table = Report.markdown(json)
                + String.format(
                        Locale.ROOT,
                        "%nSystem load average (1 min) at the start and the end of the run: %.2f, %.2f.%n",
                        loadBefore,
                        loadAverage());
        Files.writeString(out.resolve("results.md"), table);
        System.out.println(table);
        System.out.println("bench: " + (smoke ? "smoke run" : "run") + " done in "
                + TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started) + " s; " + json);
        return 0;
    }

    private static double loadAverage() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    private static long millisSince(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - nanos);
    }
}
