package io.lockkit.race.proc;

import io.lockkit.Backend;
import io.lockkit.Capability;
import io.lockkit.Versioned;
import io.lockkit.tck.Rule;
import io.lockkit.tck.StoreFaults;
import io.lockkit.tck.TckTarget;
import io.lockkit.tck.harness.TcpProxy;
import io.lockkit.tck.scenarios.ScenarioRow;
import io.lockkit.testkit.mariadb.MariaDbTestServer;
import io.lockkit.testkit.postgresql.PostgresTestServer;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingCluster;

/**
 * The soak rows {@code S4}, {@code S8}: P child JVMs × W workers run {@link SoakLoop} on 8 hot and
 * 64 cold keys for the soak's duration while a fault schedule runs meanwhile — every 1.5–3.5 s one
 * fault the store and backend honour, on a random child: SIGSTOP for 1.5 leases then SIGCONT, SIGKILL
 * and a fresh child in its place, its connections cut through its TCP proxy, partitioned past the
 * session timeout (on ZooKeeper: its session expires), replies lost for 1 s, replies delayed 300 ms
 * for 2 s, and the store restarted where the test server can be and keeps its data (PostgreSQL; on
 * ZooKeeper the soak runs on a three-member ensemble of its own, through a proxy per member, where
 * a random member is also killed for a session timeout and restarted; Redis keeps nothing on disk,
 * and a restart that loses data may hand a held key out again by design, so it is not in Redis's
 * schedule). Then {@link SoakHistory} checks the history. Peers and
 * in-JVM backends run the same workers on clients of one JVM ({@link #inJvm}), with their connections
 * killed through {@link StoreFaults} where the target can.
 */
public final class Soak {
    /** Every lease of the soak. */
    static final Duration LEASE = Duration.ofSeconds(2);

    static final int HOT_KEYS = 8;
    static final int COLD_KEYS = 64;
    static final int STALL_PERCENT = 5;

    /** The notes the HTML report draws (grants per second, faults above them), from the first grant. */
    public static final String GRANTS_PER_SECOND = "grants per second:";

    public static final String FAULT_TIMELINE = "fault timeline:";
    public static final String TIMELINE_SEPARATOR = "; ";

    private Soak() {}

    /** The row id of a soak across {@code processes} JVMs. */
    static String rowId(int processes) {
        return "S" + processes;
    }

    static String title(int processes, int workers, Duration duration) {
        return "Soak, " + processes + " JVMs × " + workers + ", " + seconds(duration) + " under faults";
    }

    /** The soak across child JVMs of {@code store}. */
    static ScenarioRow processes(Store store, int processes, int workers, Duration duration, PrintStream progress)
            throws InterruptedException {
        String id = rowId(processes);
        RowFacts row = new RowFacts(id, title(processes, workers, duration), store.name());
        row.workers = processes * workers;
        SoakHistory history = new SoakHistory();
        List<Route> routes = new ArrayList<>();
        List<Child> children = new CopyOnWriteArrayList<>();
        List<Thread> readers = new ArrayList<>();
        SoakLoop.Params params = new SoakLoop.Params(
                "soak" + UUID.randomUUID().toString().substring(0, 8),
                "c0",
                workers,
                HOT_KEYS,
                COLD_KEYS,
                LEASE,
                duration,
                STALL_PERCENT,
                System.nanoTime());
        long guard = duration.toNanos() + Duration.ofSeconds(120).toNanos();
        long deadline = System.nanoTime() + guard;
        try {
            for (int i = 0; i < processes; i++) {
                routes.add(Route.to(store));
            }
            Children started = Children.start(
                    "s", processes, i -> routes.get(i).uri(store), store.childOptions(true), progress, deadline);
            children.addAll(started.list());
            long end = System.nanoTime() + duration.toNanos();
            for (int i = 0; i < processes; i++) {
                readers.add(drain(children.get(i), history, deadline));
                children.get(i).send(params.withWriter("c" + i, duration).command());
            }
            List<String> kinds = faultKinds(store);
            row.note(
                    "fault schedule: %s%s",
                    kinds,
                    kinds.contains("restart")
                            ? ""
                            : store.name().equals("redis")
                                    ? "; no store restart: this Redis keeps nothing on disk, and a restart that loses"
                                            + " data may hand a held key out again (DATA_SURVIVES_STORE_RESTART is not"
                                            + " declared)"
                                    : "; no store restart: the test server is external");
            Random random = new Random();
            int[] restarts = new int[processes];
            while (true) {
                long wait = 1500 + random.nextInt(2000);
                if (System.nanoTime() + wait * 1_000_000 + LEASE.toNanos() - end > 0) {
                    break; // a fault begins at least a lease before the end (it may outlast it: the children wait)
                }
                Thread.sleep(wait);
                int victim = random.nextInt(processes);
                if (!children.get(victim).alive()) {
                    continue; // killed near the end, with no time left for a fresh JVM
                }
                String kind = kinds.get(random.nextInt(kinds.size()));
                inject(
                        kind, victim, store, children, routes, history, restarts, params, end, readers, progress,
                        deadline);
            }
            for (Thread reader : readers) {
                reader.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            }
            List<String> silent = new ArrayList<>();
            for (int i = 0; i < processes; i++) {
                String last = restarts[i] == 0 ? "c" + i : "c" + i + "r" + restarts[i];
                boolean killedLast = history.killedClients().contains(last);
                if (!killedLast && !history.finished().contains(last)) {
                    silent.add(last + " (" + (children.get(i).alive() ? "alive" : "exited") + ")");
                }
            }
            row.requireOfRow(
                    silent.isEmpty(),
                    "child JVMs that were not killed by the schedule never reported the end of their soak: %s",
                    silent);
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            row.uncaught++;
            row.requireOfRow(false, "aborted by an exception: %s", Protocol.oneLine(e));
        } finally {
            children.forEach(Child::close);
            routes.forEach(Route::close);
        }
        return judge(row, history, records(store.client(), params, row), store.kind() == Store.Kind.SESSION, workers);
    }

