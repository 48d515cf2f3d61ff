package io.lockkit.bench;

import io.lockkit.race.report.SvgChart;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;

/**
 * Turns one run's results ({@link Results}) into the README section {@code results.md} and the
 * chart {@code chart.svg} ({@link #chart}, drawn by the race report's {@link SvgChart}), beside the JSON. The section has the machine and its
 * load, one "met / missed" line per performance target ({@code Targets}) with by how much, and the
 * tables: medians, the ratios lockkit/floor and lockkit/peer, counted round trips against the
 * minimum, idle keys, handoff, the contended counter, and where PostgreSQL's, MariaDB's, ZooKeeper's and Redis's
 * time goes ({@link PgBreakdown}, {@link MariaDbBreakdown}, {@link ZkBreakdown}, {@link RedisBreakdown}), each
 * operation against its physical floor.
 *
 * <p>{@code java io.lockkit.bench.Report DIR [--readme=PATH]} regenerates {@code DIR/results.md} and
 * {@code DIR/chart.svg} from {@code DIR/*.json}, prints the section and, given {@code --readme},
 * replaces the text between {@value #BEGIN} and {@value #END} in that file with the section and the
 * chart. Numbers are reported, never asserted.
 */
public final class Report {
    static final String BEGIN = "<!-- bench:begin -->";
    static final String END = "<!-- bench:end -->";
    static final String CHART_LINK = "![benchmarks](bench/results/chart.svg)";

    /**
     * The fewest round trips each operation needs on each store (ZooKeeper: create + children read),
     * or on one variant where it needs more: the row lock's token cannot be drawn durably in the
     * transaction it holds open, so it is drawn on a second session once the row is locked.
     */
    static final Map<String, Map<String, Integer>> MIN_ROUND_TRIPS = Map.of(
            "postgresql/rowlock", Map.of("acquire", 2, "release", 1, "compareAndSet", 1),
            "mariadb/rowlock", Map.of("acquire", 2, "release", 1, "compareAndSet", 1),
            "postgresql", Map.of("acquire", 1, "release", 1, "compareAndSet", 1),
            "mariadb", Map.of("acquire", 1, "release", 1, "compareAndSet", 1),
            "redis", Map.of("acquire", 1, "release", 1, "compareAndSet", 1),
            "zookeeper", Map.of("acquire", 1, "release", 1, "compareAndSet", 2));

    static final List<String> OPERATIONS = List.of("acquire", "release", "compareAndSet");

    static final List<Integer> THREADS = List.of(1, 8, 100);

    /**
     * A derived physical floor: what {@code step} of a breakdown cannot go below, the sum of the
     * medians of the floor steps {@code parts} (a step twice counts twice), described by {@code how}.
     */
    record Floor(String step, String how, List<String> parts) {}

    /**
     * A ratio target met at best: {@code ours} (the step of {@code variant}'s acquire + release) at
     * its {@link Floor}, divided by the step {@code peerStep} of the target's peer {@code peer} as
     * measured, against the target's limit ({@link Targets#PEER_TARGETS}).
     */
    record Reach(String variant, String ours, String peer, String peerStep) {}

    /** Steps of the PostgreSQL breakdown shown under another name: the table release, named as the other variants are. */
    private static final Map<String, String> PG_NAMES =
            Map.of(PgBreakdown.RELEASE, "lockkit postgresql/table release alone");

    private Report() {}

    /** {@code Report DIR [--readme=PATH]}, read by picocli. */
    @Command(
            name = "Report",
            description = "Regenerates DIR/results.md and DIR/chart.svg from DIR/*.json and prints the section.")
    static final class Args {
        @Option(
                names = {"-h", "--help"},
                usageHelp = true,
                description = "Print this help and exit.")
        boolean help;

        @Parameters(index = "0", paramLabel = "DIR", description = "The results folder (or the path of its jmh.json).")
        @Nullable
        Path dir;

        @Option(
                names = "--readme",
                paramLabel = "PATH",
                description = "Also replace the section between the markers in that file.")
        @Nullable
        Path readme;
    }

    public static void main(String[] argv) throws IOException {
        Args args = new Args();
        CommandLine cli = new CommandLine(args);
        try {
            cli.parseArgs(argv);
        } catch (ParameterException e) {
            System.err.println("Report: " + e.getMessage());
            cli.usage(System.err);
            System.exit(2);
            return;
        }
        if (args.help || args.dir == null) {
            cli.usage(args.help ? System.out : System.err);
            System.exit(args.help ? 0 : 2);
            return;
        }
        // Also accepts the path of jmh.json, as the first version of this tool did.
        Path dir = args.dir.toString().endsWith(".json")
                ? args.dir.toAbsolutePath().getParent()
                : args.dir;
        String section = write(dir);
        System.out.print(section);
        if (args.readme != null) {
            replaceSection(args.readme, section);
            System.out.println("bench: replaced the section between the markers in " + args.readme);
        }
    }

