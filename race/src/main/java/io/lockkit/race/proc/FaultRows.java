package io.lockkit.race.proc;

import io.lockkit.tck.Rule;
import io.lockkit.tck.harness.TcpProxy;
import io.lockkit.tck.scenarios.ScenarioRow;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * Real faults across processes, one row each: {@code F1} a holder JVM paused with SIGSTOP while a
 * rival JVM takes the key, {@code F2} a holder JVM killed with SIGKILL while a rival waits, {@code
 * F3} a holder JVM's store connections cut by a TCP proxy while other JVMs wait. Holder H is always
 * child 0. Every check is a rule: the resumed or cut-off holder MUST be fenced out and MUST NOT
 * release the rival's lock (V3, L3); a crashed holder's lease MUST end by its deadline with no
 * clean-up job (L4); no two holders at once (L1).
 */
final class FaultRows implements AutoCloseable {
    /** The holder's lease where the row waits for it to end (timed) or its idle timeout (PostgreSQL session variants). */
    static final Duration SHORT_LEASE = Duration.ofSeconds(2);
    /** How late after the holder's deadline (or session timeout) a crashed holder's key may be free. */
    static final Duration TOLERANCE = Duration.ofMillis(2500);
    /** The rival's bounded wait. */
    static final Duration MAX_WAIT = Duration.ofSeconds(20);
    /** A lease that never runs out in a correct run. */
    static final Duration LONG_LEASE = Duration.ofSeconds(60);
    /** The holder's lease in F3: long enough that a timed lease survives the cut and the checks. */
    static final Duration F3_LEASE = Duration.ofSeconds(15);
    /** How long waiters are watched, after a timed holder's connections were cut, for a wrong grant. */
    static final Duration WATCH = Duration.ofSeconds(1);

    private final Store store;
    private final PrintStream progress;
    private final Duration guard;

    private final List<TcpProxy> proxies = new ArrayList<>();
    private @Nullable Children direct;
    private @Nullable Children proxied;
    private int crashBase;
    private boolean launchProxied;
    private boolean awaited;

    FaultRows(Store store, PrintStream progress, Duration guard) {
        this.store = store;
        this.progress = progress;
        this.guard = guard;
    }

    /**
     * Starts every child the chosen rows need, without waiting: F1 and F2 two direct children
     * each, F3 four children each behind its own proxy. Starting them together (and with the P
     * rows' children) costs one JVM start-up instead of one per row.
     */
    void launch(boolean pause, boolean crash, boolean connection) throws IOException {
        crashBase = pause ? 2 : 0;
        int n = crashBase + (crash ? 2 : 0);
        if (n > 0) {
            direct = Children.launch("f", n, i -> store.uri(), store.childOptions(true), progress);
        }
        launchProxied = connection && store.hostPort().isPresent();
    }

    /** Waits for the direct children, then starts and waits for F3's (at most four JVMs start at once). */
    private void awaitReady() throws InterruptedException, IOException {
        if (!awaited) {
            awaited = true;
            if (direct != null) {
                direct.awaitReady(deadline());
            }
            if (launchProxied) {
                String[] target = store.hostPort().orElseThrow();
                for (int i = 0; i < 4; i++) {
                    proxies.add(new TcpProxy(target[0], Integer.parseInt(target[1])));
                }
                proxied = Children.launch(
                        "f3", 4, i -> store.uriVia(proxies.get(i).port()), store.childOptions(true), progress);
                proxied.awaitReady(deadline());
            }
        }
    }

    private Children direct() throws InterruptedException, IOException {
        awaitReady();
        if (direct == null) {
            throw new IllegalStateException("no children were launched for F1/F2");
        }
        return direct;
    }

    @Override
    public void close() {
        if (direct != null) {
            direct.close();
        }
        if (proxied != null) {
            proxied.close();
        }
        proxies.forEach(TcpProxy::close);
    }

    private void step(long since, String what) {
        progress.printf("      +%5d ms %s%n", (System.nanoTime() - since) / 1_000_000, what);
    }

    private long deadline() {
        return System.nanoTime() + guard.toNanos();
    }

    /** How long a silent holder keeps the key: its lease, or its session timeout. */
    private Duration expiry() {
        return store.zookeeper() ? Store.ZK_FAST_SESSION : SHORT_LEASE;
    }

