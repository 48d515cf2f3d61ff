package io.lockkit.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
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
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;

/**
 * Runs the benchmarks: starts each store once (or finds the one named, see {@link Stores}), runs
 * JMH with the stores' addresses passed to every fork, writes JMH's JSON and the markdown table
 * ({@link Report}) into the output folder, and exits non-zero when a benchmark threw.
 *
 * <p>After JMH, it counts round trips per operation ({@link RoundTrips}, in this JVM: not timed) and
 * runs the interleaved uncontended run ({@link UncontendedRun}, {@value UncontendedRun#MIN_RUNS} runs), the idle-keys comparison ({@link IdleRun}, as many runs), the interleaved PostgreSQL, ZooKeeper, Redis and MariaDB breakdowns ({@link PgBreakdown}, {@link ZkBreakdown}, {@link RedisBreakdown}, {@link MariaDbBreakdown}) and the contended
 * counter ({@link CounterRun}), each in a JVM of its own, then writes {@code run.json}
 * (the machine and its load), {@code results.md} and {@code chart.svg} ({@link Report}). A counter
 * whose final value differs from the acknowledged increments fails the run (exit status 1).
 *
 * <p>Arguments ({@link Args}, read by picocli; {@code --help} prints them): {@code smoke} (no forks, no warm-up, one 100 ms iteration per benchmark, 10³ idle
 * keys, the counter at 100 threads for 200 ms per case: proves everything runs, measures nothing), {@code --include=REGEX}
 * (JMH's benchmark filter), {@code --out=DIR} (default {@code results}, or {@code
 * target/bench-smoke} in smoke mode), {@code --no-counter}, {@code --no-roundtrips}, {@code --no-breakdown}, {@code --no-idle}, {@code --no-interleaved}, {@code
 * --readme=PATH} (also replace the section between the markers in that file, see {@link Report}).
 */
public final class BenchMain {
    private static final int SMOKE_IDLE_KEYS = 1_000;

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

    /** The command line, read by picocli; see the class comment. */
    @Command(
            name = "bench",
            customSynopsis = {
                "./mvnw -B -q -Pbench -DskipTests verify -Dbench.args=\"[smoke] [OPTION]...\"",
                "   or: java -cp CLASSPATH io.lockkit.bench.BenchMain [smoke] [OPTION]...",
            },
            sortOptions = false,
            usageHelpWidth = 100,
            description = {
                "",
                "Runs the benchmarks (JMH, then the round-trip counts, the interleaved uncontended run, the idle"
                        + " keys, the PostgreSQL, ZooKeeper, Redis and MariaDB breakdowns and the contended counter) and writes the"
                        + " JSON, results.md and chart.svg. Exit status 1 when a benchmark failed or the counter lost"
                        + " or doubled an increment, 2 on bad arguments.",
                "",
            })
    static final class Args {
        @Option(
                names = {"-h", "--help"},
                usageHelp = true,
                description = "Print this help and exit.")
        boolean help;

        @Parameters(arity = "0..1", paramLabel = "smoke", description = "The same as --smoke.")
        @Nullable
        Mode mode;

        @Option(
                names = "--smoke",
                description = "No forks, no warm-up, one 100 ms iteration per benchmark, 10³ idle keys, the counter at"
                        + " 100 threads for 200 ms per case: proves everything runs, measures nothing.")
        boolean smoke;

        @Option(
                names = "--include",
                paramLabel = "REGEX",
                description = "JMH's benchmark filter (default: ${DEFAULT-VALUE}).")
        String include = BenchMain.class.getPackageName() + "\\..*";

        @Option(
                names = "--out",
                paramLabel = "DIR",
                description = "The output folder (default: results, or target/bench-smoke in smoke mode).")
        @Nullable
        Path out;

        @Option(
                names = "--readme",
                paramLabel = "PATH",
                description = "Also replace the section between the markers in that file (see Report).")
        @Nullable
        Path readme;

        @Option(names = "--no-counter", description = "Skip the contended counter.")
        boolean noCounter;

        @Option(names = "--no-roundtrips", description = "Skip counting round trips.")
        boolean noRoundTrips;

        @Option(names = "--no-breakdown", description = "Skip the PostgreSQL, ZooKeeper, Redis and MariaDB breakdowns.")
        boolean noBreakdown;

