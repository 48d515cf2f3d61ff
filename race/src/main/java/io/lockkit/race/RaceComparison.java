package io.lockkit.race;

import io.lockkit.race.proc.ProcPhase;
import io.lockkit.tck.TargetFactory;
import io.lockkit.tck.TckSettings;
import io.lockkit.tck.TckTarget;
import io.lockkit.tck.scenarios.Scenario;
import io.lockkit.tck.scenarios.ScenarioRow;
import io.lockkit.tck.scenarios.Scenarios;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeSet;
import picocli.CommandLine.ParameterException;

/**
 * Runs every scenario against every backend on the class path and prints one table: rows =
 * scenarios, columns = backends (peers, {@link TargetFactory#peer()}, after the lockkit backends).
 * Then measures each target's handoff latency, and writes {@code results.json} and {@code
 * results.html}. Exit status 1 when a lockkit backend breaks a rule (a peer never fails the run), 2
 * on bad arguments. Progress, one line per step with its time, goes to standard error.
 *
 * <p>The arguments ({@link RaceOptions}, {@code --help} prints them): {@code --backends=mem/timed,…}
 * {@code --scenarios=1,2a,…} {@code --out=DIR} {@code --handoffs=N} {@code --duration=5s} (the fuzz
 * scenario's), every {@code -Dlockkit.tck.*} setting as {@code --workers=N}, {@code --clients=K},
 * {@code --increments=M}, {@code --fuzzMillis=T}, {@code --shortLeaseMillis=L}, {@code
 * --deadlineSeconds=S}.
 *
 * <p>Across processes (store backends only; see {@link ProcPhase}): {@code --processes=4,8} the
 * child-JVM counts of the rows {@code P1xP} and {@code P2xP} ({@code 0} or {@code none}: off),
 * {@code --faults=pause,crash,connection} the rows {@code F1 F2 F3} ({@code none}: off), {@code
 * --processWorkers=25} worker threads per child JVM. Both are on by default. {@code --scenarios=}
 * selects P/F rows by id too ({@code --scenarios=P2x4,F1}); a {@code --scenarios=} list that names
 * no P/F row leaves them to an explicit {@code --processes=}/{@code --faults=}, else turns them
 * off. Short form for CI: {@code --scenarios=none --processes=2 --faults=pause --processWorkers=5}.
 *
 * <p>Soak ({@link ProcPhase#soak}): {@code --soak=2m} adds the rows {@code S4} and {@code S8} (set
 * by {@code --soakProcesses=4,8}, {@code --soakWorkers=8} workers per JVM): minutes of acquires,
 * keep-alives, stalls and fenced writes under a fault schedule, checked for overlaps, stale, lost
 * and doubled writes. Off unless asked for.
 */
public final class RaceComparison {
    private RaceComparison() {}

    public static void main(String[] args) throws Exception {
        System.exit(execute(args, System.out, System.err));
    }

    /**
     * Parses {@code args} and runs the comparison; returns the exit status: 0, 1 when a lockkit
     * backend broke a rule, 2 on bad arguments (each named on {@code err}, then the usage).
     */
    static int execute(String[] args, PrintStream out, PrintStream err) throws Exception {
        RaceOptions opts;
        try {
            opts = RaceOptions.parse(args);
        } catch (ParameterException e) {
            e.getMessage().lines().forEach(line -> err.println("race: " + line));
            err.println();
            RaceOptions.usage(err);
            return 2;
        }
        if (opts.help) {
            RaceOptions.usage(out);
            return 0;
        }
        return run(opts, out, err);
    }

    static int run(RaceOptions opts, PrintStream out, PrintStream progress) throws Exception {
        opts.settings().forEach((k, v) -> System.setProperty("lockkit.tck." + k, v));
        TckSettings settings = TckSettings.fromSystemProperties();
        int handoffs = opts.handoffs;
        Set<String> wantedBackends = new TreeSet<>(opts.backends);
        Set<String> wantedScenarios = new TreeSet<>(opts.scenarios);
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
        ProcPhase.Plan plan = opts.procPlan();
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
        Optional<ProcPhase.SoakPlan> soak = opts.soakPlan();
        if (soak.isPresent()) {
            for (TargetFactory factory : factories) {
                for (ScenarioRow row : ProcPhase.soak(factory, soak.get(), progress)) {
                    table.add(factory.name(), row);
                }
            }
        }
        out.println();
        out.print(table.render());
        problems.forEach(p -> out.println("note: " + p));
        Path dir = opts.out;
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
    private static Map<String, String> effectiveOptions(RaceOptions opts, TckSettings s, int handoffs) {
        Map<String, String> effective = new LinkedHashMap<>();
        effective.put("backends", opts.backends.isEmpty() ? "all" : String.join(",", opts.backends));
        effective.put("scenarios", opts.scenarios.isEmpty() ? "all" : String.join(",", opts.scenarios));
        effective.put("workers", Integer.toString(s.workers()));
        effective.put("clients", Integer.toString(s.clients()));
        effective.put("increments", Integer.toString(s.increments()));
        effective.put("fuzz", s.fuzz().toMillis() + "ms");
        effective.put("shortLease", s.shortLease().toMillis() + "ms");
        effective.put("deadline", s.deadline().toSeconds() + "s");
        effective.put("handoffs", Integer.toString(handoffs));
        opts.soakPlan().ifPresent(soak -> effective.put("soak", soak.toString()));
        return effective;
    }

    private static ScenarioRow runOne(Scenario scenario, TckTarget target, TckSettings settings) {
        try {
            return scenario.run(target, settings);
        } catch (Exception e) {
            return ScenarioRow.crashed(scenario, target.name(), e);
        }
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