    private String freshData(String prefix) {
        String data = prefix + "-data-" + UUID.randomUUID().toString().substring(0, 8);
        store.client()
                .versionedUpdate()
                .create(data, "initial".getBytes(StandardCharsets.UTF_8))
                .orElseThrow(() -> new IllegalStateException("create of fresh key " + data + " returned empty"));
        return data;
    }

    /** F1: H holds and writes, SIGSTOP, R acquires and writes, SIGCONT, H must be fenced out. */
    ScenarioRow pause() throws Exception {
        awaitReady(); // the row's time starts when its JVMs are up
        RowFacts row = new RowFacts("F1", "Paused holder (SIGSTOP), 2 JVMs", store.name());
        row.workers = 2;
        String key = "f1-lock-" + UUID.randomUUID().toString().substring(0, 8);
        Child h = direct().get(0);
        Child r = direct().get(1);
        String data = freshData("f1");
        h.send("HOLD " + key + " " + data + " " + SHORT_LEASE.toMillis());
        Map<String, String> held = Protocol.fields(h.expect("HELD", deadline()));
        if (!row.require("written".equals(held.get("wrote")), Rule.V1, "H's first fenced write was %s", held)) {
            return row.build();
        }
        h.signal("STOP");
        long stopped = System.nanoTime();
        step(stopped, "F1 stopped H " + h);
        try {
            r.send("ACQUIRE " + key + " " + data + " " + LONG_LEASE.toMillis() + " " + MAX_WAIT.toMillis());
            r.expect("WAITING", deadline());
            String answer =
                    r.expectOneOf(System.nanoTime() + MAX_WAIT.plusSeconds(10).toNanos(), "ACQUIRED", "NOTACQUIRED");
            if (answer.startsWith("NOTACQUIRED")) {
                blocked(h, data, row);
                return row.build();
            }
            long acquired = System.nanoTime();
            Map<String, String> got = Protocol.fields(answer);
            row.winners = 2;
            row.note(
                    "R acquired %d ms after H was stopped (H's lease %s, %s)",
                    (acquired - stopped) / 1_000_000, expiry(), store.kind());
            row.require("written".equals(got.get("wrote")), Rule.V3, "R's fenced write was %s", got.get("wrote"));
            row.require(
                    Long.parseLong(got.get("token")) > Long.parseLong(held.get("token")),
                    Rule.L2,
                    "R's token %s must be greater than H's %s",
                    got.get("token"),
                    held.get("token"));
            step(stopped, "F1 R acquired: " + answer);
            Map<String, String> rView = Protocol.fields(r.expect("VALID", sendTo(r, "VALID")));
            row.note("R's lease before H resumed: isValid()=%s", rView.get("valid"));
            h.signal("CONT");
            Map<String, String> zombie = Protocol.fields(h.expect("ZOMBIE", sendTo(h, "ZOMBIE " + data)));
            row.require(
                    "fenced".equals(zombie.get("write")),
                    Rule.V3,
                    "the resumed holder's fenced write MUST throw FencedOutException, it was %s",
                    zombie.get("write"));
            row.require(
                    "false".equals(zombie.get("release")),
                    Rule.L3,
                    "the resumed holder's release() MUST return false, it returned %s",
                    zombie.get("release"));
            row.note(
                    "resumed H: isValid()=%s, write %s, release %s",
                    zombie.get("valid"), zombie.get("write"), zombie.get("release"));
            if ("written".equals(zombie.get("write"))) {
                row.overlaps++;
            }
            step(stopped, "F1 resumed H answered " + zombie);
            checkRival(r, data, got.get("token"), row);
        } catch (Child.ChildFailure e) {
            row.uncaught++;
            row.violation(List.of(Rule.L3, Rule.V3), "%s", e.getMessage());
        } finally {
            h.signal("CONT");
        }
        return row.build();
    }

    /** R could not get the key while H was stopped: H's write must still work, and nothing overlapped. */
    private void blocked(Child h, String data, RowFacts row) throws Exception {
        h.signal("CONT");
        Map<String, String> wrote = Protocol.fields(h.expect("WROTE", sendTo(h, "WRITE " + data)));
        row.require(
                "written".equals(wrote.get("result")),
                Rule.L3,
                "R was kept out, yet H's own write after SIGCONT was %s",
                wrote.get("result"));
        row.winners = 1;
        row.note("blocked, no overlap: R could not acquire within %s while H was stopped", MAX_WAIT);
    }