        @Option(names = "--no-idle", description = "Skip the idle-keys comparison.")
        boolean noIdle;

        @Option(names = "--no-interleaved", description = "Skip the interleaved uncontended run.")
        boolean noInterleaved;

        boolean smoke() {
            return smoke || mode == Mode.smoke;
        }
    }

    /** The positional argument's one value. */
    enum Mode {
        smoke
    }

    /**
     * The arguments, checked. Maven passes {@code -Dbench.args} as one argument: they are split on
     * whitespace first.
     *
     * @throws ParameterException naming the unknown argument or bad value
     */
    static Args parse(String... args) {
        Args a = new Args();
        new CommandLine(a)
                .parseArgs(Arrays.stream(String.join(" ", args).strip().split("\\s+"))
                        .filter(w -> !w.isEmpty())
                        .toArray(String[]::new));
        return a;
    }

    private static int run(String[] argv) throws Exception {
        Args args;
        try {
            args = parse(argv);
        } catch (ParameterException e) {
            System.err.println("bench: " + e.getMessage());
            System.err.println();
            e.getCommandLine().usage(System.err);
            return 2;
        }
        if (args.help) {
            new CommandLine(new Args()).usage(System.out);
            return 0;
        }
        boolean smoke = args.smoke();
        String include = args.include;
        @Nullable Path out = args.out;
        @Nullable Path readme = args.readme;
        boolean counter = !args.noCounter;
        boolean roundTrips = !args.noRoundTrips;
        boolean breakdown = !args.noBreakdown;
        boolean idle = !args.noIdle;
        boolean interleaved = !args.noInterleaved;
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
        int idleKeys = smoke ? SMOKE_IDLE_KEYS : IdleKeys.count();
        Files.deleteIfExists(out.resolve("counter.json"));
        Files.deleteIfExists(out.resolve("roundtrips.json"));
        Files.deleteIfExists(out.resolve("breakdown.json"));
        Files.deleteIfExists(out.resolve(ZkBreakdown.FILE));
        Files.deleteIfExists(out.resolve(RedisBreakdown.FILE));
        Files.deleteIfExists(out.resolve(MariaDbBreakdown.FILE));
        Files.deleteIfExists(out.resolve("idle.json"));
        Files.deleteIfExists(out.resolve("uncontended.json"));
        System.out.println("bench: stores up in " + millisSince(started) + " ms: " + stores.keySet());

        long phase = System.nanoTime();
        new Runner(options(include, smoke, jvmArgs, json).build()).run();
        System.out.println("bench: JMH done in " + millisSince(phase) / 1000 + " s");

        if (roundTrips) {
            phase = System.nanoTime();
            RoundTrips.measure(out.resolve("roundtrips.json"));
            System.out.println("bench: round trips counted in " + millisSince(phase) + " ms");
        }
        int status = 0;
        if (interleaved) {
            phase = System.nanoTime();
            String[] interleavedArgs = {
                out.resolve("uncontended.json").toString(),
                smoke ? "1" : "60",
                Integer.toString(UncontendedRun.MIN_RUNS)
            };
            int done = smoke
                    ? run(UncontendedRun::run, interleavedArgs)
                    : fork(UncontendedRun.class, stores, interleavedArgs);
            System.out.println("bench: interleaved uncontended run done in " + millisSince(phase) / 1000 + " s");
            if (done != 0) {
                System.err.println("bench: the interleaved uncontended run failed (status " + done + "); see above");
                status = done;
            }
        }
        if (idle) {
            phase = System.nanoTime();
            String[] idleArgs = {
                out.resolve("idle.json").toString(),
                Integer.toString(idleKeys),
                smoke ? "2" : "30",
                Integer.toString(UncontendedRun.MIN_RUNS)
            };
            if (smoke) {
                IdleRun.run(idleArgs);
            } else {
                status = fork(IdleRun.class, stores, idleArgs);
            }
            System.out.println("bench: idle keys compared in " + millisSince(phase) / 1000 + " s");
        }
        if (breakdown) {
            phase = System.nanoTime();
            String breakdownOut = out.resolve("breakdown.json").toString();
            int done = smoke
                    ? run(PgBreakdown::run, breakdownOut, "1", "1")
                    : fork(PgBreakdown.class, stores, breakdownOut, "40");
            System.out.println("bench: PostgreSQL breakdown done in " + millisSince(phase) / 1000 + " s");
            if (done != 0) {
                System.err.println("bench: the PostgreSQL breakdown failed (status " + done + "); see above");
                status = done;
            }
            phase = System.nanoTime();
            String zkOut = out.resolve(ZkBreakdown.FILE).toString();
            done = smoke ? run(ZkBreakdown::run, zkOut, "1", "1") : fork(ZkBreakdown.class, stores, zkOut, "40");
            System.out.println("bench: ZooKeeper breakdown done in " + millisSince(phase) / 1000 + " s");
            if (done != 0) {
                System.err.println("bench: the ZooKeeper breakdown failed (status " + done + "); see above");
                status = done;
            }
            phase = System.nanoTime();
            String redisOut = out.resolve(RedisBreakdown.FILE).toString();
            done = smoke
                    ? run(RedisBreakdown::run, redisOut, "1", "1")
                    : fork(RedisBreakdown.class, stores, redisOut, "40");
            System.out.println("bench: Redis breakdown done in " + millisSince(phase) / 1000 + " s");
            if (done != 0) {
                System.err.println("bench: the Redis breakdown failed (status " + done + "); see above");
                status = done;
            }
            phase = System.nanoTime();
            String mariadbOut = out.resolve(MariaDbBreakdown.FILE).toString();
            done = smoke
                    ? run(MariaDbBreakdown::run, mariadbOut, "1", "1")
                    : fork(MariaDbBreakdown.class, stores, mariadbOut, "40");
            System.out.println("bench: MariaDB breakdown done in " + millisSince(phase) / 1000 + " s");
            if (done != 0) {
                System.err.println("bench: the MariaDB breakdown failed (status " + done + "); see above");
                status = done;
            }
        }
        if (counter) {
            phase = System.nanoTime();
            String[] counterArgs = {
                out.resolve("counter.json").toString(),
                smoke ? "0" : "1000",
                smoke ? "200" : "3000",
                // The smoke checks the counter's final value where it matters, under contention.
                smoke ? "100" : "1,8,100"
            };
            // Smoke measures nothing: run it here rather than pay for another JVM's start.
            int counted = smoke ? (CounterRun.run(counterArgs) ? 0 : 1) : fork(CounterRun.class, stores, counterArgs);
            System.out.println("bench: contended counter done in " + millisSince(phase) / 1000 + " s");
            if (counted != 0) {
                status = counted;
                System.err.println("bench: FAILED: the contended counter's final value differs from the acknowledged"
                        + " increments, or the counter could not run (status " + counted + "); see above");
            }
        }

        // Other work on the machine moves every median: say how busy it was.
        Map<String, String> run = Machine.describe();
        run.put("mode", smoke ? "smoke (timings meaningless)" : "full");
        run.put("idleKeys", String.format(Locale.ROOT, "%,d", idleKeys));
        run.put("loadStart", String.format(Locale.ROOT, "%.2f", loadBefore));
        run.put("loadEnd", String.format(Locale.ROOT, "%.2f", loadAverage()));
        Results.writeRun(out, run);
        String section = Report.write(out);
        if (readme != null) {
            Report.replaceSection(readme, section);
        }
        System.out.println(section);
        System.out.println("bench: " + (smoke ? "smoke run" : "run") + " done in "
                + TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started) + " s; " + out.resolve("results.md")
                + ", " + out.resolve("chart.svg"));
        return status;
    }

    private static ChainedOptionsBuilder options(String include, boolean smoke, List<String> jvmArgs, Path json) {
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
        return options;
    }

    /** Runs {@code main} in a new JVM on this classpath with the stores' addresses; returns its exit status. */
    private static int fork(Class<?> main, Map<String, String> stores, String... args)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        stores.forEach((k, v) -> command.add("-D" + k + "=" + v));
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(main.getName());
        command.addAll(List.of(args));
        return new ProcessBuilder(command).inheritIO().start().waitFor();
    }

    /** Runs a step in this JVM (smoke mode); 1 when it throws. */
    private static int run(Step step, String... args) {
        try {
            step.run(args);
            return 0;
        } catch (Exception e) {
            e.printStackTrace();
            return 1;
        }
    }

    /** A step's entry point. */
    @FunctionalInterface
    private interface Step {
        Object run(String... args) throws Exception;
    }

    private static double loadAverage() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    private static long millisSince(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - nanos);
    }
}