    /** The faults the store and backend honour, by name. */
    static List<String> faultKinds(Store store) {
        List<String> kinds = new ArrayList<>(List.of("pause", "kill", "cut", "partition", "lose", "delay"));
        if (store.name().startsWith("postgresql/") && PostgresTestServer.canRestart()
                || store.name().startsWith("mariadb/") && MariaDbTestServer.canRestart()
                || store.ensemble().isPresent()) {
            kinds.add("restart");
        }
        if (store.ensemble().isPresent()) {
            kinds.add("member");
        }
        return kinds;
    }

    private static void inject(
            String kind,
            int victim,
            Store store,
            List<Child> children,
            List<Route> routes,
            SoakHistory history,
            int[] restarts,
            SoakLoop.Params params,
            long end,
            List<Thread> readers,
            PrintStream progress,
            long deadline)
            throws Exception {
        Child child = children.get(victim);
        Route route = routes.get(victim);
        String client = restarts[victim] == 0 ? "c" + victim : "c" + victim + "r" + restarts[victim];
        String target = kind.equals("restart") || kind.equals("member") ? "store" : client;
        long start = SoakLoop.now();
        try {
            switch (kind) {
                case "pause" -> {
                    child.signal("STOP");
                    try {
                        Thread.sleep(LEASE.toMillis() * 3 / 2);
                    } finally {
                        child.signal("CONT");
                    }
                }
                case "kill" -> {
                    child.killHard();
                    history.killed(client, SoakLoop.now());
                    child.close();
                    if (end - System.nanoTime() > LEASE.toNanos() * 2) {
                        restarts[victim]++;
                        String writer = "c" + victim + "r" + restarts[victim];
                        Child fresh = Child.start(
                                "s-" + victim + "r" + restarts[victim],
                                route.uri(store),
                                store.childOptions(true),
                                progress);
                        children.set(victim, fresh); // closed with the others, whatever happens next
                        fresh.expect("READY", deadline);
                        readers.add(drain(fresh, history, deadline));
                        fresh.send(params.withWriter(writer, Duration.ofNanos(Math.max(1, end - System.nanoTime())))
                                .command());
                    }
                }
                case "cut" -> route.each(TcpProxy::dropConnections);
                case "partition" -> {
                    route.each(p -> p.partition(true));
                    try {
                        Thread.sleep(store.zookeeper() ? Store.ZK_FAST_SESSION.toMillis() + 1000 : LEASE.toMillis());
                    } finally {
                        route.each(p -> p.partition(false));
                    }
                }
                case "lose" -> {
                    route.each(p -> p.loseReplies(true));
                    try {
                        Thread.sleep(1000);
                    } finally {
                        route.each(p -> p.loseReplies(false));
                    }
                }
                case "delay" -> {
                    route.each(p -> p.delayReplies(Duration.ofMillis(300)));
                    try {
                        Thread.sleep(2000);
                    } finally {
                        route.each(p -> p.delayReplies(Duration.ZERO));
                    }
                }
                case "restart" -> {
                    if (store.ensemble().isPresent()) {
                        TestingCluster cluster = store.ensemble().get();
                        try {
                            for (InstanceSpec member : cluster.getInstances()) {
                                cluster.killServer(member);
                            }
                        } finally {
                            for (InstanceSpec member : cluster.getInstances()) {
                                cluster.restartServer(member);
                            }
                        }
                    } else if (store.name().startsWith("mariadb/")) {
                        MariaDbTestServer.restart();
                    } else {
                        PostgresTestServer.restart();
                    }
                }
                case "member" -> {
                    TestingCluster cluster = store.ensemble().orElseThrow();
                    List<InstanceSpec> members = new ArrayList<>(cluster.getInstances());
                    InstanceSpec member = members.get(new Random().nextInt(members.size()));
                    cluster.killServer(member);
                    try {
                        Thread.sleep(Store.ZK_FAST_SESSION.toMillis());
                    } finally {
                        cluster.restartServer(member);
                    }
                }
                default -> throw new IllegalArgumentException("unknown fault " + kind);
            }
        } finally {
            history.fault(new SoakHistory.Fault(kind, target, start, SoakLoop.now(), endsSessions(store, kind)));
        }
    }

