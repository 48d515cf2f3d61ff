package io.lockkit.race.proc;

import io.lockkit.Backend;
import io.lockkit.BackendUnavailableException;
import io.lockkit.FencedOutException;
import io.lockkit.KeepAlive;
import io.lockkit.Lease;
import io.lockkit.OutcomeUnknownException;
import io.lockkit.Versioned;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * The soak's workers on one client: each thread, until the end, picks a key (eight in ten from a
 * few hot ones), acquires it (try, or blocking for up to half a second, half each), then either
 * writes one to three times and releases, or (one in twenty) holds it through a {@link KeepAlive}
 * for one and a half leases while writing, or (a given share) stalls past its lease without
 * extending and then writes and releases like a zombie. Every write appends
 * {@code token.writer.seq;} to the key's record with a fenced compare-and-set on the version read.
 *
 * <p>It reports, as one line each ({@link SoakHistory} reads them; times are {@link #now()}): {@code SB
 * key token writer sent granted bound} a grant (when the acquire was sent, when the grant came back,
 * and the lease's deadline by the send-time rule), {@code SE key token writer end released} its end
 * (the earliest of the release's send time, the deadline the holder last knew, and the moment the
 * lease was reported lost), {@code SW key token writer seq} an acknowledged write,
 * {@code SU key token writer seq} a write whose outcome is unknown, {@code SOAKCOUNT writer=…
 * name=count …} every second, and {@code SOAKDONE writer=… name=count …} at the end. Thread-safe.
 */
final class SoakLoop {
    /**
     * What to run.
     *
     * @param prefix the run's key prefix (no spaces)
     * @param writer this client's writer id (no spaces or dots), such as {@code c3} or {@code c3r1}
     * @param workers threads on this client
     * @param hotKeys keys that get eight in ten acquires
     * @param coldKeys keys that get the rest
     * @param lease every lease's length
     * @param duration how long to run from the start
     * @param stallPercent the share of grants whose holder stalls past its lease
     * @param seed the random seed
     */
    record Params(
            String prefix,
            String writer,
            int workers,
            int hotKeys,
            int coldKeys,
            Duration lease,
            Duration duration,
            int stallPercent,
            long seed) {
        Params {
            if (prefix.contains(" ") || writer.contains(" ") || writer.contains(".")) {
                throw new IllegalArgumentException("prefix and writer must hold no spaces (writer no dots)");
            }
            if (workers < 1 || hotKeys < 1 || coldKeys < 0 || stallPercent < 0 || stallPercent > 50) {
                throw new IllegalArgumentException("bad soak parameters: " + this);
            }
        }

        /** The command line a child obeys. */
        String command() {
            return String.join(
                    " ",
                    "SOAK",
                    prefix,
                    writer,
                    Integer.toString(workers),
                    Integer.toString(hotKeys),
                    Integer.toString(coldKeys),
                    Long.toString(lease.toMillis()),
                    Long.toString(duration.toMillis()),
                    Integer.toString(stallPercent),
                    Long.toString(seed));
        }

        static Params parse(String[] a) {
            return new Params(
                    a[1],
                    a[2],
                    Integer.parseInt(a[3]),
                    Integer.parseInt(a[4]),
                    Integer.parseInt(a[5]),
                    Duration.ofMillis(Long.parseLong(a[6])),
                    Duration.ofMillis(Long.parseLong(a[7])),
                    Integer.parseInt(a[8]),
                    Long.parseLong(a[9]));
        }

        Params withWriter(String writer, Duration duration) {
            return new Params(prefix, writer, workers, hotKeys, coldKeys, lease, duration, stallPercent, seed);
        }

        /** The lock key of index {@code i} (hot ones first). */
        String key(int i) {
            return i < hotKeys ? prefix + "-hot-" + i : prefix + "-cold-" + (i - hotKeys);
        }

        /** The versioned key holding the record of lock key {@code key}. */
        static String record(String key) {
            return key + "-record";
        }
    }

    /** The share of grants held through a {@link KeepAlive} for one and a half leases. */
    static final int KEPT_ALIVE_PERCENT = 5;

    private final Backend backend;
    private final Params p;
    private final Consumer<String> out;
    private final LongAdder attempts = new LongAdder();
    private final LongAdder grants = new LongAdder();
    private final LongAdder notAcquired = new LongAdder();
    private final LongAdder writes = new LongAdder();
    private final LongAdder acked = new LongAdder();
    private final LongAdder fenced = new LongAdder();
    private final LongAdder conflicts = new LongAdder();
    private final LongAdder unknown = new LongAdder();
    private final LongAdder unavailable = new LongAdder();
    private final LongAdder releases = new LongAdder();
    private final LongAdder releasedFalse = new LongAdder();
    private final LongAdder stalls = new LongAdder();
    private final LongAdder keptAlive = new LongAdder();
    private final LongAdder errors = new LongAdder();

    SoakLoop(Backend backend, Params p, Consumer<String> out) {
        this.backend = backend;
        this.p = p;
        this.out = out;
    }

    /**
     * The soak's clock: {@link System#nanoTime()}, which on Linux is {@code CLOCK_MONOTONIC}, one clock
     * for every process of the host, so the JVMs' stamps compare without an offset (a wall clock
     * sampled once per JVM would carry each JVM's sampling error and any step of the clock between
     * their starts). The multi-process soak runs on one Linux host.
     */
    static long now() {
        return System.nanoTime();
    }

    /** Runs the workers to the end, then reports {@code SOAKDONE}. */
    void run() throws InterruptedException {
        long end = System.nanoTime() + p.duration().toNanos();
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < p.workers(); w++) {
            int worker = w;
            Thread t = new Thread(() -> work(worker, end), "soak-" + p.writer() + "-" + w);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
        Thread reporter = new Thread(
                () -> {
                    while (threads.stream().anyMatch(Thread::isAlive)) {
                        out.accept("SOAKCOUNT " + counts());
                        pause(1000);
                    }
                },
                "soak-counts-" + p.writer());
        reporter.setDaemon(true);
        reporter.start();
        for (Thread t : threads) {
            t.join();
        }
        out.accept("SOAKDONE " + counts());
    }

    /** The counts so far, as {@code writer=… name=count …}. */
    private String counts() {
        return "writer=" + p.writer() + " attempts=" + attempts + " grants=" + grants + " notAcquired=" + notAcquired
                + " writes="
                + writes + " acked=" + acked + " fenced=" + fenced + " conflicts=" + conflicts + " unknown=" + unknown
                + " unavailable=" + unavailable + " releases=" + releases + " releasedFalse=" + releasedFalse
                + " stalls=" + stalls + " keptAlive=" + keptAlive + " errors=" + errors;
    }

    private void work(int worker, long end) {
        SplittableRandom rnd = new SplittableRandom(p.seed() * 31 + p.writer().hashCode() * 1_000_003L + worker);
        String writer = p.writer() + "-" + worker;
        long[] seq = {0};
        while (System.nanoTime() - end < 0) {
            int index = rnd.nextInt(100) < 80 || p.coldKeys() == 0
                    ? rnd.nextInt(p.hotKeys())
                    : p.hotKeys() + rnd.nextInt(p.coldKeys());
            String key = p.key(index);
            try {
                once(key, writer, seq, rnd);
            } catch (InterruptedException e) {
                return;
            } catch (BackendUnavailableException e) {
                unavailable.increment();
                pause(50);
            } catch (RuntimeException e) {
                errors.increment();
                System.err.println("soak " + writer + ": " + Protocol.oneLine(e));
                pause(50);
            }
        }
    }

    private void once(String key, String writer, long[] seq, SplittableRandom rnd) throws InterruptedException {
        attempts.increment();
        boolean blocking = rnd.nextBoolean();
        long sent = System.nanoTime();
        Optional<Lease> got = blocking
                ? backend.jobLock().acquire(key, p.lease(), Duration.ofMillis(rnd.nextInt(500)))
                : backend.jobLock().tryAcquire(key, p.lease());
        if (got.isEmpty()) {
            notAcquired.increment();
            if (!blocking) {
                pause(1 + rnd.nextInt(20)); // a back-off before trying another key, not a wait for a condition
            }
            return;
        }
        Lease lease = got.get();
        long granted = now();
        grants.increment();
        long[] bound = {sent + p.lease().toNanos()};
        long[] lost = {Long.MAX_VALUE};
        lease.onLost(l -> {
            long at = now();
            synchronized (lost) {
                lost[0] = Math.min(lost[0], at);
            }
        });
        out.accept("SB " + key + " " + lease.token() + " " + writer + " " + sent + " " + granted + " " + bound[0]);
        int mode = rnd.nextInt(100);
        long released = 0;
        boolean result = false;
        try {
            if (mode < p.stallPercent()) {
                stalls.increment();
                write(key, lease, writer, seq, bound);
                pause(p.lease().toMillis() * 3 / 2); // stalls past its lease without extending
                write(key, lease, writer, seq, bound); // a zombie's write: fencing must refuse it once another wrote
            } else if (mode < p.stallPercent() + KEPT_ALIVE_PERCENT) {
                keptAlive.increment();
                try (KeepAlive keepAlive = KeepAlive.start(lease, p.lease())) {
                    for (int i = 0; i < 3; i++) {
                        pause(p.lease().toMillis() / 2);
                        write(key, lease, writer, seq, bound);
                    }
                }
            } else {
                int n = 1 + rnd.nextInt(3);
                for (int i = 0; i < n; i++) {
                    write(key, lease, writer, seq, bound);
                }
            }
        } finally {
            released = System.nanoTime();
            observe(lease, bound);
            try {
                releases.increment();
                result = lease.release();
                if (!result) {
                    releasedFalse.increment();
                }
            } finally {
                long lostAt;
                synchronized (lost) {
                    lostAt = lost[0];
                }
                out.accept("SE " + key + " " + lease.token() + " " + writer + " "
                        + Math.min(Math.min(released, bound[0]), lostAt) + " " + result);
            }
        }
    }

    /** Moves the holder's known deadline to what the lease says now (extends move it on). */
    private static void observe(Lease lease, long[] bound) {
        long now = System.nanoTime();
        long remaining = lease.remaining().toNanos();
        if (remaining > 0 && now + remaining - bound[0] > 0) {
            bound[0] = now + remaining;
        }
    }

    private void write(String key, Lease lease, String writer, long[] seq, long[] bound) {
        observe(lease, bound);
        writes.increment();
        long n = ++seq[0];
        String entry = lease.token() + "." + writer + "." + n + ";";
        String record = Params.record(key);
        try {
            for (int attempt = 0; attempt < 5; attempt++) {
                Optional<Versioned> current = backend.versionedUpdate().read(record);
                Optional<Versioned> written = current.isEmpty()
                        ? backend.versionedUpdate().create(record, bytes(entry), lease.token())
                        : backend.versionedUpdate()
                                .compareAndSet(
                                        record,
                                        current.get().version(),
                                        bytes(current.get().valueAsString() + entry),
                                        lease.token());
                if (written.isPresent()) {
                    acked.increment();
                    out.accept("SW " + key + " " + lease.token() + " " + writer + " " + n);
                    return;
                }
                conflicts.increment();
            }
        } catch (FencedOutException e) {
            fenced.increment();
        } catch (OutcomeUnknownException e) {
            unknown.increment();
            out.accept("SU " + key + " " + lease.token() + " " + writer + " " + n);
        } catch (BackendUnavailableException e) {
            unavailable.increment(); // not acknowledged: the record may or may not hold it, both are allowed
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
