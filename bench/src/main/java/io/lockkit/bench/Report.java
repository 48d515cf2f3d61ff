package io.lockkit.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Turns JMH's JSON into the README's markdown tables: the median of each benchmark, the store's
 * floor, the ratios lockkit/floor (also per round trip the store needs: the target is at
 * most 1.2), the handoff against its target, and each peer beside lockkit. Round trips are the ones
 * the backends document, not counted here.
 *
 * <p>{@code java io.lockkit.bench.Report results/jmh.json [results/results.md]} prints the table
 * and, given a second path, writes it there.
 */
public final class Report {
    /** Documented round trips of acquire + release, and of compare-and-set, per store. */
    private static final Map<String, int[]> ROUND_TRIPS =
            Map.of("postgresql", new int[] {2, 1}, "redis", new int[] {2, 1}, "zookeeper", new int[] {3, 2});

    private static final String ACQUIRE = "LockKitBench.acquireRelease";
    private static final String CAS = "LockKitBench.compareAndSet";
    private static final String HANDOFF = "HandoffBench.handoff";
    private static final String PEER = "PeerBench.lockUnlock";
    private static final String FLOOR = "FloorBench.roundTrip";
    /** The lockkit variant each store's peers are compared with: the one doing the same kind of lock. */
    private static final Map<String, String> PEER_OF =
            Map.of("postgresql", "postgresql/table", "redis", "redis", "zookeeper", "zookeeper");

    private Report() {}

    public static void main(String[] args) throws IOException {
        if (args.length < 1 || args.length > 2) {
            System.err.println("usage: Report <jmh.json> [<out.md>]");
            System.exit(2);
        }
        String table = markdown(Path.of(args[0]));
        if (args.length == 2) {
            Files.writeString(Path.of(args[1]), table);
        }
        System.out.print(table);
    }

    /** One median, in µs, per benchmark method and parameter value. */
    record Result(String method, String subject, double medianMicros) {}

    static String markdown(Path json) throws IOException {
        JsonNode runs = new ObjectMapper().readTree(json.toFile());
        Map<String, Double> medians = new LinkedHashMap<>();
        List<String> peers = new ArrayList<>();
        String jvm = "";
        for (JsonNode run : runs) {
            Result r = result(run);
            medians.put(r.method() + " " + r.subject(), r.medianMicros());
            if (r.method().equals(PEER)) {
                peers.add(r.subject());
            }
            jvm = run.path("vmName").asText() + " " + run.path("jdkVersion").asText();
        }
        StringBuilder md = new StringBuilder();
        md.append("Medians in µs per operation, one thread, uncontended (JMH sample time; ")
                .append(Runtime.getRuntime().availableProcessors())
                .append(" cores, ")
                .append(System.getProperty("os.name"))
                .append(", ")
                .append(jvm)
                .append("). RT = the round trips the store needs (documented, not counted here);")
                .append(" the target for ÷ floor·RT is ≤ 1.2.\n\n");
        lockkit(md, medians);
        handoff(md, medians);
        peers(md, medians, peers);
        md.append("\nFloors: PostgreSQL `SELECT 1` (prepared, one connection), Redis `EVALSHA` of `return 1`"
                + " through Redisson, ZooKeeper `exists /` through Curator.\n");
        return md.toString();
    }

    private static void lockkit(StringBuilder md, Map<String, Double> medians) {
        if (Clients.VARIANTS.stream()
                .noneMatch(v -> medians.containsKey(ACQUIRE + " " + v) || medians.containsKey(CAS + " " + v))) {
            return;
        }
        md.append("| backend | acquire+release | ÷ floor | ÷ floor·RT | compareAndSet | ÷ floor | ÷ floor·RT |"
                + " floor |\n");
        md.append("|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for (String variant : Clients.VARIANTS) {
            Double acquire = medians.get(ACQUIRE + " " + variant);
            Double cas = medians.get(CAS + " " + variant);
            if (acquire == null && cas == null) {
                continue;
            }
            Double floor = floor(medians, variant);
            int[] trips = ROUND_TRIPS.getOrDefault(Clients.store(variant), new int[] {0, 0});
            md.append("| ").append(variant);
            cells(md, acquire, floor, trips[0]);
            cells(md, cas, floor, trips[1]);
            md.append(" | ").append(micros(floor)).append(" |\n");
        }
    }