    /**
     * Whether {@code kind} ends the victim's (or, for the store, every) session on the server before
     * the holder can know. Only PostgreSQL's session variants: the server frees an advisory or row
     * lock the moment the holder's connection closes (a cut, a partition or lost replies, which the
     * proxy and the client end by closing it, a killed process, a restart). ZooKeeper keeps a session
     * for its timeout and its client reports the lease lost on disconnection first; timed leases
     * outlive connections.
     */
    static boolean endsSessions(Store store, String kind) {
        return store.kind() == Store.Kind.SESSION
                && !store.zookeeper()
                && Set.of("cut", "partition", "lose", "kill", "restart").contains(kind);
    }

    /** A child's way to the store: one TCP proxy per server the store's URI names. */
    private record Route(List<TcpProxy> proxies) implements AutoCloseable {
        static Route to(Store store) throws IOException {
            List<TcpProxy> proxies = new ArrayList<>();
            for (String server : store.servers()) {
                int colon = server.lastIndexOf(':');
                proxies.add(new TcpProxy(server.substring(0, colon), Integer.parseInt(server.substring(colon + 1))));
            }
            return new Route(List.copyOf(proxies));
        }

        String uri(Store store) {
            return store.uriVia(proxies.stream().map(TcpProxy::port).toList());
        }

        void each(java.util.function.Consumer<TcpProxy> fault) {
            proxies.forEach(fault);
        }

        @Override
        public void close() {
            proxies.forEach(TcpProxy::close);
        }
    }

