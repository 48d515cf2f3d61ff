package io.lockkit.race;

import io.lockkit.race.proc.ProcPhase;
import io.lockkit.spi.Options;
import io.lockkit.tck.TckSettings;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.TypeConversionException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The race comparison's command line, read by picocli: {@link #parse} checks every argument and
 * reports every unknown one and every bad value at once; {@link #usage} prints the help. Durations
 * use lockkit's one grammar ({@link Options#parseDuration}: {@code 500ms}, {@code 5s}, {@code 2m}
 * or ISO-8601 such as {@code PT1.5S}). Mutable while picocli fills it, then only read.
 */
@Command(
        name = "race",
        customSynopsis = {
            "./mvnw -B -q -Prace -DskipTests verify -Drace.args=\"[OPTION]...\"",
            "   or: java -cp CLASSPATH io.lockkit.race.RaceComparison [OPTION]...",
        },
        sortOptions = false,
        usageHelpWidth = 100,
        description = {
            "",
            "Runs every race scenario against every backend and peer on the class path and prints one table"
                    + " (rows = scenarios, columns = backends, then peers); then the multi-process rows"
                    + " (P1xN, P2xN), the fault rows (F1 pause, F2 crash, F3 connection), the handoff latency"
                    + " and, when asked for, the soak (S rows). Writes results.json and results.html. Progress"
                    + " goes to standard error.",
            "Exit status: 0 when no lockkit backend broke a rule (peers never fail the run), 1 when one did,"
                    + " 2 on bad arguments or when no backend matches.",
            "",
        },
        footer = {
            "",
            "DURATION: 500ms, 5s, 2m, or ISO-8601 such as PT1.5S.",
            "A --scenarios list that names no P/F row turns those rows off unless --processes or --faults is"
                    + " given. Short form for CI: --scenarios=none --processes=2 --faults=pause --processWorkers=5.",
        })
final class RaceOptions {
    static final int DEFAULT_HANDOFFS = 100;

    @Option(
            names = {"-h", "--help"},
            usageHelp = true,
            description = "Print this help and exit.")
    boolean help;

    @Option(
            names = "--backends",
            split = ",",
            paramLabel = "NAME",
            description = "The columns to run, such as mem/timed,redis (default: every backend and peer on the"
                    + " class path).")
    List<String> backends = new ArrayList<>();

    @Option(
            names = "--scenarios",
            split = ",",
            paramLabel = "ID",
            description = "The rows to run, such as 1,2a,P2x8,F1; none runs no in-JVM scenario (default: all).")
    List<String> scenarios = new ArrayList<>();

    @Option(
            names = "--out",
            paramLabel = "DIR",
            defaultValue = "race-results",
            description = "Where results.json and results.html go (default: ${DEFAULT-VALUE}).")
    Path out = Path.of("race-results");

    @Option(
            names = "--handoffs",
            paramLabel = "N",
            defaultValue = "" + DEFAULT_HANDOFFS,
            description = "Handoff rounds per column; 0 = off (default: ${DEFAULT-VALUE}).")
    int handoffs = DEFAULT_HANDOFFS;

    @Option(
            names = "--duration",
            paramLabel = "DURATION",
            converter = DurationConverter.class,
            description = "The fuzz scenario's duration; the same as --fuzzMillis, give one (default: 3s).")
    @Nullable
    Duration duration;

    @Option(
            names = "--workers",
            paramLabel = "N",
            description =
                    "Workers per race; scenario 2b runs twice as many (default: " + TckSettings.DEFAULT_WORKERS + ").")
    @Nullable
    Integer workers;

    @Option(
            names = "--clients",
            paramLabel = "K",
            description =
                    "Clients per race, the workers spread over them (default: " + TckSettings.DEFAULT_CLIENTS + ").")
    @Nullable
    Integer clients;

    @Option(
            names = "--increments",
            paramLabel = "M",
            description = "Increments per worker in the lost-update scenario (default: "
                    + TckSettings.DEFAULT_INCREMENTS + ").")
    @Nullable
    Integer increments;

    @Option(
            names = "--fuzzMillis",
            paramLabel = "T",
            description = "The fuzz scenario's duration in ms (default: 3000).")
    @Nullable
    Integer fuzzMillis;

