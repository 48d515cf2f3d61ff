package io.lockkit.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The benchmark's performance targets (against the store's floor, the fastest peer, the minimum
 * round trips, handoff, the contended counter and idle keys), each checked against one run and
 * written as a "met" or "missed" line with by how much. Reported, never asserted (except the
 * counter's correctness, which {@link CounterRun} fails on). Stateless.
 */
final class Targets {
    private static final double FLOOR_FACTOR = 1.2;
    private static final double IDLE_FACTOR = 1.10;
    private static final double COUNTER_SHARE = 0.5;

    private Targets() {}

    static void write(StringBuilder md, Results r) {
        List<String> lines = new ArrayList<>();
        uncontended(lines, r);
        fastestPeer(lines, r);
        roundTrips(lines, r);
        handoff(lines, r);
        counter(lines, r);
        idle(lines, r);
        if (!lines.isEmpty()) {
            long met = lines.stream().filter(l -> l.contains("**met**")).count();
            md.append("\n### Targets met / missed\n\n")
                    .append(met)
                    .append(" of ")
                    .append(lines.size())
                    .append(" met.\n\n");
            lines.forEach(l -> md.append("- ").append(l).append('\n'));
        }
        postgresWhy(md, r);
    }

    /**
     * The uncontended figures the ratio targets are judged by: the interleaved run's when it ran
     * (floor, lockkit and peers under the same load), else JMH's.
     */
    private record Uncontended(
            String source, @Nullable Double ours, @Nullable Double floor, Map<String, Double> peers) {}

    static Uncontended figures(Results r, String variant) {
        String store = Clients.store(variant);
        Map<String, Double> peers = new LinkedHashMap<>();
        if (!r.interleaved().isEmpty()) {
            for (UncontendedRun.Row row : r.interleaved()) {
                if (row.kind().equals("peer") && row.group().equals(variant)) {
                    peers.put(row.subject(), row.medianMicros());
                }
            }
            return new Uncontended(
                    "interleaved",
                    r.interleaved(variant, variant, "acquire"),
                    r.interleaved(variant, store, "floor"),
                    peers);
        }
        for (String peer : r.peers()) {
            Double median = r.median(Results.PEER, peer);
            if (median != null && Clients.store(peer).equals(store)) {
                peers.put(peer, median);
            }
        }
        return new Uncontended("JMH", r.median(Results.ACQUIRE, variant), r.floor(variant), peers);
    }

    private static void uncontended(List<String> lines, Results r) {
        for (String v : Clients.VARIANTS) {
            Uncontended u = figures(r, v);
            int trips = Report.minTrips(v, "acquire") + Report.minTrips(v, "release");
            if (u.ours() != null && u.floor() != null && trips > 0) {
                double ratio = u.ours() / (u.floor() * trips);
                lines.add(verdict(ratio <= FLOOR_FACTOR)
                        + String.format(
                                Locale.ROOT,
                                " uncontended acquire+release ≤ 1.2 × floor·RT, %s: %.2f × floor·RT (%s µs vs %d × %s"
                                        + " µs, %s)%s",
                                v,
                                ratio,
                                Report.micros(u.ours()),
                                trips,
                                Report.micros(u.floor()),
                                u.source(),
                                by(ratio, FLOOR_FACTOR)));
            }
        }
    }

    private static void fastestPeer(List<String> lines, Results r) {
        for (String v : Clients.VARIANTS) {
            Uncontended u = figures(r, v);
            String fastest = null;
            double best = Double.MAX_VALUE;
            for (Map.Entry<String, Double> peer : u.peers().entrySet()) {
                if (peer.getValue() < best) {
                    best = peer.getValue();
                    fastest = peer.getKey();
                }
            }
            if (u.ours() != null && fastest != null) {
                double ratio = u.ours() / best;
                lines.add(verdict(ratio <= 1.0)
                        + String.format(
                                Locale.ROOT,
                                " no slower than the fastest peer, %s: %s µs vs %s %s µs (%.2f ×, %s)%s",
                                v,
                                Report.micros(u.ours()),
                                fastest,
                                Report.micros(best),
                                ratio,
                                u.source(),
                                by(ratio, 1.0)));
            }
        }
    }

    private static void roundTrips(List<String> lines, Results r) {
        for (String v : RoundTrips.byBackend(r.roundTrips()).keySet()) {
            List<String> parts = new ArrayList<>();
            boolean exact = true;
            for (String op : Report.OPERATIONS) {
                Long counted = r.counted(v, op);
                int min = Report.minTrips(v, op);
                if (counted != null) {
                    parts.add(op + " " + counted + " (min " + min + ")");
                    exact &= counted == min;
                }
            }
            lines.add(verdict(exact) + " exactly the minimum round trips, " + v + ": " + String.join(", ", parts));
        }
    }

    private static void handoff(List<String> lines, Results r) {
        for (String v : Clients.VARIANTS) {
            Double handoff = r.median(Results.HANDOFF, v);
            Double floor = r.floor(v);
            if (handoff != null && floor != null) {
                double target = 2 * floor + 1_000;
                Double cold = r.interleaved(Clients.store(v), "cold");
                Double hop = r.interleaved(Clients.store(v), "notify");
                lines.add(verdict(handoff <= target)
                        + String.format(
                                Locale.ROOT,
                                " handoff ≤ 2 × floor + 1 ms, %s: %s µs vs %s µs%s%s",
                                v,
                                Report.micros(handoff),
                                Report.micros(target),
                                by(handoff / target, 1.0),
                                cold == null
                                        ? ""
                                        : String.format(
                                                Locale.ROOT,
                                                " (with the cold floor, %s µs after 20 ms idle: 2 × cold + 1 ms = %s µs)",
                                                Report.micros(cold),
                                                Report.micros(2 * cold + 1_000)))
                        + (hop == null
                                ? ""
                                : String.format(
                                        Locale.ROOT,
                                        "; the store's own notification after the same idling takes %s µs, so the"
                                                + " waiter's wake-up and acquire add %s µs",
                                        Report.micros(hop),
                                        Report.micros(handoff - hop))));
            }
        }
    }

    private static void counter(List<String> lines, Results r) {
        if (r.counter().isEmpty()) {
            return;
        }
        long wrong = r.counter().stream().filter(row -> !row.correct()).count();
        lines.add(verdict(wrong == 0) + " contended counter: final = acknowledged increments in "
                + (r.counter().size() - wrong) + " of " + r.counter().size() + " cases");
        CounterRun.Row floor = r.counter("postgresql/UPDATE", "floor", 100);
        for (String v : Report.variantsOn("postgresql")) {
            CounterRun.Row ours = r.counter(v, "updater", 100);
            if (floor != null && ours != null && floor.opsPerSecond() > 0) {
                double share = ours.opsPerSecond() / floor.opsPerSecond();
                lines.add(verdict(share >= COUNTER_SHARE)
                        + String.format(
                                Locale.ROOT,
                                " optimistic counter at 100 threads ≥ 50 %% of the atomic UPDATE, %s: %.0f vs %.0f ops/s"
                                        + " (%.0f %%)%s",
                                v,
                                ours.opsPerSecond(),
                                floor.opsPerSecond(),
                                100 * share,
                                share >= COUNTER_SHARE
                                        ? ""
                                        : String.format(
                                                Locale.ROOT, "; short by %.0f points", 100 * (COUNTER_SHARE - share))));
            }
        }
    }

    private static void idle(List<String> lines, Results r) {
        for (IdleRun.Row row : r.idle()) {
            double ratio = row.idleMicros() / row.plainMicros();
            lines.add(verdict(ratio <= IDLE_FACTOR)
                    + String.format(
                            Locale.ROOT,
                            " idle keys within 10 %%, %s: %s vs %s µs (%+.0f %%)",
                            row.backend(),
                            Report.micros(row.idleMicros()),
                            Report.micros(row.plainMicros()),
                            100 * (ratio - 1)));
        }
    }

    /** Why PostgreSQL is several floors: the steps of the interleaved breakdown ({@link PgBreakdown}), when it ran. */
    private static void postgresWhy(StringBuilder md, Results r) {
        Map<String, Double> b = r.breakdown();
        Double select = b.get(PgBreakdown.READ);
        Double write = b.get(PgBreakdown.WRITE);
        Double raw = b.get(PgBreakdown.RAW);
        Double quiet = b.get(PgBreakdown.RAW_QUIET);
        Double jdbi = b.get(PgBreakdown.JDBI);
        Double lockkit = b.get(PgBreakdown.LOCKKIT);
        Double shedRaw = b.get(PgBreakdown.SHED_RAW);
        Double shed = b.get(PgBreakdown.SHED);
        String source = "interleaved in one thread (`PgBreakdown`)";
        if (select == null
                || write == null
                || raw == null
                || quiet == null
                || jdbi == null
                || lockkit == null
                || shedRaw == null
                || shed == null) {
            return;
        }
        md.append(String.format(
                Locale.ROOT,
                "%nWhy postgresql/table acquire+release is several floors, measured %s: a write pays its commit"
                        + " (one-row autocommit `UPDATE` %s µs vs `SELECT 1` %s µs), so a lock's floor is two writes,"
                        + " %s µs. lockkit's two statements sent raw take %s µs (without the release's `pg_notify` %s"
                        + " µs; ShedLock's two plain `UPDATE`s %s µs); the backend itself, which sends them as plain"
                        + " JDBC statements, %s µs (%+.1f µs of pool and lease bookkeeping). Through Jdbi's fluent API"
                        + " the same two statements take %s µs (%+.1f µs: Jdbi 3 copies its configuration and resolves"
                        + " binders and mappers per statement, which is why the lock and compare-and-set paths do not"
                        + " use it). ShedLock's provider takes %s µs (%+.1f µs over its raw statements).%n",
                source,
                Report.micros(write),
                Report.micros(select),
                Report.micros(2 * write),
                Report.micros(raw),
                Report.micros(quiet),
                Report.micros(shedRaw),
                Report.micros(lockkit),
                lockkit - raw,
                Report.micros(jdbi),
                jdbi - raw,
                Report.micros(shed),
                shed - shedRaw));
    }

    private static String verdict(boolean met) {
        return met ? "**met**:" : "**missed**:";
    }

    private static String by(double ratio, double target) {
        return ratio <= target ? "" : String.format(Locale.ROOT, "; over by %.0f %%", 100 * (ratio / target - 1));
    }
}
