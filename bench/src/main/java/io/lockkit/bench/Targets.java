package io.lockkit.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * The benchmark's performance targets, each checked against one run and written as a "met",
 * "missed" or "not measured" line. The ratio targets (acquire + release against the peers,
 * compare-and-set against the write floor, handoff against the notify hop and cold round trips
 * and against the peers' handoffs, idle keys) are judged on the interleaved runs ({@link
 * UncontendedRun}, {@link IdleRun}): the ratio is taken within each run, the median of the runs'
 * ratios decides, and each run's ratio is printed beside it, so one noisy run cannot flip a
 * verdict. Reported, never asserted (except the counter's correctness, which {@link CounterRun}
 * fails on). Stateless.
 */
final class Targets {
    private static final double IDLE_FACTOR = 1.10;
    private static final double COUNTER_SHARE = 0.5;
    private static final double CAS_FACTOR = 1.1;
    private static final double HANDOFF_FACTOR = 1.1;

    /** ShedLock's JDBC setups: the fastest of them in each run is the PostgreSQL variants' yardstick. */
    static final List<String> SHEDLOCK_JDBC = List.of("shedlock/jdbc", "shedlock/jdbc-template");

    /** The same setups on MariaDB: the fastest of them in each run is {@code mariadb/table}'s yardstick. */
    static final List<String> SHEDLOCK_JDBC_MARIADB =
            List.of("shedlock/jdbc-mariadb", "shedlock/jdbc-template-mariadb");

    /**
     * A target for a variant's acquire + release against peers on its store doing lock + unlock: at
     * most {@code limit} × the fastest of {@code peers} in each run; {@code against} names them.
     */
    record PeerTarget(String variant, double limit, List<String> peers, String against) {}

    static final List<PeerTarget> PEER_TARGETS = List.of(
            new PeerTarget("postgresql/table", 0.75, SHEDLOCK_JDBC, "the fastest ShedLock JDBC setup"),
            new PeerTarget("postgresql/advisory", 0.6, SHEDLOCK_JDBC, "the fastest ShedLock JDBC setup"),
            new PeerTarget("postgresql/rowlock", 0.75, SHEDLOCK_JDBC, "the fastest ShedLock JDBC setup"),
            new PeerTarget("mariadb/table", 0.75, SHEDLOCK_JDBC_MARIADB, "the fastest ShedLock JDBC setup on MariaDB"),
            new PeerTarget(
                    "mariadb/advisory", 0.6, SHEDLOCK_JDBC_MARIADB, "the fastest ShedLock JDBC setup on MariaDB"),
            new PeerTarget(
                    "mariadb/rowlock", 0.75, SHEDLOCK_JDBC_MARIADB, "the fastest ShedLock JDBC setup on MariaDB"),
            new PeerTarget("redis", 0.75, List.of("redisson/RLock"), "Redisson RLock"),
            new PeerTarget("redis", 0.9, List.of("shedlock/redis"), "ShedLock Redis"),
            new PeerTarget("zookeeper", 0.8, List.of("curator/InterProcessMutex"), "Curator InterProcessMutex"),
            new PeerTarget("zookeeper", 0.8, List.of("shedlock/zookeeper"), "ShedLock ZooKeeper"));

    private Targets() {}

    /** The limit of {@code variant}'s acquire + release target against {@code peer}, or null when none. */
    static @Nullable Double limit(String variant, String peer) {
        return PEER_TARGETS.stream()
                .filter(t -> t.variant().equals(variant) && t.peers().contains(peer))
                .map(PeerTarget::limit)
                .findFirst()
                .orElse(null);
    }

    static void write(StringBuilder md, Results r) {
        List<String> lines = new ArrayList<>();
        if (r.interleaved().isEmpty()) {
            lines.add(NOT_MEASURED + " the ratio targets (acquire+release against the peers, compareAndSet against"
                    + " the write floor, handoff): the interleaved run (`UncontendedRun`) did not run");
        } else {
            peers(lines, r);
            compareAndSet(lines, r);
            handoff(lines, r);
        }
        roundTrips(lines, r);
        counter(lines, r);
        idle(lines, r);
        if (!lines.isEmpty()) {
            long met = lines.stream().filter(l -> l.startsWith(verdict(true))).count();
            long unmeasured =
                    lines.stream().filter(l -> l.startsWith(NOT_MEASURED)).count();
            md.append("\n### Targets met / missed\n\n")
                    .append(met)
                    .append(" of ")
                    .append(lines.size())
                    .append(" met")
                    .append(unmeasured == 0 ? "" : ", " + unmeasured + " not measured")
                    .append(". A ratio target is judged on the median of the interleaved runs' ratios (")
                    .append(
                            r.runs().isEmpty()
                                    ? ""
                                    : r.runs().size() + " runs of `UncontendedRun` in this invocation; ")
                    .append("the idle keys: `IdleRun`'s runs), each run's ratio after it.\n\n");
            lines.forEach(l -> md.append("- ").append(l).append('\n'));
        }
        postgresWhy(md, r);
    }