    @Option(
            names = "--shortLeaseMillis",
            paramLabel = "L",
            description = "The lease of the scenarios that wait for expiry, in ms (default: 1000).")
    @Nullable
    Integer shortLeaseMillis;

    @Option(
            names = "--deadlineSeconds",
            paramLabel = "S",
            description = "The guard against a hung race or fault step; never a timing claim (default: 120).")
    @Nullable
    Integer deadlineSeconds;

    @Option(
            names = "--processes",
            paramLabel = "N[,N...]|none",
            defaultValue = "4,8",
            description = "The child-JVM counts of the rows P1xN and P2xN (store backends only); none or 0: off"
                    + " (default: ${DEFAULT-VALUE}).")
    String processes = "4,8";

    @Option(
            names = "--faults",
            paramLabel = "FAULT[,FAULT...]|none",
            defaultValue = "pause,crash,connection",
            description = "The fault rows: pause (F1), crash (F2), connection (F3); none: off (default:"
                    + " ${DEFAULT-VALUE}).")
    String faults = "pause,crash,connection";

    @Option(
            names = "--processWorkers",
            paramLabel = "N",
            defaultValue = "25",
            description = "Worker threads per child JVM (default: ${DEFAULT-VALUE}).")
    int processWorkers = 25;

    @Option(
            names = "--soak",
            paramLabel = "DURATION|none",
            defaultValue = "none",
            converter = SoakConverter.class,
            description = "Adds the soak rows S<N>: acquires, keep-alives, stalls and fenced writes under a fault"
                    + " schedule for this long, at least 6s (default: ${DEFAULT-VALUE}).")
    @Nullable
    Duration soak;

    @Option(
            names = "--soakProcesses",
            split = ",",
            paramLabel = "N",
            defaultValue = "4,8",
            description = "The JVM counts of the soak rows (default: ${DEFAULT-VALUE}).")
    List<Integer> soakProcesses = List.of(4, 8);

    @Option(
            names = "--soakWorkers",
            paramLabel = "N",
            defaultValue = "8",
            description = "Workers per soak JVM (default: ${DEFAULT-VALUE}).")
    int soakWorkers = 8;

    /** Whether {@code --processes} or {@code --faults} was given, as opposed to defaulted. */
    private boolean processesGiven;

    private boolean faultsGiven;

    /**
     * The arguments, checked. Maven passes {@code -Drace.args} as one argument: they are split on
     * whitespace first. With {@code --help} the other arguments are not checked.
     *
     * @throws ParameterException naming every unknown argument and every bad value, one per line
     */
    static RaceOptions parse(String... args) {
        RaceOptions o = new RaceOptions();
        CommandLine cli = commandLine(o);
        List<String> words = Arrays.stream(String.join(" ", args).strip().split("\\s+"))
                .filter(w -> !w.isEmpty())
                .toList();
        ParseResult result = cli.parseArgs(words.toArray(String[]::new));
        if (o.help) {
            return o;
        }
        List<String> problems = new ArrayList<>();
        for (Exception e : result.errors()) {
            String suggestions = e instanceof UnmatchedArgumentException u
                            && !u.getSuggestions().isEmpty()
                    ? " (did you mean " + String.join(" or ", u.getSuggestions()) + "?)"
                    : "";
            problems.add(e.getMessage() + suggestions);
        }
        o.processesGiven = result.hasMatchedOption("--processes");
        o.faultsGiven = result.hasMatchedOption("--faults");
        if (o.duration != null && o.fuzzMillis != null) {
            problems.add("--duration="
                    + result.matchedOption("--duration").originalStringValues().get(0) + " and --fuzzMillis="
                    + o.fuzzMillis + " set the same thing: give one");
        }
        if (o.handoffs < 0) {
            problems.add("Invalid value for option '--handoffs': " + o.handoffs + " is not a whole number ≥ 0");
        }
        try {
            o.procPlan();
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
        }
        try {
            o.soakPlan();
        } catch (IllegalArgumentException e) {
            problems.add("Invalid soak: " + e.getMessage());
        }
        Properties props = new Properties();
        o.settings().forEach((k, v) -> props.setProperty("lockkit.tck." + k, v));
        try {
            TckSettings.fromProperties(props);
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
        }
        if (!problems.isEmpty()) {
            throw new ParameterException(cli, String.join("\n", problems));
        }
        return o;
    }