    /** Writes {@code results.md} and {@code chart.svg} into {@code dir} from its JSON; returns the section. */
    static String write(Path dir) throws IOException {
        Results r = Results.read(dir);
        String section = markdown(r);
        Files.writeString(dir.resolve("results.md"), section);
        Files.writeString(dir.resolve("chart.svg"), chart(r));
        return section;
    }

    /**
     * Replaces what lies between {@link #BEGIN} and {@link #END} in {@code file} with {@code section}
     * and the chart's image link; the markers stay.
     *
     * @throws IllegalArgumentException when a marker is missing or they are out of order
     */
    static void replaceSection(Path file, String section) throws IOException {
        String text = Files.readString(file);
        int begin = text.indexOf(BEGIN);
        int end = text.indexOf(END);
        if (begin < 0 || end < 0 || end < begin || text.indexOf(BEGIN, begin + 1) >= 0) {
            throw new IllegalArgumentException(file + " must contain " + BEGIN + " once, followed by " + END
                    + " (found begin at " + begin + ", end at " + end + ")");
        }
        String replaced = text.substring(0, begin + BEGIN.length()) + "\n" + section.strip() + "\n\n" + CHART_LINK
                + "\n" + text.substring(end);
        Files.writeString(file, replaced);
    }

    /**
     * The results as one self-contained SVG: horizontal bars on log scales. The top panel, per store:
     * the floor times the round trips a lock needs, each lockkit variant's uncontended
     * acquire+release (and with the idle keys), and each peer's lock+unlock, in µs. The bottom panel:
     * the contended counter's throughput at 1, 8 and 100 threads, in ops/s.
     */
    static String chart(Results r) {
        String lockkit = "#2b6cb0";
        String idle = "#90cdf4";
        String floorColour = "#a0aec0";
        String peerColour = "#dd6b20";
        List<String> threadColours = List.of("#9ae6b4", "#38a169", "#22543d");
        List<SvgChart.Row> top = new ArrayList<>();
        for (String store : List.of("postgresql", "mariadb", "redis", "zookeeper", "mem")) {
            List<SvgChart.Group> bars = new ArrayList<>();
            Double floor = r.floor(store);
            int trips = minTrips(store, "acquire") + minTrips(store, "release");
            if (floor != null && trips > 0) {
                bars.add(bar("floor × " + trips + " RT", "floor × round trips", floorColour, floor * trips));
            }
            for (String v : variantsOn(store)) {
                bars.add(bar("lockkit " + v, "lockkit", lockkit, r.median(Results.ACQUIRE, v)));
                List<IdleRun.Row> idleRuns = r.idle(v);
                if (!idleRuns.isEmpty()) {
                    bars.add(bar(
                            "lockkit " + v + ", idle keys (vs "
                                    + micros(Results.median(idleRuns.stream()
                                            .map(IdleRun.Row::plainMicros)
                                            .toList()))
                                    + " beside)",
                            "lockkit, idle keys",
                            idle,
                            Results.median(idleRuns.stream()
                                    .map(IdleRun.Row::idleMicros)
                                    .toList())));
                }
            }
            for (String peer : r.peers()) {
                if (Clients.store(peer).equals(store)) {
                    bars.add(bar(peer, "peer", peerColour, r.median(Results.PEER, peer)));
                }
            }
            if (bars.stream().anyMatch(g -> g.bars().get(0).value().isPresent())) {
                top.add(new SvgChart.Heading(store));
                top.addAll(bars);
            }
        }
        List<SvgChart.Row> bottom = new ArrayList<>();
        List<String> seen = new ArrayList<>();
        for (CounterRun.Row row : r.counter()) {
            String name = row.subject() + " " + row.mode();
            if (seen.contains(name)) {
                continue;
            }
            seen.add(name);
            for (int i = 0; i < THREADS.size(); i++) {
                CounterRun.Row at = r.counter(row.subject(), row.mode(), THREADS.get(i));
                if (at != null) {
                    bottom.add(bar(
                            name + " × " + at.threads(),
                            at.threads() + (at.threads() == 1 ? " thread" : " threads"),
                            threadColours.get(i),
                            at.opsPerSecond() > 0 ? at.opsPerSecond() : null));
                }
            }
        }
        List<SvgChart.Panel> panels = new ArrayList<>();
        if (!top.isEmpty()) {
            panels.add(new SvgChart.Panel(
                    "Uncontended acquire+release vs floor·RT vs peers (µs per operation; lower is better)",
                    "µs per operation",
                    SvgChart.Scale.LOG,
                    SvgChart::decade,
                    v -> v >= 1000 ? String.format(Locale.ROOT, "%,.0f", v) : micros(v),
                    top));
        }
        if (!bottom.isEmpty()) {
            panels.add(new SvgChart.Panel(
                    "Contended counter, one key (ops/s; higher is better): × threads",
                    "ops/s",
                    SvgChart.Scale.LOG,
                    SvgChart::decade,
                    v -> String.format(Locale.ROOT, "%,.0f", v),
                    bottom));
        }
        List<SvgChart.Key> legend = List.of(
                new SvgChart.Key("floor × round trips", floorColour),
                new SvgChart.Key("lockkit", lockkit),
                new SvgChart.Key("lockkit, idle keys", idle),
                new SvgChart.Key("peer", peerColour),
                new SvgChart.Key("1 thread", threadColours.get(0)),
                new SvgChart.Key("8 threads", threadColours.get(1)),
                new SvgChart.Key("100 threads", threadColours.get(2)));
        return SvgChart.bars("lockkit benchmarks", legend, panels);
    }

