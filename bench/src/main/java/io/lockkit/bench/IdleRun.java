package io.lockkit.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.lockkit.Backend;
import io.lockkit.Lease;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Idle keys: uncontended {@code tryAcquire} + {@code release} with {@code n} other keys in the
 * store, against the same operation without them, per lockkit variant. Two clients in one thread:
 * one in the store's usual namespace, one in the idle-keys namespace that {@link IdleKeys} filled
 * ({@link Clients#idleNamespace}: own tables, prefix, root, store). Their operations are
 * <em>interleaved</em>, {@value #BATCH} of one then {@value #BATCH} of the other, round after round,
 * so the machine's load falls on both alike: separate JMH forks, run minutes apart on a shared
 * machine, differed by more than the 10 % the idle-keys target allows. The comparison runs {@code
 * RUNS} times (at least {@value UncontendedRun#MIN_RUNS}) on the same keys, a row per run, and the
 * target is judged on the median of the runs' ratios. Every call MUST succeed.
 *
 * <p>{@code IdleRun OUT.json IDLE_KEYS ROUNDS [RUNS]}; {@link BenchMain} runs it in its own JVM (in
 * smoke mode, in the launcher, with 10³ keys and a few rounds).
 */
public final class IdleRun {
    private static final int BATCH = 50;
    private static final Duration LEASE = Duration.ofSeconds(30);

    /** Medians in µs of acquire + release without and with the idle keys, in one run (from 1). */
    record Row(String backend, double plainMicros, double idleMicros, int idleKeys, int run) {}

    private IdleRun() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 3 || args.length > 4) {
            System.err.println("usage: IdleRun <out.json> <idle keys> <rounds> [<runs>]");
            System.exit(2);
        }
        run(args);
        System.exit(0);
    }

    static List<Row> run(String... args) throws Exception {
        int n = Integer.parseInt(args[1]);
        int rounds = Integer.parseInt(args[2]);
        int runs = args.length > 3 ? Integer.parseInt(args[3]) : UncontendedRun.MIN_RUNS;
        if (runs < UncontendedRun.MIN_RUNS) {
            throw new IllegalArgumentException("runs must be at least " + UncontendedRun.MIN_RUNS + ": " + runs);
        }
        List<Row> rows = new ArrayList<>();
        for (String variant : Clients.VARIANTS) {
            if (Clients.UNCONTENDED_ONLY.contains(variant)) {
                continue;
            }
            try (Backend plain = Clients.lockkit(variant);
                    Backend idle = Clients.idleNamespace(variant)) {
                IdleKeys.fill(variant, idle, n);
                String plainKey = Clients.freshKey("lock");
                String idleKey = Clients.freshKey("lock");
                for (int run = 1; run <= runs; run++) {
                    long[][] samples = Interleaved.run(
                            List.of(acquireRelease(variant, plain, plainKey), acquireRelease(variant, idle, idleKey)),
                            BATCH,
                            5,
                            rounds);
                    Row row = new Row(
                            variant, Interleaved.micros(samples[0], 0.5), Interleaved.micros(samples[1], 0.5), n, run);
                    rows.add(row);
                    System.out.printf(
                            Locale.ROOT,
                            "idle keys run %d %-20s plain %8.1f µs, with %d idle keys %8.1f µs (%+.0f %%)%n",
                            run,
                            variant,
                            row.plainMicros(),
                            n,
                            row.idleMicros(),
                            100 * (row.idleMicros() / row.plainMicros() - 1));
                }
            }
        }
        new ObjectMapper()
                .writerWithDefaultPrettyPrinter()
                .writeValue(Path.of(args[0]).toFile(), rows);
        return rows;
    }

    private static Interleaved.Step acquireRelease(String variant, Backend client, String key) {
        return Interleaved.timed(() -> {
            Lease lease = client.jobLock()
                    .tryAcquire(key, LEASE)
                    .orElseThrow(() -> new IllegalStateException(variant + ": uncontended tryAcquire lost"));
            if (!lease.release()) {
                throw new IllegalStateException(variant + ": release of the current lease returned false");
            }
        });
    }
}