    /** The usage help, as {@code --help} prints it. */
    static void usage(PrintStream out) {
        commandLine(new RaceOptions()).usage(out);
    }

    private static CommandLine commandLine(RaceOptions o) {
        CommandLine cli = new CommandLine(o);
        cli.getCommandSpec().parser().collectErrors(true);
        // As before picocli: a later --name=value replaces an earlier one.
        cli.setOverwrittenOptionsAllowed(true);
        return cli;
    }

    /**
     * The {@code lockkit.tck.*} settings given (without the prefix), such as {@code workers=50}:
     * {@code --duration} as {@code fuzzMillis}.
     */
    Map<String, String> settings() {
        Map<String, String> s = new LinkedHashMap<>();
        put(s, "workers", workers);
        put(s, "clients", clients);
        put(s, "increments", increments);
        if (duration != null && fuzzMillis == null) {
            s.put("fuzzMillis", Long.toString(duration.toMillis()));
        }
        put(s, "fuzzMillis", fuzzMillis);
        put(s, "shortLeaseMillis", shortLeaseMillis);
        put(s, "deadlineSeconds", deadlineSeconds);
        return s;
    }

    private static void put(Map<String, String> settings, String name, @Nullable Integer value) {
        if (value != null) {
            settings.put(name, value.toString());
        }
    }

    /** The multi-process plan asked for; see the footer of the help. */
    ProcPhase.Plan procPlan() {
        Set<String> wanted = new TreeSet<>(scenarios);
        List<Integer> counts = new ArrayList<>();
        String p = processes.strip();
        if (!p.equals("none") && !p.equals("0")) {
            for (String n : p.split(",")) {
                try {
                    counts.add(Integer.parseInt(n.strip()));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("Invalid value for option '--processes': '" + n
                            + "' is not a number (expected e.g. 4,8, or none)");
                }
            }
        }
        Set<ProcPhase.Fault> chosen = EnumSet.noneOf(ProcPhase.Fault.class);
        String f = faults.strip();
        if (!f.equals("none")) {
            for (String name : f.split(",")) {
                try {
                    chosen.add(ProcPhase.Fault.parse(name));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("Invalid value for option '--faults': " + e.getMessage());
                }
            }
        }
        boolean namesP = wanted.stream().anyMatch(s -> s.matches("P[12]x\\d+"));
        boolean namesF = wanted.stream().anyMatch(s -> s.matches("F[123]"));
        boolean explicitP = processesGiven;
        boolean explicitF = faultsGiven;
        Duration guard = deadlineSeconds == null ? TckSettings.DEFAULT_DEADLINE : Duration.ofSeconds(deadlineSeconds);
        try {
            return new ProcPhase.Plan(counts, chosen, processWorkers, guard, id -> {
                boolean isP = id.startsWith("P");
                if (wanted.isEmpty() || wanted.contains(id)) {
                    return true;
                }
                return isP ? explicitP && !namesP : explicitF && !namesF;
            });
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Invalid multi-process rows: " + e.getMessage());
        }
    }

    /** The soak asked for: none unless {@code --soak} is given. */
    Optional<ProcPhase.SoakPlan> soakPlan() {
        return soak == null ? Optional.empty() : Optional.of(new ProcPhase.SoakPlan(soak, soakProcesses, soakWorkers));
    }

    /** A positive duration in lockkit's grammar. */
    static final class DurationConverter implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            Duration d = Options.parseDuration(value);
            if (d == null) {
                throw new TypeConversionException(
                        "'" + value + "' is not a duration (expected e.g. 500ms, 5s, 2m or PT1.5S)");
            }
            if (d.isZero() || d.isNegative()) {
                throw new TypeConversionException("'" + value + "' must be positive");
            }
            return d;
        }
    }

    /** {@code none}, or a {@link DurationConverter duration}. */
    static final class SoakConverter implements ITypeConverter<@Nullable Duration> {
        @Override
        public @Nullable Duration convert(String value) {
            return value.strip().equals("none") ? null : new DurationConverter().convert(value);
        }
    }
}