    /** The handoff target: two round trips of the floor plus 1 ms. */
    private static void handoff(StringBuilder md, Map<String, Double> medians) {
        if (Clients.VARIANTS.stream().noneMatch(v -> medians.containsKey(HANDOFF + " " + v))) {
            return;
        }
        md.append("\n| backend | handoff (release → waiter's acquire returns) | target: 2 × floor + 1 ms |\n");
        md.append("|---|---:|---:|\n");
        for (String variant : Clients.VARIANTS) {
            Double handoff = medians.get(HANDOFF + " " + variant);
            if (handoff != null) {
                Double floor = floor(medians, variant);
                Double target = floor == null ? null : 2 * floor + 1_000;
                md.append("| ").append(variant).append(" | ").append(micros(handoff));
                md.append(" | ").append(micros(target)).append(" |\n");
            }
        }
    }

    /** Each peer beside the lockkit variant doing the same job on the same store. */
    private static void peers(StringBuilder md, Map<String, Double> medians, List<String> peers) {
        if (peers.isEmpty()) {
            return;
        }
        md.append("\n| peer | lock+unlock | ÷ floor | lockkit | lockkit ÷ peer |\n");
        md.append("|---|---:|---:|---|---:|\n");
        for (String peer : peers) {
            double median = medians.get(PEER + " " + peer);
            Double floor = floor(medians, peer);
            String variant = PEER_OF.getOrDefault(Clients.store(peer), "");
            Double ours = medians.get(ACQUIRE + " " + variant);
            md.append("| ").append(peer).append(" | ").append(micros(median));
            md.append(" | ").append(floor == null ? "–" : ratio(median / floor));
            md.append(" | ").append(variant).append(" ").append(micros(ours));
            md.append(" | ").append(ours == null ? "–" : ratio(ours / median)).append(" |\n");
        }
    }

    private static @Nullable Double floor(Map<String, Double> medians, String subject) {
        return medians.get(FLOOR + " " + Clients.store(subject));
    }

    private static Result result(JsonNode run) {
        String[] name = run.path("benchmark").asText().split("\\.");
        String method = name[name.length - 2] + "." + name[name.length - 1];
        JsonNode params = run.path("params");
        String subject = params.isObject() && params.size() > 0
                ? params.elements().next().asText()
                : "";
        JsonNode metric = run.path("primaryMetric");
        JsonNode median = metric.path("scorePercentiles").path("50.0");
        double value =
                median.isNumber() ? median.asDouble() : metric.path("score").asDouble();
        return new Result(
                method, subject, toMicros(value, metric.path("scoreUnit").asText()));
    }

    private static double toMicros(double value, String unit) {
        return switch (unit) {
            case "ns/op" -> value / 1_000;
            case "us/op" -> value;
            case "ms/op" -> value * 1_000;
            case "s/op" -> value * 1_000_000;
            default -> throw new IllegalArgumentException("unexpected JMH unit " + unit + ": use a time per op mode");
        };
    }

    private static void cells(StringBuilder md, @Nullable Double median, @Nullable Double floor, int trips) {
        md.append(" | ").append(micros(median));
        if (median == null || floor == null || floor <= 0 || trips == 0) {
            md.append(" | – | –");
        } else {
            md.append(" | ").append(ratio(median / floor)).append(" | ").append(ratio(median / (floor * trips)));
        }
    }

    private static String micros(@Nullable Double value) {
        if (value == null) {
            return "–";
        }
        return String.format(Locale.ROOT, value < 10 ? "%.2f" : "%.1f", value);
    }

    private static String ratio(double value) {
        return String.format(Locale.ROOT, "%.2f", value);
    }
}
