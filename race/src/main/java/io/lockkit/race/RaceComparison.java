package io.lockkit.race;

import io.lockkit.race.proc.ProcPhase;
import io.lockkit.tck.Scenario;
import io.lockkit.tck.ScenarioRow;
import io.lockkit.tck.Scenarios;
import io.lockkit.tck.TargetFactory;
import io.lockkit.tck.TckSettings;
import io.lockkit.tck.TckTarget;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeSet;

/**
 * Runs every scenario against every backend on the class path and prints one table: rows =
 * scenarios, columns = backends. Exit status 1 when a backend breaks a rule, 2 on bad arguments.
 *
 * <p>Arguments: {@code --backends=mem/timed,…} {@code --scenarios=1,2a,…} {@code --out=DIR}, and
 * any {@code -Dlockkit.tck.*} setting as {@code --workers=N}, {@code --clients=K}, {@code
 * --increments=M}, {@code --fuzzMillis=T}, {@code --shortLeaseMillis=L}, {@code
 * --deadlineSeconds=S}.
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
    private static final Set<String> SETTINGS =
            Set.of("workers", "clients", "increments", "fuzzMillis", "shortLeaseMillis", "deadlineSeconds");

    private RaceComparison() {}

    public static void main(String[] args) throws IOException {
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
            if (!Set.of("backends", "scenarios", "out", "processes", "faults", "processWorkers")
                            .contains(name)
                    && !SETTINGS.contains(name)) {
                bad.add(arg);
            } else {
                opts.put(name, arg.substring(eq + 1));
            }
        }
        if (!bad.isEmpty()) {
            throw new IllegalArgumentException("unknown arguments " + bad
                    + "; known: --backends= --scenarios= --out= --processes= --faults= --processWorkers= "
                    + SETTINGS.stream().sorted().map(s -> "--" + s + "=").toList());
        }
        procPlan(opts); // bad values fail here, with the other bad arguments' exit status
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

    static int run(Map<String, String> opts, PrintStream out, PrintStream progress) throws IOException {
        opts.forEach((k, v) -> {
            if (SETTINGS.contains(k)) {
                System.setProperty("lockkit.tck." + k, v);
            }
        });
        TckSettings settings = TckSettings.fromSystemProperties();
        Set<String> wantedBackends = split(opts.get("backends"));
        Set<String> wantedScenarios = split(opts.get("scenarios"));
        List<Scenario> scenarios = Scenarios.all().stream()
                .filter(s -> wantedScenarios.isEmpty() || wantedScenarios.contains(s.id()))
                .toList();
        List<TargetFactory> factories = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        var it = ServiceLoader.load(TargetFactory.class).iterator();
        while (true) {
            try {
                if (!it.hasNext()) {
                    break;
                }
                TargetFactory f = it.next();
                if (wantedBackends.isEmpty() || wantedBackends.contains(f.name())) {
                    factories.add(f);
                }
            } catch (ServiceConfigurationError e) {
                problems.add("a backend failed to load: " + e.getMessage());
            }
        }
        if (factories.isEmpty()) {
            progress.println("race: no backend matches " + wantedBackends);
            return 2;
        }
        ResultTable table = new ResultTable(scenarios);
        for (TargetFactory factory : factories) {
            progress.println("== " + factory.name());
            try (TckTarget target = factory.open()) {
                for (Scenario scenario : scenarios) {
                    progress.printf("   scenario %-3s %s … ", scenario.id(), scenario.title());
                    ScenarioRow row = runOne(scenario, target, settings);
                    progress.println(row.skipReason().map(r -> "skipped").orElse(row.passed() ? "pass" : "FAIL"));
                    table.add(factory.name(), row);
                }
            } catch (Exception e) {
                problems.add(factory.name() + " could not be opened: " + e);
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
        Files.writeString(dir.resolve("results.json"), table.json());
        out.println("results: " + dir.resolve("results.json").toAbsolutePath());
        return table.anyFailed() ? 1 : 0;
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
}