    /** R still holds: its lease is valid, the data is its write, its release frees the key. */
    private void checkRival(Child r, String data, String token, RowFacts row) throws InterruptedException {
        Map<String, String> checked = Protocol.fields(r.expect("CHECKED", sendTo(r, "CHECK " + data)));
        row.require(
                "true".equals(checked.get("valid")),
                Rule.L3,
                "R's lease was no longer valid after the zombie's release");
        row.require(
                ("by-" + token).equals(checked.get("data")),
                Rule.V3,
                "the data must be R's write by-%s, was %s",
                token,
                checked.get("data"));
        Map<String, String> released = Protocol.fields(r.expect("RELEASED", sendTo(r, "RELEASE")));
        row.require(
                "true".equals(released.get("result")), Rule.L3, "R's release() of its current lease returned false");
    }

    /** F2: H holds, R waits, SIGKILL H; R MUST get the key by H's deadline (or session timeout) + tolerance. */
    ScenarioRow crash() throws Exception {
        awaitReady(); // the row's time starts when its JVMs are up
        RowFacts row = new RowFacts("F2", "Crashed holder (SIGKILL), 2 JVMs", store.name());
        row.workers = 2;
        String key = "f2-lock-" + UUID.randomUUID().toString().substring(0, 8);
        Child h = direct().get(crashBase);
        Child r = direct().get(crashBase + 1);
        String data = freshData("f2");
        long holdSent = System.nanoTime();
        h.send("HOLD " + key + " " + data + " " + SHORT_LEASE.toMillis());
        Map<String, String> held = Protocol.fields(h.expect("HELD", deadline()));
        if (!row.require("written".equals(held.get("wrote")), Rule.V1, "H's first fenced write was %s", held)) {
            return row.build();
        }
        r.send("ACQUIRE " + key + " " + data + " " + LONG_LEASE.toMillis() + " " + MAX_WAIT.toMillis());
        r.expect("WAITING", deadline());
        h.killHard();
        long killed = System.nanoTime();
        try {
            String answer =
                    r.expectOneOf(System.nanoTime() + MAX_WAIT.plusSeconds(10).toNanos(), "ACQUIRED", "NOTACQUIRED");
            long acquired = System.nanoTime();
            if (!row.require(
                    answer.startsWith("ACQUIRED"),
                    Rule.L4,
                    "R waited %s and never got the crashed holder's key: no lease ends without a clean-up job",
                    MAX_WAIT)) {
                return row.build();
            }
            Map<String, String> got = Protocol.fields(answer);
            row.winners = 2;
            long bound = store.kind() == Store.Kind.TIMED
                    ? holdSent + SHORT_LEASE.toNanos() + TOLERANCE.toNanos()
                    : killed + expiry().toNanos() + TOLERANCE.toNanos();
            row.require(
                    acquired - bound <= 0,
                    Rule.L4,
                    "the crashed holder's key was free only %d ms after the kill; bound: %s %s + %s",
                    (acquired - killed) / 1_000_000,
                    store.kind() == Store.Kind.TIMED ? "lease" : "session timeout",
                    expiry(),
                    TOLERANCE);
            row.require(
                    store.kind() == Store.Kind.SESSION || acquired - (holdSent + SHORT_LEASE.toNanos()) >= 0,
                    Rule.L1,
                    "R acquired %d ms before the crashed holder's timed lease could have expired",
                    (holdSent + SHORT_LEASE.toNanos() - acquired) / 1_000_000);
            row.require(
                    Long.parseLong(got.get("token")) > Long.parseLong(held.get("token")),
                    Rule.L2,
                    "R's token %s must be greater than the crashed holder's %s",
                    got.get("token"),
                    held.get("token"));
            row.require("written".equals(got.get("wrote")), Rule.V3, "R's fenced write was %s", got.get("wrote"));
            row.note(
                    "time-to-free: %d ms after SIGKILL (%d ms after H's acquire was sent; %s %s)",
                    (acquired - killed) / 1_000_000,
                    (acquired - holdSent) / 1_000_000,
                    store.kind() == Store.Kind.TIMED ? "lease" : "session",
                    expiry());
            Map<String, String> released = Protocol.fields(r.expect("RELEASED", sendTo(r, "RELEASE")));
            row.require("true".equals(released.get("result")), Rule.L3, "R's release() returned false");
        } catch (Child.ChildFailure e) {
            row.uncaught++;
            row.violation(
                    Rule.L4, "no clean-up job ran, and the crashed holder's key never came free: %s", e.getMessage());
        }
        row.requireOfRow(!h.alive(), "the killed holder JVM %s is still alive", h);
        return row.build();
    }

