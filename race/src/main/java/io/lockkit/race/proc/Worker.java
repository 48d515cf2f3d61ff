package io.lockkit.race.proc;

import io.lockkit.Backend;
import io.lockkit.BackendUnavailableException;
import io.lockkit.FencedOutException;
import io.lockkit.Lease;
import io.lockkit.LockKit;
import io.lockkit.Versioned;
import io.lockkit.VersionedUpdate;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * A child JVM of the multi-process race: opens one backend with {@link LockKit#open(String, Map)},
 * warms it up with one call, prints {@code READY <pid>}, then obeys one command per stdin line and
 * answers on stdout (see {@link Protocol}). Races wait for {@code GO}, the cross-process barrier.
 * Every answer is one line; a failed command answers {@code ERROR <command> <exception>}. Not
 * thread-safe as a type; it serialises its own commands.
 *
 * <p>Arguments: the URI, then {@code name=value} options.
 */
public final class Worker {
    private final Backend backend;
    private final long epochBaseNanos;
    private final long nanoBase;
    /** How uncertain {@link #epochBaseNanos} is: the gap between the monotonic readings around it. */
    private final long clockGapNanos;

    private int uncaught;
    private int hung;
    private String firstError = "";
    private volatile CountDownLatch go = new CountDownLatch(0);
    private volatile CountDownLatch allTried = new CountDownLatch(0);
    private @Nullable Lease held;

    private Worker(Backend backend) {
        this.backend = backend;
        // The wall clock read between two monotonic readings; of several tries, the one with the
        // smallest gap (a thread descheduled in between on a loaded host would skew the base).
        long bestGap = Long.MAX_VALUE;
        long base = 0;
        long epoch = 0;
        for (int i = 0; i < 20; i++) {
            long before = System.nanoTime();
            Instant now = Instant.now();
            long after = System.nanoTime();
            if (after - before < bestGap) {
                bestGap = after - before;
                base = before + (after - before) / 2;
                epoch = now.getEpochSecond() * 1_000_000_000L + now.getNano();
            }
        }
        this.nanoBase = base;
        this.epochBaseNanos = epoch;
        this.clockGapNanos = bestGap;
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: Worker <uri> [name=value …]");
            System.exit(2);
        }
        Map<String, String> options = new HashMap<>();
        for (int i = 1; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            if (eq <= 0) {
                System.err.println("worker: bad option '" + args[i] + "', expected name=value");
                System.exit(2);
            }
            options.put(args[i].substring(0, eq), args[i].substring(eq + 1));
        }
        int status = 0;
        try {
            // Never closed: QUIT halts the JVM, and the store ends its connections and sessions then.
            Backend backend = openWarm(args[0], options);
            Protocol.say("READY " + ProcessHandle.current().pid());
            new Worker(backend).loop();
        } catch (Throwable e) {
            Protocol.say("ERROR open " + Protocol.oneLine(e));
            status = 1;
        }
        // Backend threads (Redisson, Curator) must never keep a child alive after QUIT.
        Runtime.getRuntime().halt(status);
    }

    /**
     * Opens the backend and makes one call. Ten JVMs starting at once on a loaded two-core host may
     * miss a connect timeout: an unavailable store is tried again, with a short back-off, for 120 s.
     */
    private static Backend openWarm(String uri, Map<String, String> options) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        String warm = "warmup-" + ProcessHandle.current().pid();
        while (true) {
            Backend backend = null;
            try {
                backend = LockKit.open(uri, options);
                backend.jobLock().tryAcquire(warm, Duration.ofSeconds(10)).ifPresent(Lease::release);
                return backend;
            } catch (BackendUnavailableException e) {
                if (backend != null) {
                    backend.close();
                }
                if (System.nanoTime() - end > 0) {
                    throw e;
                }
                System.err.println("store unavailable, trying again: " + e.getMessage());
                TimeUnit.MILLISECONDS.sleep(500); // back-off before a new attempt, not a wait for a condition
            }
        }
    }

    private void loop() throws Exception {
        ExecutorService ops = Executors.newSingleThreadExecutor(daemon("worker-op"));
        try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                String command = line.trim();
                if (command.equals(Protocol.GO)) {
                    go.countDown();
                } else if (command.equals(Protocol.ALL_TRIED)) {
                    allTried.countDown();
                } else if (command.equals(Protocol.QUIT)) {
                    break;
                } else if (!command.isEmpty()) {
                    ops.submit(() -> obey(command));
                }
            }
        } finally {
            ops.shutdownNow();
        }
    }

    private void obey(String command) {
        String[] a = command.split(" ");
        try {
            switch (a[0]) {
                case "P1" -> claim(a[1], Integer.parseInt(a[2]), millis(a[3]), millis(a[4]));
                case "P2" -> doubleExecution(a[1], a[2], Integer.parseInt(a[3]), millis(a[4]), millis(a[5]));
                case "HOLD" -> hold(a[1], a[2], millis(a[3]));
                case "ACQUIRE" -> acquire(a[1], a[2], millis(a[3]), millis(a[4]));
                case "VALID" -> Protocol.say("VALID valid=" + lease().isValid());
                case "WRITE" -> Protocol.say("WROTE result=" + write(a[1], lease(), "by-" + lease().token()));
                case "ZOMBIE" -> zombie(a[1]);
                case "AWAITINVALID" -> awaitInvalid(millis(a[1]));
                case "CHECK" -> check(a[1]);
                case "RELEASE" -> Protocol.say("RELEASED result=" + lease().release());
                case "SOAK" -> new SoakLoop(backend, SoakLoop.Params.parse(a), Protocol::say).run();
                default -> Protocol.say("ERROR " + a[0] + " unknown command");
            }
        } catch (Throwable e) {
            Protocol.say("ERROR " + a[0] + " " + Protocol.oneLine(e));
        }
    }

    private Lease lease() {
        Lease h = held;
        if (h == null) {
            throw new IllegalStateException("no lease is held");
        }
        return h;
    }

    /** Scenario 1: every thread tries once; the winner holds until every thread of every child tried. */
    private void claim(String key, int workers, Duration lease, Duration guard) throws Exception {
        CountDownLatch firstTries = arm(workers);
        AtomicInteger won = new AtomicInteger();
        AtomicInteger releaseFalse = new AtomicInteger();
        AtomicInteger empty = new AtomicInteger();
        List<long[]> sections = new ArrayList<>();
        race(workers, guard, firstTries, i -> {
            long sent = System.nanoTime();
            Optional<Lease> claim;
            try {
                claim = backend.jobLock().tryAcquire(key, lease);
            } finally {
                firstTries.countDown();
            }
            if (claim.isEmpty()) {
                empty.incrementAndGet();
                return;
            }
            long start = System.nanoTime();
            allTried.await(guard.toNanos(), TimeUnit.NANOSECONDS);
            section(sections, start, Math.min(System.nanoTime(), sent + lease.toNanos()));
            (claim.get().release() ? won : releaseFalse).incrementAndGet();
        });
        report(sections, "won=" + won + " releaseFalse=" + releaseFalse + " empty=" + empty);
    }

    /** Scenario 2, exactly as the TCK's DoubleExecution, the stale copies read before the barrier. */
    private void doubleExecution(String lockKey, String entity, int workers, Duration lease, Duration maxWait)
            throws Exception {
        VersionedUpdate store = backend.versionedUpdate();
        Versioned[] stale = new Versioned[workers];
        for (int i = 0; i < workers; i++) {
            stale[i] = store.read(entity).orElseThrow(() -> new IllegalStateException("no entity " + entity));
        }
        CountDownLatch firstTries = arm(workers);
        Map<String, AtomicInteger> outcomes = new HashMap<>();
        for (String o : List.of(
                "executed", "lockedThenExecuted", "blocked", "lockedThenBlocked", "gaveUp", "rejected", "fenced")) {
            outcomes.put(o, new AtomicInteger());
        }
        AtomicInteger sideEffects = new AtomicInteger();
        List<long[]> sections = new ArrayList<>();
        race(workers, maxWait.plusSeconds(30), firstTries, i -> {
            long sent = System.nanoTime();
            Optional<Lease> got;
            try {
                got = backend.jobLock().tryAcquire(lockKey, lease);
            } finally {
                firstTries.countDown();
            }
            boolean toldLocked = got.isEmpty();
            if (toldLocked) {
                sent = System.nanoTime();
                got = backend.jobLock().acquire(lockKey, lease, maxWait);
            }
            if (got.isEmpty()) {
                outcomes.get("gaveUp").incrementAndGet();
                return;
            }
            long start = System.nanoTime();
            String outcome;
            try {
                outcome = transition(store, entity, stale[i], got.get(), toldLocked, sideEffects, maxWait);
            } finally {
                section(sections, start, Math.min(System.nanoTime(), sent + lease.toNanos()));
                got.get().release();
            }
            outcomes.get(outcome).incrementAndGet();
        });
        StringBuilder counts = new StringBuilder("sideEffects=" + sideEffects);
        outcomes.forEach((k, v) -> counts.append(' ').append(k).append('=').append(v));
        report(sections, counts.toString());
    }

    private String transition(
            VersionedUpdate store,
            String entity,
            Versioned staleCopy,
            Lease lease,
            boolean toldLocked,
            AtomicInteger sideEffects,
            Duration maxWait)
            throws InterruptedException {
        Optional<Versioned> fresh = store.read(entity);
        boolean unchanged = fresh.isPresent()
                && fresh.get().version() == staleCopy.version()
                && "PENDING".equals(fresh.get().valueAsString());
        if (!unchanged) {
            return toldLocked ? "lockedThenBlocked" : "blocked";
        }
        sideEffects.incrementAndGet();
        // As in the TCK: the side effect lasts until every worker of every child tried once, plus 20 ms.
        allTried.await(maxWait.toNanos(), TimeUnit.NANOSECONDS);
        TimeUnit.MILLISECONDS.sleep(20);
        try {
            Optional<Versioned> written = store.compareAndSet(
                    entity,
                    staleCopy.version(),
                    ("DONE by " + ProcessHandle.current().pid()).getBytes(StandardCharsets.UTF_8),
                    lease.token());
            if (written.isEmpty()) {
                return "rejected";
            }
        } catch (FencedOutException e) {
            return "fenced";
        }
        return toldLocked ? "lockedThenExecuted" : "executed";
    }

    /** New barrier and all-tried latches for one race; prints ARMED once they exist. */
    private CountDownLatch arm(int workers) {
        go = new CountDownLatch(1);
        allTried = new CountDownLatch(1);
        return new CountDownLatch(workers);
    }

    @FunctionalInterface
    private interface Body {
        void run(int index) throws Exception;
    }

    /**
     * Runs {@code workers} threads released together by GO; prints TRIED once each thread made its
     * first attempt, then waits for all of them until the guard; hung threads and exceptions are
     * counted in the RESULT line by {@link #report}.
     */
    private void race(int workers, Duration guard, CountDownLatch firstTries, Body body) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(workers, daemon("worker-race"));
        CountDownLatch started = go;
        uncaught = 0;
        hung = 0;
        firstError = "";
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int i = 0; i < workers; i++) {
                int index = i;
                futures.add(pool.submit(() -> {
                    if (!started.await(guard.toNanos(), TimeUnit.NANOSECONDS)) {
                        throw new IllegalStateException("no GO within " + guard);
                    }
                    body.run(index);
                    return null;
                }));
            }
            Protocol.say(Protocol.ARMED);
            long end = System.nanoTime() + guard.toNanos();
            if (firstTries.await(guard.toNanos(), TimeUnit.NANOSECONDS)) {
                Protocol.say(Protocol.TRIED);
            }
            for (Future<?> f : futures) {
                try {
                    f.get(Math.max(0, end - System.nanoTime()), TimeUnit.NANOSECONDS);
                } catch (ExecutionException e) {
                    uncaught++;
                    if (firstError.isEmpty()) {
                        firstError = Protocol.oneLine(e.getCause() == null ? e : e.getCause());
                    }
                } catch (TimeoutException e) {
                    f.cancel(true);
                    hung++;
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private synchronized void section(List<long[]> sections, long startNanos, long endNanos) {
        sections.add(new long[] {epoch(startNanos), epoch(endNanos)});
    }

    /** Wall-clock nanoseconds, shared by every process of this host, from this JVM's monotonic clock. */
    private long epoch(long nanoTime) {
        return epochBaseNanos + (nanoTime - nanoBase);
    }

    private void report(List<long[]> sections, String counts) {
        synchronized (this) {
            for (long[] s : sections) {
                Protocol.say("SECTION " + s[0] + " " + s[1]);
            }
        }
        Protocol.say("RESULT " + counts + " uncaught=" + uncaught + " hung=" + hung + " clockGapNanos=" + clockGapNanos
                + (firstError.isEmpty() ? "" : " error=" + firstError.replace(' ', '_')));
    }

    private void hold(String key, String data, Duration lease) {
        Optional<Lease> got = backend.jobLock().tryAcquire(key, lease);
        if (got.isEmpty()) {
            Protocol.say("HELD none");
            return;
        }
        held = got.get();
        Protocol.say("HELD token=" + held.token() + " wrote=" + write(data, held, "by-" + held.token()));
    }

    private void acquire(String key, String data, Duration lease, Duration maxWait) throws InterruptedException {
        Protocol.say("WAITING");
        Optional<Lease> got = backend.jobLock().acquire(key, lease, maxWait);
        if (got.isEmpty()) {
            Protocol.say("NOTACQUIRED");
            return;
        }
        held = got.get();
        Protocol.say("ACQUIRED token=" + held.token() + " wrote=" + write(data, held, "by-" + held.token()));
    }

    /** Polls the held lease's isValid() (no I/O) until false; reports how long that took, or never. */
    private void awaitInvalid(Duration atMost) throws InterruptedException {
        Lease h = lease();
        long start = System.nanoTime();
        long end = start + atMost.toNanos();
        while (h.isValid() && System.nanoTime() - end < 0) {
            TimeUnit.MILLISECONDS.sleep(1); // polling with a deadline
        }
        Protocol.say("INVALID after=" + (h.isValid() ? "never" : ((System.nanoTime() - start) / 1_000_000) + "ms"));
    }

    /** The paused or cut-off holder, resumed: its view, its fenced write, its release. */
    private void zombie(String data) {
        Lease h = lease();
        boolean valid = h.isValid();
        String write = write(data, h, "zombie-" + h.token());
        Protocol.say("ZOMBIE valid=" + valid + " write=" + write + " release=" + h.release());
    }

    private void check(String data) {
        Lease h = lease();
        boolean valid = h.isValid();
        String value = backend.versionedUpdate()
                .read(data)
                .map(Versioned::valueAsString)
                .orElse("absent");
        Protocol.say("CHECKED valid=" + valid + " data=" + value);
    }

    /** A fenced compare-and-set against the current version: written, empty (version moved) or fenced. */
    private String write(String data, Lease lease, String value) {
        VersionedUpdate store = backend.versionedUpdate();
        long version = store.read(data).map(Versioned::version).orElse(0L);
        try {
            return store.compareAndSet(data, version, value.getBytes(StandardCharsets.UTF_8), lease.token())
                            .isPresent()
                    ? "written"
                    : "empty";
        } catch (FencedOutException e) {
            return "fenced";
        }
    }

    private static Duration millis(String s) {
        return Duration.ofMillis(Long.parseLong(s));
    }

    private static java.util.concurrent.ThreadFactory daemon(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