    /** Reads the child's lines into the history until it reports SOAKDONE or its output ends. */
    private static Thread drain(Child child, SoakHistory history, long deadline) {
        Thread t = new Thread(
                () -> {
                    try {
                        while (true) {
                            Optional<String> line = child.next(deadline);
                            if (line.isEmpty() || line.get().equals(Child.EOF)) {
                                return;
                            }
                            history.accept(line.get());
                            if (line.get().startsWith("SOAKDONE")) {
                                return;
                            }
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                },
                "soak-drain-" + child.name());
        t.setDaemon(true);
        t.start();
        return t;
    }

    /**
     * The same soak on {@code clients} clients of {@code target} in this JVM (peers, mem), reported in
     * the row of as many JVMs: no process faults; every 1.5–3.5 s a random client's connections are
     * killed when the target can.
     */
    static ScenarioRow inJvm(TckTarget target, int clients, int workers, Duration duration, Duration lease)
            throws InterruptedException {
        String id = rowId(clients);
        RowFacts row = new RowFacts(id, title(clients, workers, duration), target.name());
        row.note(
                "in one JVM, %d clients × %d workers: the multi-process launcher runs store backends only",
                clients, workers);
        row.workers = clients * workers;
        SoakHistory history = new SoakHistory();
        SoakLoop.Params params = new SoakLoop.Params(
                "soak" + UUID.randomUUID().toString().substring(0, 8),
                "c0",
                workers,
                HOT_KEYS,
                COLD_KEYS,
                lease,
                duration,
                STALL_PERCENT,
                System.nanoTime());
        List<Backend> opened = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        boolean session = false;
        try {
            for (int i = 0; i < clients; i++) {
                Backend client = target.newClient();
                opened.add(client);
                session |= client.has(Capability.SESSION_LEASE);
                SoakLoop loop = new SoakLoop(client, params.withWriter("c" + i, duration), history::accept);
                Thread t = new Thread(
                        () -> {
                            try {
                                loop.run();
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        },
                        "soak-client-" + i);
                t.setDaemon(true);
                threads.add(t);
                t.start();
            }
            StoreFaults faults = faultsOf(target);
            long end = System.nanoTime() + duration.toNanos();
            Random random = new Random();
            while (faults != null) {
                long wait = 1500 + random.nextInt(2000);
                if (System.nanoTime() + wait * 1_000_000 + params.lease().toNanos() - end > 0) {
                    break;
                }
                Thread.sleep(wait);
                int victim = random.nextInt(clients);
                long at = SoakLoop.now();
                try {
                    faults.killConnection(opened.get(victim));
                } finally {
                    // a session lease's store ends the session with the connection, before the holder knows
                    history.fault(new SoakHistory.Fault("cut", "c" + victim, at, SoakLoop.now(), session));
                }
            }
            for (Thread t : threads) {
                t.join(duration.toMillis() + 120_000);
            }
            List<String> hung = threads.stream()
                    .filter(Thread::isAlive)
                    .map(Thread::getName)
                    .toList();
            row.requireOfRow(hung.isEmpty(), "clients still running %d s after the soak's end: %s", 120, hung);
        } catch (RuntimeException e) {
            row.uncaught++;
            row.requireOfRow(false, "aborted by an exception: %s", Protocol.oneLine(e));
        }
        try {
            Map<String, String> records = opened.isEmpty() ? Map.of() : records(opened.get(0), params, row);
            return judge(row, history, records, session, workers);
        } finally {
            opened.forEach(Backend::close);
        }
    }

    private static StoreFaults faultsOf(TckTarget target) {
        try {
            return target.faults();
        } catch (UnsupportedOperationException e) {
            return null;
        }
    }

    /** The records as the store holds them now; a key that cannot be read fails the row, the others are checked. */
    private static Map<String, String> records(Backend client, SoakLoop.Params params, RowFacts row) {
        Map<String, String> records = new LinkedHashMap<>();
        List<String> unread = new ArrayList<>();
        for (int i = 0; i < params.hotKeys() + params.coldKeys(); i++) {
            String key = params.key(i);
            try {
                client.versionedUpdate()
                        .read(SoakLoop.Params.record(key))
                        .map(Versioned::valueAsString)
                        .ifPresent(v -> records.put(key, v));
            } catch (RuntimeException e) {
                unread.add(key + ": " + Protocol.oneLine(e));
            }
        }
        row.requireOfRow(
                unread.isEmpty(),
                "%d records could not be read at the end; the first: %s",
                unread.size(),
                unread.isEmpty() ? "-" : unread.get(0));
        return records;
    }

    private static ScenarioRow judge(
            RowFacts row, SoakHistory history, Map<String, String> records, boolean session, int workers) {
        SoakHistory.Verdict v = history.check(records, session);
        Map<String, Long> c = history.counts();
        long ops = c.getOrDefault("attempts", 0L) + c.getOrDefault("writes", 0L) + c.getOrDefault("releases", 0L);
        row.winners = c.getOrDefault("grants", 0L);
        row.overlaps = v.overlaps().size();
        row.lostUpdates = v.lost().size()
                + v.stale().size()
                + v.doubled().size()
                + v.unreported().size();
        row.uncaught += c.getOrDefault("errors", 0L);
        row.require(
                v.overlaps().isEmpty(),
                Rule.L1,
                "%d critical sections began before another of their key had ended; the first: %s",
                v.overlaps().size(),
                v.overlaps().stream()
                        .limit(3)
                        .map(o -> describe(o, history, t0(history)))
                        .collect(Collectors.joining("; ")));
        none(
                row,
                v.tokenOrder(),
                List.of(Rule.L2),
                "grants carried a token not above one granted before their acquire was sent");
        none(
                row,
                v.unreported(),
                List.of(Rule.V3, Rule.V4),
                "writes are in their record although their writer was told they failed (fenced out, unavailable or a"
                        + " conflict)");
        none(row, v.stale(), List.of(Rule.V3), "writes were accepted with a token below an earlier accepted one");
        none(row, v.lost(), List.of(Rule.V1, Rule.V4), "acknowledged writes are not in their record");
        none(row, v.doubled(), List.of(Rule.V4), "writes were applied twice");
        row.requireOfRow(history.malformed().isEmpty(), "unreadable history lines: %s", first(history.malformed()));
        row.requireOfRow(row.winners > 0, "no lease was granted in the whole soak");
        row.note(
                "%d operations (%d acquires, %d writes, %d releases); %d grants, %d sections checked (%d ended early by"
                        + " a fault of their session), %d writes acknowledged, %d entries in the records",
                ops,
                c.getOrDefault("attempts", 0L),
                c.getOrDefault("writes", 0L),
                c.getOrDefault("releases", 0L),
                row.winners,
                v.sections(),
                v.truncated(),
                v.acked(),
                v.entries());
        row.note(
                "outcomes: %s",
                c.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(" ")));
        List<SoakHistory.Fault> faults = history.faults();
        Map<String, Long> byKind = faults.stream()
                .collect(Collectors.groupingBy(SoakHistory.Fault::kind, LinkedHashMap::new, Collectors.counting()));
        row.note("%d faults injected: %s", faults.size(), byKind);
        long t0 =
                history.firstGrant().orElse(faults.isEmpty() ? 0 : faults.get(0).start());
        row.note(
                "%s %s",
                GRANTS_PER_SECOND,
                history.grantsPerSecond(t0).stream().map(String::valueOf).collect(Collectors.joining(",")));
        if (!faults.isEmpty()) {
            row.note(
                    "%s %s",
                    FAULT_TIMELINE,
                    faults.stream()
                            .map(f -> String.format(
                                    Locale.ROOT,
                                    "+%.1fs %s %s (%d ms)",
                                    (f.start() - t0) / 1e9,
                                    f.kind(),
                                    f.client(),
                                    (f.end() - f.start()) / 1_000_000))
                            .collect(Collectors.joining(TIMELINE_SEPARATOR)));
        }
        return row.build();
    }

    /** A violation of {@code rules} unless {@code found} is empty: how many, what, and the first. */
    private static void none(RowFacts row, List<String> found, List<Rule> rules, String what) {
        row.require(found.isEmpty(), rules, "%d %s; the first: %s", found.size(), what, first(found));
    }

    private static long t0(SoakHistory history) {
        List<SoakHistory.Fault> faults = history.faults();
        return history.firstGrant().orElse(faults.isEmpty() ? 0 : faults.get(0).start());
    }

    /** An overlap with its times from the first grant, and the faults of either client around it. */
    private static String describe(SoakHistory.Overlap o, SoakHistory history, long t0) {
        SoakHistory.Section a = o.earlier();
        SoakHistory.Section b = o.later();
        long from = Math.min(a.sent(), b.sent()) - LEASE.toNanos() * 2;
        long to = Math.max(a.endOr(a.bound()), b.endOr(b.bound()));
        String near = history.faults().stream()
                .filter(f -> f.end() >= from && f.start() <= to)
                .filter(f -> f.client().equals("store")
                        || f.client().equals(a.client())
                        || f.client().equals(b.client()))
                .map(f -> String.format(
                        Locale.ROOT, "%s %s +%.3f–%.3fs", f.kind(), f.client(), s(f.start(), t0), s(f.end(), t0)))
                .collect(Collectors.joining(", "));
        return String.format(
                Locale.ROOT,
                "%s: token %d (%s) sent +%.3fs, granted +%.3fs, ended +%.3fs (deadline +%.3fs) overlaps token %d (%s)"
                        + " sent +%.3fs, granted +%.3fs, ended +%.3fs; faults of either around then: %s",
                a.key(),
                a.token(),
                a.writer(),
                s(a.sent(), t0),
                s(a.start(), t0),
                s(a.endOr(a.bound()), t0),
                s(a.bound(), t0),
                b.token(),
                b.writer(),
                s(b.sent(), t0),
                s(b.start(), t0),
                s(b.endOr(b.bound()), t0),
                near.isEmpty() ? "none" : near);
    }

    private static double s(long at, long t0) {
        return (at - t0) / 1e9;
    }

    private static String first(List<?> items) {
        return items.isEmpty() ? "-" : String.valueOf(items.get(0));
    }

    private static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }
}