    /** One bar in a group of its own; a null value prints n/a. */
    private static SvgChart.Group bar(String label, String series, String colour, @Nullable Double value) {
        return SvgChart.Group.of(
                label,
                List.of(value == null ? SvgChart.Bar.missing(series, colour) : SvgChart.Bar.of(series, colour, value)));
    }

    static String markdown(Results r) {
        StringBuilder md = new StringBuilder();
        machine(md, r);
        Targets.write(md, r);
        uncontended(md, r);
        interleaved(md, r);
        roundTrips(md, r);
        idle(md, r);
        handoff(md, r);
        peers(md, r);
        counter(md, r);
        breakdown(md, r);
        mariadbBreakdown(md, r);
        zkBreakdown(md, r);
        redisBreakdown(md, r);
        md.append(
                "\nFloors: PostgreSQL and MariaDB `SELECT 1` (prepared, one connection), Redis `EVALSHA` of `return 1`"
                        + " through Redisson, ZooKeeper `exists /` through Curator. Medians of JMH sample time, in µs.\n");
        return md.toString();
    }

    private static void machine(StringBuilder md, Results r) {
        Map<String, String> run = r.run();
        md.append("The full suite: `./mvnw -B -q -Pbench -DskipTests verify` (about 20 minutes; JSON,"
                + " this section and the chart in `bench/results/`; see `bench/README.md`). ");
        md.append("This run: ").append(run.getOrDefault("date", "(date unknown)"));
        if (run.containsKey("commit")) {
            md.append(", lockkit at commit ").append(run.get("commit"));
        }
        md.append(", ").append(run.getOrDefault("mode", "full")).append(" run. Machine: ");
        md.append(run.getOrDefault("cpu", "(cpu unknown)"))
                .append(", ")
                .append(run.getOrDefault(
                        "cores", Integer.toString(Runtime.getRuntime().availableProcessors())))
                .append(" cores, ")
                .append(run.getOrDefault("memory", "?"))
                .append(" memory, ")
                .append(run.getOrDefault("os", System.getProperty("os.name")))
                .append(", ")
                .append(r.jvm().isBlank() ? run.getOrDefault("jvm", "") : r.jvm())
                .append(". Embedded servers on the same machine.");
        if (run.containsKey("loadStart")) {
            md.append(" Load average (1 min) at the start and the end: ")
                    .append(run.get("loadStart"))
                    .append(", ")
                    .append(run.get("loadEnd"))
                    .append(" (other builds share the machine: compare ratios within one run).");
        }
        md.append('\n');
    }

    private static void uncontended(StringBuilder md, Results r) {
        if (Clients.VARIANTS.stream()
                .noneMatch(v -> r.median(Results.ACQUIRE, v) != null || r.median(Results.CAS, v) != null)) {
            return;
        }
        md.append("\n### Uncontended, one thread (µs)\n\nJMH, each benchmark in its own fork: the absolute figures."
                + " RT = the fewest round trips the store needs (acquire + release; compare-and-set).\n\n");
        md.append("| backend | acquire+release | ÷ floor | ÷ floor·RT | compareAndSet | ÷ floor | ÷ floor·RT |"
                + " floor |\n");
        md.append("|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for (String variant : Clients.VARIANTS) {
            Double acquire = r.median(Results.ACQUIRE, variant);
            Double cas = r.median(Results.CAS, variant);
            if (acquire == null && cas == null) {
                continue;
            }
            Double floor = r.floor(variant);
            md.append("| ").append(variant);
            cells(md, acquire, floor, minTrips(variant, "acquire") + minTrips(variant, "release"));
            cells(md, cas, floor, minTrips(variant, "compareAndSet"));
            md.append(" | ").append(micros(floor)).append(" |\n");
        }
    }

