package io.lockkit.race;

import io.lockkit.race.proc.ProcPhase;
import io.lockkit.tck.Scenario;
import io.lockkit.tck.ScenarioRow;
import io.lockkit.tck.Scenarios;
import io.lockkit.tck.TargetFactory;
import io.lockkit.tck.TckSettings;
import io.lockkit.tck.TckTarget;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeSet;

/**
 * Runs every scenario against every backend on the class path and prints one table: rows =
 * scenarios, columns = backends (peers, {@link TargetFactory#peer()}, after the lockkit backends).
 * Then measures each target's handoff latency, and writes {@code results.json} and {@code
 * results.html}. Exit status 1 when a lockkit backend breaks a rule (a peer never fails the run), 2
 * on bad arguments. Progress, one line per step with its time, goes to standard error.
 *
 * <p>Arguments: {@code --backends=mem/timed,…} {@code --scenarios=1,2a,…} {@code --out=DIR}
 * {@code --handoffs=N} (handoff rounds per target, 0 = off; default {@value #DEFAULT_HANDOFFS})
 * {@code --duration=5s} (the fuzz scenario's duration: {@code 500ms}, {@code 5s}, {@code 1m} or
 * ISO-8601 {@code PT5S}; same as {@code --fuzzMillis}), and any {@code -Dlockkit.tck.*} setting as
 * {@code --workers=N}, {@code --clients=K}, {@code --increments=M}, {@code --fuzzMillis=T}, {@code
 * --shortLeaseMillis=L}, {@code --deadlineSeconds=S}.
 *
 * <p>Across processes (store backends only; see {@link ProcPhase}): {@code --processes=4,8} the
 * child-JVM counts of the rows {@code P1xP} and {@code P2xP} ({@code 0} or {@code none}: off),
 * {@code --faults=pause,crash,connection} the rows {@code F1 F2 F3} ({@code none}: off), {@code
 * --processWorkers=25} worker threads per child JVM. Both are on by default. {@code --scenarios=}
 * selects P/F rows by id too ({@code --scenarios=P2x4,F1}); a {@code --scenarios=} list that names
 * no P/F row leaves them to an explicit {@code --processes=}/{@code --faults=}, else turns them
 * off. Short form for CI: {@code --scenarios=none --processes=2 --faults=pause --processWorkers=5}.
 */
public final class RaceComparison {
    static final int DEFAULT_HANDOFFS = 100;
    private static final Set<String> SETTINGS =
            Set.of("workers", "clients", "increments", "fuzzMillis", "shortLeaseMillis", "deadlineSeconds");
    private static final Set<String> OPTIONS =
            Set.of("backends", "scenarios", "out", "handoffs", "duration", "processes", "faults", "processWorkers");

