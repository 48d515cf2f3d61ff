package io.lockkit.race;

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
import java.util.ArrayList;
import java.util.Arrays;
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
            if (!Set.of("backends", "scenarios", "out").contains(name) && !SETTINGS.contains(name)) {
                bad.add(arg);
            } else {
                opts.put(name, arg.substring(eq + 1));
            }
        }
        if (!bad.isEmpty()) {
            throw new IllegalArgumentException("unknown arguments " + bad + "; known: --backends= --scenarios= --out= "
                    + SETTINGS.stream().sorted().map(s -> "--" + s + "=").toList());
        }
        return opts;
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