    /** Acquire + release against the peers ({@link #PEER_TARGETS}), within each run's variant group. */
    private static void peers(List<String> lines, Results r) {
        for (PeerTarget t : PEER_TARGETS) {
            String title = String.format(
                    Locale.ROOT, "%s acquire+release ≤ %s × %s", t.variant(), factor(t.limit()), t.against());
            List<Double> ratios = new ArrayList<>();
            for (int run : r.runs()) {
                Double ours = r.interleaved(run, t.variant(), t.variant(), "acquire");
                Double fastest = fastest(r, run, t.variant(), t.peers(), "peer");
                if (ours != null && fastest != null) {
                    ratios.add(ours / fastest);
                }
            }
            List<String> figures = new ArrayList<>();
            figures.add(figure(t.variant(), r.interleaved(t.variant(), t.variant(), "acquire")));
            for (String peer : t.peers()) {
                figures.add(figure(peer, r.interleaved(t.variant(), peer, "peer")));
            }
            lines.add(judged(title, t.limit(), false, ratios, figures));
        }
    }

    /** compareAndSet against the write floor of the same client, on PostgreSQL and MariaDB. */
    private static void compareAndSet(List<String> lines, Results r) {
        for (String v : Stream.concat(Report.variantsOn("postgresql").stream(), Report.variantsOn("mariadb").stream())
                .toList()) {
            String store = Clients.store(v);
            List<Double> ratios = new ArrayList<>();
            for (int run : r.runs()) {
                Double cas = r.interleaved(run, v, v, "cas");
                Double write = r.interleaved(run, v, store, "write");
                if (cas != null && write != null) {
                    ratios.add(cas / write);
                }
            }
            lines.add(judged(
                    v + " compareAndSet ≤ " + factor(CAS_FACTOR) + " × the write floor",
                    CAS_FACTOR,
                    false,
                    ratios,
                    List.of(
                            figure("compareAndSet", r.interleaved(v, v, "cas")),
                            figure("write floor", r.interleaved(v, store, "write")))));
        }
    }

    /**
     * Handoff, within each run's handoff group: against the store's notify hop plus the waiter's
     * acquire round trips at the cold floor's price, and against every peer's handoff.
     */
    private static void handoff(List<String> lines, Results r) {
        for (String v : Clients.VARIANTS) {
            String store = Clients.store(v);
            if (store.equals("mem")) {
                continue;
            }
            if (Clients.UNCONTENDED_ONLY.contains(v)) {
                lines.add(NOT_MEASURED + " " + v
                        + (v.equals("mariadb/table")
                                ? " handoff: its waiters poll (every 100 ms at most; no release notification on"
                                        + " MariaDB), so a handoff is a poll's wait, not a target"
                                : " handoff: MariaDB has no notification of its own to time a hop against (its"
                                        + " waiters block in the server: GET_LOCK, or the row lock); the race"
                                        + " comparison measures the handoff"));
                continue;
            }
            String group = UncontendedRun.handoffGroup(v);
            List<Double> ratios = new ArrayList<>();
            for (int run : r.runs()) {
                Double handoff = r.interleaved(run, group, v, "handoff");
                Double floor = Report.handoffFloor(
                        v,
                        r.interleaved(run, group, store, "notify"),
                        r.interleaved(run, group, store, "cold"),
                        r.interleaved(run, group, store, "coldwrite"));
                if (handoff != null && floor != null) {
                    ratios.add(handoff / floor);
                }
            }
            lines.add(judged(
                    String.format(
                            Locale.ROOT,
                            "%s handoff ≤ %s × (notify hop + %s)",
                            v,
                            factor(HANDOFF_FACTOR),
                            Report.wakeTripsText(v)),
                    HANDOFF_FACTOR,
                    false,
                    ratios,
                    List.of(
                            figure("handoff", r.interleaved(group, v, "handoff")),
                            figure("notify hop", r.interleaved(group, store, "notify")),
                            figure("cold floor", r.interleaved(group, store, "cold")),
                            figure("cold write", r.interleaved(group, store, "coldwrite")))));
            List<String> peers = HandoffStep.PEERS.stream()
                    .filter(p -> Clients.store(p).equals(store))
                    .toList();
            String title = v + " handoff below every peer's handoff in the same run";
            if (peers.isEmpty()) {
                lines.add(NOT_MEASURED + " " + title + ": no " + store + " peer here can wait (ShedLock has no wait:"
                        + " its users poll, or skip the run), so there is no peer handoff to compare");
                continue;
            }
            List<Double> against = new ArrayList<>();
            for (int run : r.runs()) {
                Double ours = r.interleaved(run, group, v, "handoff");
                Double fastest = fastest(r, run, group, peers, "handoff");
                if (ours != null && fastest != null) {
                    against.add(ours / fastest);
                }
            }
            List<String> figures = new ArrayList<>();
            figures.add(figure(v, r.interleaved(group, v, "handoff")));
            for (String peer : peers) {
                figures.add(figure(peer, r.interleaved(group, peer, "handoff")));
            }
            lines.add(judged(
                    title + " (× the fastest; ShedLock's: not measured, it has no wait)", 1.0, true, against, figures));
        }
    }