    /** {@link UncontendedRun}: floor, write floor, lockkit and peers taking turns in one thread, in several runs. */
    private static void interleaved(StringBuilder md, Results r) {
        if (r.interleaved().isEmpty()) {
            return;
        }
        md.append("\n### Uncontended, interleaved in one thread (µs)\n\n`UncontendedRun`, ")
                .append(r.runs().size())
                .append(" runs in one invocation, each run with clients of its own: per store, one lockkit variant at"
                        + " a time with its store's floor, write floor and peers, then per variant a handoff group"
                        + " (cold floor, notify hop, the variant's handoff, the handoffs of the peers that can"
                        + " wait), ")
                .append(UncontendedRun.BATCH)
                .append(" operations of each subject in turn, round after round, so the machine's load falls on all"
                        + " alike; the ratio targets above are judged on these, run by run. Median: the median of"
                        + " the runs' medians (each run's after it); p90: the median of the runs' p90s; ratios"
                        + " divide medians of the same group. Write floor: the cheapest acknowledged write of the same"
                        + " client (PostgreSQL and MariaDB a one-row autocommit `UPDATE`, on MariaDB flushed to its redo"
                        + " log, Redis `EVALSHA` of one `SET`, ZooKeeper"
                        + " `setData`); cold floor: the floor after 20 ms idle; notify hop: the store's own"
                        + " notification (PostgreSQL `NOTIFY`, Redis `PUBLISH`, a ZooKeeper `delete` under a"
                        + " `getData` watch) from one client to a listener on another, after 20 ms idle; handoff: from"
                        + " the holder's release call to the waiter's acquire returning, on the waiter's thread, after"
                        + " 20 ms idle.\n\n");
        md.append("| measured with | subject | operation | median | each run | p90 | ÷ floor | ÷ write floor | samples"
                + " |\n");
        md.append("|---|---|---|---:|---|---:|---:|---:|---:|\n");
        List<String> seen = new ArrayList<>();
        for (UncontendedRun.Row row : r.interleaved()) {
            String id = row.group() + "\n" + row.subject() + "\n" + row.kind();
            if (seen.contains(id)) {
                continue;
            }
            seen.add(id);
            List<UncontendedRun.Row> runs = r.interleaved().stream()
                    .filter(x -> x.group().equals(row.group())
                            && x.subject().equals(row.subject())
                            && x.kind().equals(row.kind()))
                    .toList();
            double median = Results.median(
                    runs.stream().map(UncontendedRun.Row::medianMicros).toList());
            Double floor = r.interleaved(row.group(), row.store(), "floor");
            Double write = r.interleaved(row.group(), row.store(), "write");
            md.append("| ").append(row.group());
            md.append(" | ").append(STORE_KINDS.contains(row.kind()) ? "" : row.subject());
            md.append(" | ").append(operation(row.kind()));
            md.append(" | ").append(micros(median));
            md.append(" | ")
                    .append(eachRun(
                            runs.stream().map(UncontendedRun.Row::medianMicros).toList()));
            md.append(" | ")
                    .append(micros(Results.median(
                            runs.stream().map(UncontendedRun.Row::p90Micros).toList())));
            md.append(" | ").append(floor == null ? "–" : ratio(median / floor));
            md.append(" | ").append(write == null ? "–" : ratio(median / write));
            md.append(" | ")
                    .append(runs.stream().mapToInt(UncontendedRun.Row::samples).sum())
                    .append(" |\n");
        }
    }

    /** Each run's value, in run order, comma-separated. */
    private static String eachRun(List<Double> values) {
        return String.join(", ", values.stream().map(Report::micros).toList());
    }

    /** The interleaved kinds measured on the store itself, not on a subject. */
    private static final List<String> STORE_KINDS = List.of("floor", "cold", "write", "coldwrite", "notify");

    private static String operation(String kind) {
        return switch (kind) {
            case "floor" -> "floor (one round trip)";
            case "cold" -> "cold floor (after 20 ms idle)";
            case "write" -> "write floor (one write)";
            case "coldwrite" -> "cold write (one write after 20 ms idle)";
            case "notify" -> "notify hop (after 20 ms idle)";
            case "acquire" -> "tryAcquire + release";
            case "cas" -> "compareAndSet";
            case "peer" -> "lock + unlock";
            case "handoff" -> "handoff (after 20 ms idle)";
            default -> kind;
        };
    }

    private static void roundTrips(StringBuilder md, Results r) {
        if (r.roundTrips().isEmpty()) {
            return;
        }
        md.append("\n### Round trips per operation, counted on the wire\n\nMedian of 25 on a warm client"
                + " (min–max); PostgreSQL: write→read turns of the calling thread in a pgjdbc socket factory;"
                + " MariaDB, Redis, ZooKeeper: client turns through a counting TCP proxy.\n\n");
        md.append("| backend | acquire | release | compareAndSet | minimum (acquire / release / CAS) |\n");
        md.append("|---|---:|---:|---:|---|\n");
        for (String variant : RoundTrips.byBackend(r.roundTrips()).keySet()) {
            md.append("| ").append(variant);
            for (String op : OPERATIONS) {
                md.append(" | ");
                for (RoundTrips.Count c : r.roundTrips()) {
                    if (c.backend().equals(variant) && c.operation().equals(op)) {
                        md.append(c.counted());
                        if (c.min() != c.max()) {
                            md.append(" (")
                                    .append(c.min())
                                    .append("–")
                                    .append(c.max())
                                    .append(")");
                        }
                    }
                }
            }
            md.append(" | ")
                    .append(minTrips(variant, "acquire"))
                    .append(" / ")
                    .append(minTrips(variant, "release"))
                    .append(" / ")
                    .append(minTrips(variant, "compareAndSet"))
                    .append(" |\n");
        }
    }

