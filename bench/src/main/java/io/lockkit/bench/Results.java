package io.lockkit.bench;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One run's results as read back from its folder: JMH's {@code jmh.json} (medians in µs per
 * benchmark and parameter), and when present {@code counter.json} ({@link CounterRun}), {@code
 * roundtrips.json} ({@link RoundTrips}), {@code breakdown.json} ({@link PgBreakdown}), {@code
 * mariadb-breakdown.json} ({@link MariaDbBreakdown}), {@code zookeeper-breakdown.json} ({@link ZkBreakdown}), {@code redis-breakdown.json} ({@link
 * RedisBreakdown}), {@code idle.json} ({@link IdleRun}), {@code
 * uncontended.json} ({@link UncontendedRun}) and {@code run.json} (the machine and its load, written by
 * {@link BenchMain}). Immutable once read.
 */
record Results(
        Map<String, Double> medians,
        List<String> peers,
        String jvm,
        List<CounterRun.Row> counter,
        List<RoundTrips.Count> roundTrips,
        Map<String, Double> breakdown,
        String breakdownServer,
        Map<String, Double> mariadbBreakdown,
        String mariadbServer,
        Map<String, Double> mariadbFsyncs,
        Map<String, Double> mariadbLogWrites,
        Map<String, Double> zkBreakdown,
        Map<String, Double> redisBreakdown,
        List<IdleRun.Row> idle,
        List<UncontendedRun.Row> interleaved,
        Map<String, String> run) {
    static final String ACQUIRE = "LockKitBench.acquireRelease";
    static final String CAS = "LockKitBench.compareAndSet";
    static final String HANDOFF = "HandoffBench.handoff";
    static final String PEER = "PeerBench.lockUnlock";
    static final String FLOOR = "FloorBench.roundTrip";

    private static final ObjectMapper JSON =
            new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    /** Reads the folder {@code dir}; only {@code jmh.json} is required. */
    static Results read(Path dir) throws IOException {
        Path jmh = dir.resolve("jmh.json");
        if (!Files.isRegularFile(jmh)) {
            throw new IllegalArgumentException("no JMH results at " + jmh.toAbsolutePath());
        }
        Map<String, Double> medians = new LinkedHashMap<>();
        List<String> peers = new ArrayList<>();
        String jvm = "";
        for (JsonNode run : JSON.readTree(jmh.toFile())) {
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
            medians.put(
                    method + " " + subject,
                    toMicros(value, metric.path("scoreUnit").asText()));
            if (method.equals(PEER)) {
                peers.add(subject);
            }
            jvm = run.path("vmName").asText() + " " + run.path("jdkVersion").asText();
        }
        return new Results(
                medians,
                peers,
                jvm,
                list(dir.resolve("counter.json"), new TypeReference<List<CounterRun.Row>>() {}),
                list(dir.resolve("roundtrips.json"), new TypeReference<List<RoundTrips.Count>>() {}),
                steps(dir.resolve("breakdown.json")),
                text(dir.resolve("breakdown.json"), PgBreakdown.SERVER),
                steps(dir.resolve(MariaDbBreakdown.FILE)),
                text(dir.resolve(MariaDbBreakdown.FILE), MariaDbBreakdown.SERVER),
                numbers(dir.resolve(MariaDbBreakdown.FILE), MariaDbBreakdown.FSYNCS),
                numbers(dir.resolve(MariaDbBreakdown.FILE), MariaDbBreakdown.LOG_WRITES),
                steps(dir.resolve(ZkBreakdown.FILE)),
                steps(dir.resolve(RedisBreakdown.FILE)),
                list(dir.resolve("idle.json"), new TypeReference<List<IdleRun.Row>>() {}),
                list(dir.resolve("uncontended.json"), new TypeReference<List<UncontendedRun.Row>>() {}),
                Files.isRegularFile(dir.resolve("run.json"))
                        ? JSON.readValue(dir.resolve("run.json").toFile(), new TypeReference<Map<String, String>>() {})
                        : Map.of());
    }

    /** A breakdown's medians (µs) by step, in its order: the numbers of {@code file}; empty when absent. */
    private static Map<String, Double> steps(Path file) throws IOException {
        return Files.isRegularFile(file) ? numbers(JSON.readTree(file.toFile())) : new LinkedHashMap<>();
    }

    /** The numbers of the object under {@code key} in {@code file}, in its order; empty when absent. */
    private static Map<String, Double> numbers(Path file, String key) throws IOException {
        return Files.isRegularFile(file) ? numbers(JSON.readTree(file.toFile()).path(key)) : new LinkedHashMap<>();
    }

    private static Map<String, Double> numbers(JsonNode object) {
        Map<String, Double> numbers = new LinkedHashMap<>();
        object.fields().forEachRemaining(e -> {
            if (e.getValue().isNumber()) {
                numbers.put(e.getKey(), e.getValue().asDouble());
            }
        });
        return numbers;
    }

    /** The text under {@code key} in {@code file}; empty when absent. */
    private static String text(Path file, String key) throws IOException {
        return Files.isRegularFile(file)
                ? JSON.readTree(file.toFile()).path(key).asText("")
                : "";
    }

    private static <T> List<T> list(Path file, TypeReference<List<T>> type) throws IOException {
        return Files.isRegularFile(file) ? JSON.readValue(file.toFile(), type) : List.of();
    }

    /** Writes the run description {@code run.json}. */
    static void writeRun(Path dir, Map<String, String> run) throws IOException {
        JSON.writerWithDefaultPrettyPrinter().writeValue(dir.resolve("run.json").toFile(), run);
    }

    /** The median in µs of {@code method} for {@code subject}, or null when not in the run. */
    @Nullable
    Double median(String method, String subject) {
        return medians.get(method + " " + subject);
    }

    /** The floor of the store {@code subject} runs on. */
    @Nullable
    Double floor(String subject) {
        String store = Clients.store(subject);
        return store.equals("mem") ? null : median(FLOOR, store);
    }

    /** The runs of the interleaved run ({@link UncontendedRun}), in order; empty when it did not run. */
    List<Integer> runs() {
        return interleaved.stream()
                .map(UncontendedRun.Row::run)
                .distinct()
                .sorted()
                .toList();
    }

    /** The interleaved median of {@code subject} doing {@code kind} in {@code group} in run {@code run}, or null. */
    @Nullable
    Double interleaved(int run, String group, String subject, String kind) {
        for (UncontendedRun.Row row : interleaved) {
            if (row.run() == run
                    && row.group().equals(group)
                    && row.subject().equals(subject)
                    && row.kind().equals(kind)) {
                return row.medianMicros();
            }
        }
        return null;
    }

    /** Each run's interleaved median of {@code subject} doing {@code kind} in {@code group}, in run order. */
    List<Double> interleavedRuns(String group, String subject, String kind) {
        List<Double> out = new ArrayList<>();
        for (int run : runs()) {
            Double median = interleaved(run, group, subject, kind);
            if (median != null) {
                out.add(median);
            }
        }
        return out;
    }

    /**
     * The median over the runs of the interleaved median of {@code subject} doing {@code kind}
     * ({@code floor}, {@code cold}, {@code write} and {@code notify} take the store's name) in {@code
     * group} (the lockkit variant it ran beside, or its handoff group), or null when it did not run.
     */
    @Nullable
    Double interleaved(String group, String subject, String kind) {
        List<Double> runs = interleavedRuns(group, subject, kind);
        return runs.isEmpty() ? null : median(runs);
    }

    /** The idle-keys backends ({@link IdleRun}), in run order. */
    List<String> idleBackends() {
        return idle.stream().map(IdleRun.Row::backend).distinct().toList();
    }

    /** The idle-keys rows of {@code backend}, one per run. */
    List<IdleRun.Row> idle(String backend) {
        return idle.stream().filter(row -> row.backend().equals(backend)).toList();
    }

    /** The median of {@code values} (the mean of the middle two when even); NaN when empty. */
    static double median(List<Double> values) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    /** The counted round trips (median) of {@code operation} on {@code backend}, or null. */
    @Nullable
    Long counted(String backend, String operation) {
        for (RoundTrips.Count c : roundTrips) {
            if (c.backend().equals(backend) && c.operation().equals(operation)) {
                return c.counted();
            }
        }
        return null;
    }

    /** The counter row, or null. */
    CounterRun.@Nullable Row counter(String subject, String mode, int threads) {
        for (CounterRun.Row r : counter) {
            if (r.subject().equals(subject) && r.mode().equals(mode) && r.threads() == threads) {
                return r;
            }
        }
        return null;
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
}