    /**
     * F3: every child talks to the store through its own proxy; H holds, three other
     * JVMs wait in acquire, then H's proxy cuts its connections. Session leases MUST end (a waiter
     * acquires, H is fenced out and sees isValid() false within the bound; how long H's view lagged
     * the waiter's grant is a note, since a store may free a session lock before any holder can know); timed leases MUST survive (no waiter
     * before H's release, H's write and release work after the blip).
     */
    ScenarioRow connectionLoss() throws Exception {
        awaitReady(); // the row's time starts when its JVMs are up
        RowFacts row = new RowFacts("F3", "Holder's connections cut (TCP proxy), 4 JVMs", store.name());
        row.workers = 4;
        if (store.hostPort().isEmpty()) {
            return RowFacts.skipped(
                    "F3",
                    "Holder's connections cut (TCP proxy)",
                    store.name(),
                    "the store URI names several servers; the proxy fronts one");
        }
        if (proxied == null) {
            throw new IllegalStateException("no children were launched for F3");
        }
        connectionLoss(proxied, proxies.get(0), row);
        return row.build();
    }

    private void connectionLoss(Children c, TcpProxy hProxy, RowFacts row) throws Exception {
        Child h = c.get(0);
        List<Child> waiting = c.list().subList(1, c.size());
        String key = "f3-lock-" + UUID.randomUUID().toString().substring(0, 8);
        String data = freshData("f3");
        h.send("HOLD " + key + " " + data + " " + F3_LEASE.toMillis());
        Map<String, String> held = Protocol.fields(h.expect("HELD", deadline()));
        if (!row.require("written".equals(held.get("wrote")), Rule.V1, "H's first fenced write was %s", held)) {
            return;
        }
        row.winners = 1; // H's grant; each waiter's adds one
        for (Child w : waiting) {
            w.send("ACQUIRE " + key + " " + data + " " + LONG_LEASE.toMillis() + " " + MAX_WAIT.toMillis());
        }
        for (Child w : waiting) {
            w.expect("WAITING", deadline());
        }
        long began = System.nanoTime();
        hProxy.dropConnections();
        long cut = System.nanoTime();
        step(began, "F3 cut H's connections");
        List<Child> left = new ArrayList<>(waiting);
        try {
            if (store.kind() == Store.Kind.SESSION) {
                sessionEnds(h, left, data, cut, row);
            } else {
                timedSurvives(h, left, data, row);
            }
            // Every other waiter gets the key in turn (L7), each after the previous one released.
            while (!left.isEmpty()) {
                Child w = firstAcquired(left, row);
                step(began, "F3 " + w.name() + " acquired");
                left.remove(w);
                Map<String, String> released = Protocol.fields(w.expect("RELEASED", sendTo(w, "RELEASE")));
                row.require("true".equals(released.get("result")), Rule.L3, "waiter %s's release() returned false", w);
            }
        } catch (Child.ChildFailure e) {
            row.uncaught++;
            row.violation(Rule.L4, "%s", e.getMessage());
        }
    }