    private static void idle(StringBuilder md, Results r) {
        if (r.idle().isEmpty()) {
            return;
        }
        md.append("\n### Idle keys: acquire+release with ")
                .append(String.format(Locale.ROOT, "%,d", r.idle().get(0).idleKeys()))
                .append(" other keys in the store (µs)\n\nInterleaved in one thread (`IdleRun`): a client in the"
                        + " usual namespace and one in a namespace holding the idle keys, 50 operations of each in"
                        + " turn, in several runs on the same keys; medians of the runs, and each run's ratio.\n\n");
        md.append(
                "| backend | plain | with idle keys | ÷ plain (target ≤ 1.10) | each run |\n|---|---:|---:|---:|---|\n");
        for (String backend : r.idleBackends()) {
            List<IdleRun.Row> runs = r.idle(backend);
            List<Double> ratios = runs.stream()
                    .map(row -> row.idleMicros() / row.plainMicros())
                    .toList();
            md.append("| ").append(backend);
            md.append(" | ")
                    .append(micros(Results.median(
                            runs.stream().map(IdleRun.Row::plainMicros).toList())));
            md.append(" | ")
                    .append(micros(Results.median(
                            runs.stream().map(IdleRun.Row::idleMicros).toList())));
            md.append(" | ").append(ratio(Results.median(ratios)));
            md.append(" | ")
                    .append(String.join(", ", ratios.stream().map(Report::ratio).toList()))
                    .append(" |\n");
        }
    }

    /**
     * Handoff: the interleaved runs' handoff groups (the variant, the notify hop, the cold floor, the
     * target, the peers that can wait) beside JMH's {@link HandoffBench}.
     */
    private static void handoff(StringBuilder md, Results r) {
        if (Clients.VARIANTS.stream().noneMatch(v -> r.median(Results.HANDOFF, v) != null)
                && r.interleaved().stream().noneMatch(row -> row.kind().equals("handoff"))) {
            return;
        }
        md.append("\n### Handoff: the holder's release → the waiter's acquire returns (µs)\n\n");
        md.append("A handoff crosses idle parties: the holder's and the waiter's server sessions, the notification"
                + " listener, the waiter's thread. Interleaved (`UncontendedRun`'s handoff groups, medians of the"
                + " runs, each run's after it): every subject idles 20 ms before its timed part; the notify hop is"
                + " the store's own notification from one client to a listener on another, which every handoff that"
                + " is not polling pays, and the waiter's acquire comes on top of it, cold: its round trips at the cold"
                + " floor's price, and a durable write at the cold write's (PostgreSQL: the token's flush; ZooKeeper:"
                + " the grant's logged write). Peers: those that can wait (ShedLock"
                + " cannot: its users poll). JMH: `HandoffBench`, timed to the benchmark thread seeing the waiter's"
                + " lease (`mem/timed` is that harness's cost).\n\n");
        md.append("| subject | handoff | each run | notify hop | cold floor | cold write | target: 1.1 × (notify hop +"
                + " the waiter's acquire, cold) | JMH handoff |\n|---|---:|---|---:|---:|---:|---:|---:|\n");
        for (String variant : Clients.VARIANTS) {
            String store = Clients.store(variant);
            String group = UncontendedRun.handoffGroup(variant);
            Double handoff = r.interleaved(group, variant, "handoff");
            Double jmh = r.median(Results.HANDOFF, variant);
            if (handoff == null && jmh == null) {
                continue;
            }
            Double hop = r.interleaved(group, store, "notify");
            Double cold = r.interleaved(group, store, "cold");
            Double coldWrite = r.interleaved(group, store, "coldwrite");
            Double floor = handoffFloor(variant, hop, cold, coldWrite);
            md.append("| ").append(variant).append(" | ").append(micros(handoff));
            md.append(" | ").append(eachRun(r.interleavedRuns(group, variant, "handoff")));
            md.append(" | ").append(micros(hop)).append(" | ").append(micros(cold));
            md.append(" | ").append(micros(coldWrite));
            md.append(" | ").append(micros(floor == null ? null : 1.1 * floor));
            md.append(" | ").append(micros(jmh)).append(" |\n");
            for (String peer : HandoffStep.PEERS) {
                Double theirs = r.interleaved(group, peer, "handoff");
                if (theirs != null) {
                    md.append("| ")
                            .append(peer)
                            .append(" (beside ")
                            .append(variant)
                            .append(") | ");
                    md.append(micros(theirs)).append(" | ").append(eachRun(r.interleavedRuns(group, peer, "handoff")));
                    md.append(" | – | – | – | – | – |\n");
                }
            }
        }
    }