    private RaceComparison() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> opts;
        try {
            opts = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("race: " + e.getMessage());
            System.exit(2);
            return;
        }
        int status = run(opts, System.out, System.err);
        System.exit(status);
    }

    /**
     * The arguments as options, checked: unknown names and bad values are rejected all at once.
     *
     * @throws IllegalArgumentException naming every unknown argument and every bad value
     */
    static Map<String, String> parse(String[] args) {
        Map<String, String> opts = new LinkedHashMap<>();
        List<String> bad = new ArrayList<>();
        // Maven passes -Drace.args as one argument: split it on whitespace.
        for (String arg : String.join(" ", args).trim().split("\\s+")) {
            if (arg.isBlank()) {
                continue;
            }
            int eq = arg.indexOf('=');
            String name = arg.startsWith("--") && eq > 2 ? arg.substring(2, eq) : "";
            if (!OPTIONS.contains(name) && !SETTINGS.contains(name)) {
                bad.add(arg);
            } else {
                opts.put(name, arg.substring(eq + 1));
            }
        }
        if (!bad.isEmpty()) {
            throw new IllegalArgumentException("unknown arguments " + bad + "; known: "
                    + OPTIONS.stream().sorted().map(s -> "--" + s + "=").toList() + " "
                    + SETTINGS.stream().sorted().map(s -> "--" + s + "=").toList());
        }
        List<String> badValues = new ArrayList<>();
        if (opts.containsKey("duration")) {
            if (opts.containsKey("fuzzMillis")) {
                badValues.add("--duration=" + opts.get("duration") + " and --fuzzMillis=" + opts.get("fuzzMillis")
                        + " set the same thing: give one");
            } else {
                try {
                    opts.put(
                            "fuzzMillis",
                            Long.toString(duration(opts.get("duration")).toMillis()));
                } catch (IllegalArgumentException e) {
                    badValues.add(e.getMessage());
                }
            }
        }
        try {
            handoffs(opts);
        } catch (IllegalArgumentException e) {
            badValues.add(e.getMessage());
        }
        try {
            procPlan(opts);
        } catch (IllegalArgumentException e) {
            badValues.add(e.getMessage());
        }
        Properties props = new Properties();
        opts.forEach((k, v) -> {
            if (SETTINGS.contains(k)) {
                props.setProperty("lockkit.tck." + k, v);
            }
        });
        try {
            TckSettings.fromProperties(props);
        } catch (IllegalArgumentException e) {
            badValues.add(e.getMessage());
        }
        if (!badValues.isEmpty()) {
            throw new IllegalArgumentException("bad values: " + String.join("; ", badValues));
        }
        return opts;
    }

    /** The multi-process plan the options ask for; see the class comment. */
    static ProcPhase.Plan procPlan(Map<String, String> opts) {
        Set<String> wanted = split(opts.get("scenarios"));
        List<Integer> processes = new ArrayList<>();
        String p = opts.getOrDefault("processes", "4,8").trim();
        if (!p.equals("none") && !p.equals("0")) {
            for (String n : p.split(",")) {
                try {
                    processes.add(Integer.parseInt(n.trim()));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(
                            "--processes=" + p + ": '" + n + "' is not a number (expected e.g. 4,8, or none)");
                }
            }
        }
        Set<ProcPhase.Fault> faults = EnumSet.noneOf(ProcPhase.Fault.class);
        String f = opts.getOrDefault("faults", "pause,crash,connection").trim();
        if (!f.equals("none")) {
            for (String name : f.split(",")) {
                try {
                    faults.add(ProcPhase.Fault.parse(name));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("--faults=" + f + ": " + e.getMessage());
                }
            }
        }
        int workers;
        String w = opts.getOrDefault("processWorkers", "25");
        try {
            workers = Integer.parseInt(w.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--processWorkers=" + w + " is not a number");
        }
        boolean namesP = wanted.stream().anyMatch(s -> s.matches("P[12]x\\d+"));
        boolean namesF = wanted.stream().anyMatch(s -> s.matches("F[123]"));
        boolean explicitP = opts.containsKey("processes");
        boolean explicitF = opts.containsKey("faults");
        String d = opts.getOrDefault("deadlineSeconds", "120");
        Duration guard;
        try {
            guard = Duration.ofSeconds(Long.parseLong(d.trim()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--deadlineSeconds=" + d + " is not a number of seconds");
        }
        return new ProcPhase.Plan(processes, faults, workers, guard, id -> {
            boolean isP = id.startsWith("P");
            if (wanted.isEmpty() || wanted.contains(id)) {
                return true;
            }
            return isP ? explicitP && !namesP : explicitF && !namesF;
        });
    }

    /**
     * {@code 500ms}, {@code 5s}, {@code 2m} or ISO-8601 such as {@code PT5S}; positive.
     *
     * @throws IllegalArgumentException naming the value
     */
    static Duration duration(String text) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        Duration d;
        try {
            if (t.startsWith("pt")) {
                d = Duration.parse(t.toUpperCase(Locale.ROOT));
            } else if (t.endsWith("ms")) {
                d = Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
            } else if (t.endsWith("s")) {
                d = Duration.ofMillis(Math.round(Double.parseDouble(t.substring(0, t.length() - 1)) * 1000));
            } else if (t.endsWith("m")) {
                d = Duration.ofSeconds(Long.parseLong(t.substring(0, t.length() - 1)) * 60);
            } else {
                throw new IllegalArgumentException();
            }
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(
                    "--duration=" + text + " is not a duration (expected e.g. 500ms, 5s, 2m or PT5S)");
        }
        if (d.isZero() || d.isNegative()) {
            throw new IllegalArgumentException("--duration=" + text + " must be positive");
        }
        return d;
    }

    private static int handoffs(Map<String, String> opts) {
        String raw = opts.getOrDefault("handoffs", Integer.toString(DEFAULT_HANDOFFS));
        try {
            int n = Integer.parseInt(raw.strip());
            if (n >= 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("--handoffs=" + raw + " is not a whole number ≥ 0");
    }

    static int run(Map<String, String> opts, PrintStream out, PrintStream progress) throws Exception {
        opts.forEach((k, v) -> {
            if (SETTINGS.contains(k)) {
                System.setProperty("lockkit.tck." + k, v);
            }
        });
        TckSettings settings = TckSettings.fromSystemProperties();
        int handoffs = handoffs(opts);
        Set<String> wantedBackends = split(opts.get("backends"));
        Set<String> wantedScenarios = split(opts.get("scenarios"));
        List<Scenario> scenarios = Scenarios.all().stream()
                .filter(s -> wantedScenarios.isEmpty() || wantedScenarios.contains(s.id()))
                .toList();
        List<TargetFactory> factories = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        Set<String> available = new TreeSet<>();
        var it = ServiceLoader.load(TargetFactory.class).iterator();
        while (true) {
            try {
                if (!it.hasNext()) {
                    break;
                }
                TargetFactory f = it.next();
                available.add(f.name());
                if (wantedBackends.isEmpty() || wantedBackends.contains(f.name())) {
                    factories.add(f);
                }
            } catch (ServiceConfigurationError e) {
                problems.add("a backend failed to load: " + e.getMessage());
            }
        }
        Set<String> unknown = new TreeSet<>(wantedBackends);
        unknown.removeAll(available);
        if (!unknown.isEmpty()) {
            problems.add("no backend named " + unknown + " on the class path; found " + available);
            progress.println("race: " + problems.get(problems.size() - 1));
        }
        if (factories.isEmpty()) {
            progress.println("race: no backend matches " + wantedBackends);
            return 2;
        }
        // Lockkit backends first, then peers, as the table prints them; class-path order otherwise.
        factories.sort(Comparator.comparing(TargetFactory::peer));
        RunInfo run = RunInfo.current(effectiveOptions(opts, settings, handoffs));
        ResultTable table = new ResultTable(scenarios);
        int stepsPerTarget = scenarios.size() + (handoffs > 0 ? 1 : 0);
        Progress steps = new Progress(progress, factories.size() * stepsPerTarget);
        for (TargetFactory factory : factories) {
            String name = factory.name();
            if (factory.peer()) {
                table.peer(name);
            }
            progress.println("== opening " + name + (factory.peer() ? " (peer)" : "") + " …");
            long opening = System.nanoTime();
            int done = 0;
            try (TckTarget target = factory.open()) {
                progress.println("== " + name + " open (" + Progress.seconds(System.nanoTime() - opening) + ")");
                for (Scenario scenario : scenarios) {
                    long start = steps.start(name, "scenario " + scenario.id() + " " + scenario.title());
                    ScenarioRow row = runOne(scenario, target, settings);
                    done++;
                    steps.end(start, row.skipReason().map(r -> "skipped").orElse(row.passed() ? "pass" : "FAIL"));
                    table.add(name, row);
                }
                if (handoffs > 0) {
                    long start = steps.start(name, "handoff × " + handoffs);
                    Handoff.Result h = Handoff.measure(target, handoffs, Handoff.DEFAULT_BUDGET);
                    done++;
                    steps.end(start, h.summary());
                    table.handoff(name, h);
                }
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception e) {
                problems.add(name + " could not be opened or closed: " + e);
                progress.println("== " + name + " failed: " + e);
                steps.skip(stepsPerTarget - done);
            }
        }
        ProcPhase.Plan plan = procPlan(opts);
        for (TargetFactory factory : factories) {
            if (factory.peer()) {
                continue; // peers are wrapped in-JVM clients: the multi-process launcher has none for them
            }
            try {
                for (ScenarioRow row : ProcPhase.run(factory.name(), plan, progress)) {
                    table.add(factory.name(), row);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                problems.add(factory.name() + ": the multi-process phase was interrupted");
            }
        }
        out.println();
        out.print(table.render());
        problems.forEach(p -> out.println("note: " + p));
        Path dir = Path.of(opts.getOrDefault("out", "race-results"));
        Files.createDirectories(dir);
        Path json = dir.resolve("results.json");
        Path html = dir.resolve("results.html");
        Files.writeString(json, table.json(run));
        Files.writeString(html, HtmlReport.render(table, run));
        out.println("results: " + json.toAbsolutePath());
        out.println("results: " + html.toAbsolutePath());
        return table.anyFailed() ? 1 : 0;
    }

    /** What ran, for the reports: the arguments as given, then every setting in effect. */
    private static Map<String, String> effectiveOptions(Map<String, String> opts, TckSettings s, int handoffs) {
        Map<String, String> effective = new LinkedHashMap<>();
        effective.put("backends", opts.getOrDefault("backends", "all"));
        effective.put("scenarios", opts.getOrDefault("scenarios", "all"));
        effective.put("workers", Integer.toString(s.workers()));
        effective.put("clients", Integer.toString(s.clients()));
        effective.put("increments", Integer.toString(s.increments()));
        effective.put("fuzz", s.fuzz().toMillis() + "ms");
        effective.put("shortLease", s.shortLease().toMillis() + "ms");
        effective.put("deadline", s.deadline().toSeconds() + "s");
        effective.put("handoffs", Integer.toString(handoffs));
        return effective;
    }

    private static ScenarioRow runOne(Scenario scenario, TckTarget target, TckSettings settings) {
        try {
            return scenario.run(target, settings);
        } catch (Exception e) {
            return ScenarioRow.crashed(scenario, target.name(), e);
        }
    }

    private static Set<String> split(String csv) {
        return csv == null || csv.isBlank() ? Set.of() : new TreeSet<>(Arrays.asList(csv.split(",")));
    }

    /** The {@code [k/N] backend step … result (1.2 s)} lines. Not thread-safe. */
    private static final class Progress {
        private final PrintStream out;
        private final int total;
        private int step;

        Progress(PrintStream out, int total) {
            this.out = out;
            this.total = total;
        }

        long start(String backend, String what) {
            step++;
            out.printf("[%d/%d] %s %s … ", step, total, backend, what);
            out.flush();
            return System.nanoTime();
        }

        void end(long start, String result) {
            out.println(result + " (" + seconds(System.nanoTime() - start) + ")");
        }

        void skip(int steps) {
            step += steps;
        }

        static String seconds(long nanos) {
            return String.format(Locale.ROOT, "%.1f s", nanos / 1e9);
        }
    }
}