    /** The smallest median of {@code subjects} doing {@code kind} in {@code group} in run {@code run}, or null. */
    private static @Nullable Double fastest(Results r, int run, String group, List<String> subjects, String kind) {
        Double best = null;
        for (String subject : subjects) {
            Double median = r.interleaved(run, group, subject, kind);
            if (median != null && (best == null || median < best)) {
                best = median;
            }
        }
        return best;
    }

    /**
     * One ratio target's line: met when the median of the runs' {@code ratios} is at most {@code
     * limit} (below it when {@code strict}); each run's ratio, then the figures (medians of the runs).
     */
    static String judged(String title, double limit, boolean strict, List<Double> ratios, List<String> figures) {
        if (ratios.isEmpty()) {
            return NOT_MEASURED + " " + title + ": not in the interleaved run";
        }
        double median = Results.median(ratios);
        boolean met = strict ? median < limit : median <= limit;
        return verdict(met)
                + String.format(
                        Locale.ROOT,
                        " %s: %.2f × (median of %d run%s; each run %s)%s; %s (medians of the runs)",
                        title,
                        median,
                        ratios.size(),
                        ratios.size() == 1 ? "" : "s",
                        String.join(
                                ", ",
                                ratios.stream()
                                        .map(x -> String.format(Locale.ROOT, "%.2f", x))
                                        .toList()),
                        met ? "" : by(median, limit),
                        String.join(", ", figures));
    }

    private static String figure(String name, @Nullable Double micros) {
        return name + " " + Report.micros(micros) + " µs";
    }

    private static String factor(double limit) {
        return Double.toString(limit);
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
        for (String backend : r.idleBackends()) {
            List<IdleRun.Row> runs = r.idle(backend);
            lines.add(judged(
                    String.format(
                            Locale.ROOT,
                            "idle keys within 10 %%, %s: with %,d idle keys ÷ without",
                            backend,
                            runs.get(0).idleKeys()),
                    IDLE_FACTOR,
                    false,
                    runs.stream()
                            .map(row -> row.idleMicros() / row.plainMicros())
                            .toList(),
                    List.of(
                            figure(
                                    "with",
                                    Results.median(runs.stream()
                                            .map(IdleRun.Row::idleMicros)
                                            .toList())),
                            figure(
                                    "without",
                                    Results.median(runs.stream()
                                            .map(IdleRun.Row::plainMicros)
                                            .toList())))));
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
                "%nWhere postgresql/table acquire+release goes, measured %s: a write pays its commit"
                        + " (one-row autocommit `UPDATE` %s µs vs `SELECT 1` %s µs), so ShedLock's floor is two"
                        + " flushed writes, %s µs, and lockkit's one flushed write and one without the flush (the"
                        + " floor table above). lockkit's two statements sent raw take %s µs (without the release's wait-marker check %s"
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

    private static final String NOT_MEASURED = "**not measured**:";

    private static String verdict(boolean met) {
        return met ? "**met**:" : "**missed**:";
    }

    private static String by(double ratio, double target) {
        return String.format(Locale.ROOT, ", over by %.0f %%", 100 * (ratio / target - 1));
    }
}