    /** Each peer beside the lockkit variant doing the same job on the same store. */
    private static void peers(StringBuilder md, Results r) {
        if (r.peers().isEmpty()) {
            return;
        }
        md.append(
                "\n### Peers: lock + unlock of a free lock, one thread (µs)\n\nJMH, each in its own fork, minutes apart:"
                        + " the machine's load moves these ratios; the targets against the peers are judged on the"
                        + " interleaved runs above.\n\n");
        md.append("| peer | lock+unlock | ÷ floor | lockkit | lockkit ÷ peer |\n|---|---:|---:|---|---:|\n");
        for (String peer : r.peers()) {
            Double median = r.median(Results.PEER, peer);
            Double floor = r.floor(peer);
            for (String variant : Clients.VARIANTS) {
                if (!Clients.store(variant).equals(Clients.store(peer))) {
                    continue;
                }
                Double ours = r.median(Results.ACQUIRE, variant);
                md.append("| ").append(peer).append(" | ").append(micros(median));
                md.append(" | ").append(floor == null || median == null ? "–" : ratio(median / floor));
                md.append(" | ").append(variant).append(" ").append(micros(ours));
                md.append(" | ")
                        .append(ours == null || median == null ? "–" : ratio(ours / median))
                        .append(" |\n");
            }
        }
    }

    private static void counter(StringBuilder md, Results r) {
        if (r.counter().isEmpty()) {
            return;
        }
        md.append("\n### Contended counter: threads incrementing one key\n\n`updater`: the retrying updater (")
                .append(CounterRun.MAX_ATTEMPTS)
                .append(" attempts within ")
                .append(CounterRun.MAX_SECONDS)
                .append(" s, backoff 1–100 ms with full jitter); `lock`: acquire (wait ≤ 30 s), read, compare-and-set"
                        + " fenced by the lease's token, release; `floor`: `UPDATE … SET v = v + 1`, autocommit, on a"
                        + " pool of 10 connections (lockkit's default). Attempts = creates and compare-and-sets sent"
                        + " per acknowledged increment (1 on the lock path by construction: a conflict under the"
                        + " lock fails the run). Checked: final − initial = acknowledged increments.\n\n");
        md.append("| subject | mode | threads | ops/s | attempts per success | acknowledged | gave up | final ="
                + " acknowledged |\n|---|---|---:|---:|---:|---:|---:|---|\n");
        for (CounterRun.Row row : r.counter()) {
            md.append("| ")
                    .append(row.subject())
                    .append(" | ")
                    .append(row.mode())
                    .append(" | ");
            md.append(row.threads()).append(" | ").append(String.format(Locale.ROOT, "%.0f", row.opsPerSecond()));
            md.append(" | ").append(Double.isNaN(row.attemptsPerSuccess()) ? "–" : ratio(row.attemptsPerSuccess()));
            md.append(" | ")
                    .append(row.acknowledged())
                    .append(" | ")
                    .append(row.giveUps())
                    .append(" | ");
            md.append(row.correct() ? "yes" : "**NO**: " + row.note()).append(" |\n");
        }
    }

    /** {@link PgBreakdown}: the same steps interleaved in one thread, so they share the machine's load. */
    private static void breakdown(StringBuilder md, Results r) {
        if (r.breakdown().isEmpty()) {
            return;
        }
        md.append("\n### Where PostgreSQL's time goes (µs)\n\n`PgBreakdown`: each step interleaved in one thread,"
                + " round after round, 50 of each in turn, so the machine's load falls on all alike; \"alone\": the"
                + " other half of the pair runs untimed. lockkit's raw statements are the backend's own, read from"
                + " its `Sql` (compare-and-set's: a copy). All three variants open at once, so every `NOTIFY` also"
                + " wakes the session variants' listeners.");
        if (!r.breakdownServer().isBlank()) {
            md.append(" Server: ").append(r.breakdownServer()).append('.');
        }
        md.append("\n\n");
        steps(md, r.breakdown(), PgBreakdown.READ, "`SELECT 1`", PG_NAMES);
        floors(md, r.breakdown(), PgBreakdown.FLOORS, PgBreakdown.REACH, PG_NAMES);
    }