    /** Session lease: a waiter acquires and writes; only then is H asked for its view; H MUST be fenced out. */
    private void sessionEnds(Child h, List<Child> left, String data, long cut, RowFacts row) throws Exception {
        Child first = firstAcquired(left, row);
        left.remove(first);
        row.note("a waiter acquired %d ms after H's connections were cut", (System.nanoTime() - cut) / 1_000_000);
        step(cut, "F3 first waiter " + first.name() + " acquired");
        Map<String, String> view = Protocol.fields(h.expect("VALID", sendTo(h, "VALID")));
        Map<String, String> lag =
                Protocol.fields(h.expect("INVALID", sendTo(h, "AWAITINVALID " + MAX_WAIT.toMillis())));
        boolean stillValid = "true".equals(view.get("valid"));
        if (stillValid) {
            // A store that frees a session lock the moment the connection drops (PostgreSQL) is ahead
            // of any holder, whose only news comes over the cut network: the fence below, not
            // isValid(), protects the data in that window. Reported as measured, not as a violation.
            row.note(
                    "window: H still saw isValid() true after another JVM had acquired and written; false %s later"
                            + " (the fenced write below is what protects the data)",
                    lag.get("after"));
        }
        row.require(
                !"never".equals(lag.get("after")),
                Rule.L5,
                "H's session lease was still valid %s after its connections were cut",
                MAX_WAIT);
        Map<String, String> zombie = Protocol.fields(h.expect("ZOMBIE", sendTo(h, "ZOMBIE " + data)));
        step(cut, "F3 cut-off holder answered " + zombie);
        row.require(
                "fenced".equals(zombie.get("write")),
                Rule.V3,
                "the cut-off holder's fenced write MUST throw FencedOutException, it was %s",
                zombie.get("write"));
        row.require(
                "false".equals(zombie.get("release")),
                Rule.L3,
                "the cut-off holder's release() MUST return false, it returned %s",
                zombie.get("release"));
        row.note(
                "cut-off H, once a waiter had acquired: isValid()=%s (false %s later), write %s, release %s",
                view.get("valid"), lag.get("after"), zombie.get("write"), zombie.get("release"));
        Map<String, String> released = Protocol.fields(first.expect("RELEASED", sendTo(first, "RELEASE")));
        row.require("true".equals(released.get("result")), Rule.L3, "the first waiter's release() returned false");
    }

    /** Timed lease: no waiter gets the key during the blip; H is still valid, writes and releases. */
    private void timedSurvives(Child h, List<Child> left, String data, RowFacts row) throws Exception {
        Map<String, String> valid = Protocol.fields(h.expect("VALID", sendTo(h, "VALID")));
        row.require(
                "true".equals(valid.get("valid")),
                Rule.L5,
                "a timed lease became invalid when only its connections were cut");
        long watchEnd = System.nanoTime() + WATCH.toNanos();
        for (Child w : left) {
            early(w, w.next(watchEnd), "while H still held its timed lease", row);
        }
        Map<String, String> wrote = Protocol.fields(h.expect("WROTE", sendTo(h, "WRITE " + data)));
        row.require(
                "written".equals(wrote.get("result")),
                Rule.L3,
                "H's fenced write after the blip was %s; the client must reconnect",
                wrote.get("result"));
        for (Child w : left) {
            early(w, w.next(System.nanoTime()), "before H released", row);
        }
        Map<String, String> released = Protocol.fields(h.expect("RELEASED", sendTo(h, "RELEASE")));
        row.require("true".equals(released.get("result")), Rule.L3, "H's release() after the blip returned false");
        row.note(
                "H's timed lease survived the cut: valid %s, write %s, release %s",
                valid.get("valid"), wrote.get("result"), released.get("result"));
    }

    /** A waiter answered before H released: an overlap when it acquired, else a failure of its own. */
    private static void early(Child w, Optional<String> line, String when, RowFacts row) {
        if (line.isEmpty()) {
            return;
        }
        if (line.get().startsWith("ACQUIRED")) {
            row.overlaps++;
            row.violation(Rule.L1, "%s acquired the key %s: '%s'", w, when, line.get());
        } else {
            row.uncaught++;
            row.violation(Rule.L7, "waiter %s answered '%s' %s", w, line.get(), when);
        }
    }

    /** The first of {@code left} to answer ACQUIRED (polling all with one deadline). */
    private Child firstAcquired(List<Child> left, RowFacts row) throws InterruptedException {
        long end = System.nanoTime() + MAX_WAIT.plusSeconds(10).toNanos();
        while (System.nanoTime() - end < 0) {
            for (Child w : left) {
                Optional<String> line = w.next(System.nanoTime() + 20_000_000L);
                if (line.isEmpty()) {
                    continue;
                }
                String l = line.get();
                if (l.startsWith("ACQUIRED")) {
                    row.winners++;
                    row.require(
                            "written".equals(Protocol.fields(l).get("wrote")),
                            Rule.V3,
                            "waiter %s's fenced write was %s",
                            w,
                            Protocol.fields(l).get("wrote"));
                    return w;
                }
                throw new Child.ChildFailure(w + " answered '" + l + "' instead of ACQUIRED");
            }
        }
        throw new Child.ChildFailure("no waiter acquired the key within " + MAX_WAIT.plusSeconds(10));
    }

    /** Sends {@code line} to {@code child}; returns the deadline for its answer. */
    private long sendTo(Child child, String line) {
        child.send(line);
        return deadline();
    }
}