    /**
     * {@link MariaDbBreakdown}: the same steps interleaved in one thread, then the fsyncs and redo log
     * writes the server counted per operation beside the flushed writes each operation's floor has.
     */
    private static void mariadbBreakdown(StringBuilder md, Results r) {
        if (r.mariadbBreakdown().isEmpty()) {
            return;
        }
        md.append("\n### Where MariaDB's time goes (µs)\n\n`MariaDbBreakdown`: each step interleaved in one thread,"
                        + " round after round, ")
                .append(MariaDbBreakdown.BATCH)
                .append(" of each in turn, so the machine's load falls on all alike; \"alone\": the other half of the"
                        + " pair runs untimed. lockkit's raw statements are the backend's own, read from its"
                        + " `MariaDbSql`. With `innodb_flush_log_at_trx_commit = 1` (global: no transaction can"
                        + " skip it) every autocommit write flushes InnoDB's redo log before it answers.");
        if (!r.mariadbServer().isBlank()) {
            md.append(" Server: ").append(r.mariadbServer()).append('.');
        }
        md.append("\n\n");
        steps(md, r.mariadbBreakdown(), MariaDbBreakdown.READ, "`SELECT 1`", Map.of());
        if (!r.mariadbFsyncs().isEmpty()) {
            md.append("\nFlushes per operation, counted on the server (`Innodb_data_fsyncs`, which counts the redo"
                            + " log's fsyncs too, and `Innodb_log_writes`, read before and after each operation on a"
                            + " connection of their own; the least of ")
                    .append(MariaDbBreakdown.COUNT_PASSES)
                    .append(
                            " passes), against the flushed writes of the operation's physical floor:\n\n"
                                    + "| step | fsyncs | redo log writes | flushed writes in its floor |\n|---|---:|---:|---:|\n");
            r.mariadbFsyncs().forEach((step, fsyncs) -> {
                Double writes = r.mariadbLogWrites().get(step);
                Integer flushed = MariaDbBreakdown.flushedWrites(step);
                md.append("| ")
                        .append(step)
                        .append(" | ")
                        .append(String.format(Locale.ROOT, "%.2f", fsyncs))
                        .append(" | ")
                        .append(writes == null ? "–" : String.format(Locale.ROOT, "%.2f", writes))
                        .append(" | ")
                        .append(flushed == null ? "–" : flushed.toString())
                        .append(" |\n");
            });
        }
        floors(md, r.mariadbBreakdown(), MariaDbBreakdown.FLOORS, MariaDbBreakdown.REACH, Map.of());
    }

    /** {@link ZkBreakdown}: round trips and writes of lockkit and the peers, interleaved in one thread. */
    private static void zkBreakdown(StringBuilder md, Results r) {
        if (r.zkBreakdown().isEmpty()) {
            return;
        }
        md.append("\n### Where ZooKeeper's time goes (µs)\n\n`ZkBreakdown`: each step interleaved in one thread,"
                        + " round after round, ")
                .append(ZkBreakdown.BATCH)
                .append(" of each in turn, each client a Curator client of its own; \"alone\": the other half of the"
                        + " pair runs untimed. A write pays the server's transaction log; lockkit's acquire sends the"
                        + " read of the key's queue behind its create, in the same round trip.\n\n");
        steps(md, r.zkBreakdown(), ZkBreakdown.READ, "`exists /`", Map.of());
        floors(md, r.zkBreakdown(), ZkBreakdown.FLOORS, ZkBreakdown.REACH, Map.of());
    }

    /** {@link RedisBreakdown}: the server's, the client library's and lockkit's share, interleaved in one thread. */
    private static void redisBreakdown(StringBuilder md, Results r) {
        if (r.redisBreakdown().isEmpty()) {
            return;
        }
        md.append("\n### Where Redis's time goes (µs)\n\n`RedisBreakdown`: each step interleaved in one thread,"
                        + " round after round, ")
                .append(RedisBreakdown.BATCH)
                .append(" of each in turn; \"raw\": RESP written to a socket of its own, no client library (the"
                        + " server's cost: Redis keeps nothing on disk here, so a lock is round trips and the"
                        + " server's work per command); \"alone\": the other half of the pair runs untimed. lockkit's"
                        + " scripts are the backend's own, read from its jar.\n\n");
        steps(md, r.redisBreakdown(), RedisBreakdown.PING, "raw `PING`", Map.of());
        floors(md, r.redisBreakdown(), RedisBreakdown.FLOORS, RedisBreakdown.REACH, Map.of());
    }

    /** A breakdown's steps, each with its median and its ratio to the read floor {@code read}. */
    private static void steps(
            StringBuilder md, Map<String, Double> steps, String read, String readName, Map<String, String> names) {
        md.append("| step | median | ÷ ").append(readName).append(" |\n|---|---:|---:|\n");
        Double floor = steps.get(read);
        steps.forEach((step, median) -> md.append("| ")
                .append(names.getOrDefault(step, step))
                .append(" | ")
                .append(micros(median))
                .append(" | ")
                .append(floor == null ? "–" : ratio(median / floor))
                .append(" |\n"));
    }

    /**
     * Each operation against its derived physical floor, then each acquire + release target at
     * that floor: whether the peer as measured leaves room for it.
     */
    private static void floors(
            StringBuilder md,
            Map<String, Double> steps,
            List<Floor> floors,
            List<Reach> reach,
            Map<String, String> names) {
        StringBuilder rows = new StringBuilder();
        for (Floor f : floors) {
            Double measured = steps.get(f.step());
            Double floor = floor(steps, f);
            if (measured != null && floor != null) {
                rows.append("| ").append(names.getOrDefault(f.step(), f.step()));
                rows.append(" | ").append(micros(measured));
                rows.append(" | ").append(f.how());
                rows.append(" | ").append(micros(floor));
                rows.append(" | ").append(ratio(measured / floor));
                rows.append(" | ").append(micros(measured - floor)).append(" |\n");
            }
        }
        if (rows.length() > 0) {
            md.append(
                    "\nEach operation against its physical floor, the fewest round trips and writes it needs, summed from"
                            + " the floor steps above:\n\n| operation | median | physical floor | floor | ÷ floor | above the"
                            + " floor |\n|---|---:|---|---:|---:|---:|\n");
            md.append(rows);
        }
        List<String> lines = new ArrayList<>();
        for (Reach t : reach) {
            Double floor = floor(steps, floorOf(floors, t.ours()));
            Double peer = steps.get(t.peerStep());
            Double limit = Targets.limit(t.variant(), t.peer());
            if (floor != null && peer != null && limit != null) {
                double best = floor / peer;
                lines.add(String.format(
                        Locale.ROOT,
                        "- %s at its floor, %s µs, ÷ %s as measured, %s µs: %s × (target ≤ %s): %s",
                        t.variant(),
                        micros(floor),
                        t.peerStep(),
                        micros(peer),
                        ratio(best),
                        limit,
                        best <= limit ? "within reach" : "out of reach: at its floor lockkit would still miss it"));
            }
        }
        if (!lines.isEmpty()) {
            md.append("\nThe acquire + release targets at lockkit's floor (the best any implementation on these round"
                    + " trips and writes can do against the peer as measured):\n\n");
            lines.forEach(l -> md.append(l).append('\n'));
        }
    }

    /** The floor {@code f} from the medians in {@code steps}, or null when a part is missing. */
    private static @Nullable Double floor(Map<String, Double> steps, @Nullable Floor f) {
        if (f == null) {
            return null;
        }
        double sum = 0;
        for (String part : f.parts()) {
            Double median = steps.get(part);
            if (median == null) {
                return null;
            }
            sum += median;
        }
        return sum;
    }

    private static @Nullable Floor floorOf(List<Floor> floors, String step) {
        return floors.stream().filter(f -> f.step().equals(step)).findFirst().orElse(null);
    }

    /**
     * The waiter's acquire after a wake-up, as cold round trips: {@code [reads, durable writes]}. A
     * PostgreSQL acquire waits for one flushed write (the token must be durable before it is handed
     * out), the row lock's after the row lock's own round trip; ZooKeeper's pipelines the queue read
     * with the write that gives the token, which the server logs before it answers; Redis keeps
     * nothing on disk, so its script is one round trip at the cold floor's price.
     */
    static int[] wakeTrips(String variant) {
        return switch (variant) {
            case "postgresql/rowlock" -> new int[] {1, 1};
            case "postgresql/table", "postgresql/advisory", "zookeeper" -> new int[] {0, 1};
            default -> new int[] {minTrips(variant, "acquire"), 0};
        };
    }

    /** What the waiter's acquire costs cold, in words: "1 × cold floor", "1 × cold write", or both. */
    static String wakeTripsText(String variant) {
        int[] trips = wakeTrips(variant);
        List<String> parts = new ArrayList<>();
        if (trips[0] > 0) {
            parts.add(trips[0] + " × cold floor");
        }
        if (trips[1] > 0) {
            parts.add(trips[1] + " × cold write");
        }
        return String.join(" + ", parts);
    }

    /** The handoff's floor: the notify hop and the waiter's acquire, cold; null when a part is missing. */
    static @Nullable Double handoffFloor(
            String variant, @Nullable Double hop, @Nullable Double cold, @Nullable Double coldWrite) {
        int[] trips = wakeTrips(variant);
        if (hop == null || (trips[0] > 0 && cold == null) || (trips[1] > 0 && coldWrite == null)) {
            return null;
        }
        return hop + trips[0] * (cold == null ? 0 : cold) + trips[1] * (coldWrite == null ? 0 : coldWrite);
    }

    static int minTrips(String variant, String operation) {
        Map<String, Integer> trips = MIN_ROUND_TRIPS.get(variant);
        if (trips == null) {
            trips = MIN_ROUND_TRIPS.getOrDefault(Clients.store(variant), Map.of());
        }
        return trips.getOrDefault(operation, 0);
    }

    private static void cells(StringBuilder md, @Nullable Double median, @Nullable Double floor, int trips) {
        md.append(" | ").append(micros(median));
        if (median == null || floor == null || floor <= 0 || trips == 0) {
            md.append(" | – | –");
        } else {
            md.append(" | ").append(ratio(median / floor)).append(" | ").append(ratio(median / (floor * trips)));
        }
    }

    static String micros(@Nullable Double value) {
        if (value == null) {
            return "–";
        }
        return String.format(Locale.ROOT, value < 10 ? "%.2f" : "%.1f", value);
    }

    static String ratio(double value) {
        return String.format(Locale.ROOT, "%.2f", value);
    }

    /** The names of the lockkit variants on a store, in table order. */
    static List<String> variantsOn(String store) {
        List<String> out = new ArrayList<>();
        for (String v : Clients.VARIANTS) {
            if (Clients.store(v).equals(store)) {
                out.add(v);
            }
        }
        return out;
    }
}
