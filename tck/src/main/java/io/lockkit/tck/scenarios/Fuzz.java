package io.lockkit.tck.scenarios;

import io.lockkit.Backend;
import io.lockkit.JobLock;
import io.lockkit.Lease;
import io.lockkit.LeaseLimits;
import io.lockkit.tck.LeaseKind;
import io.lockkit.tck.Rule;
import io.lockkit.tck.TckSettings;
import io.lockkit.tck.TckTarget;
import io.lockkit.tck.harness.ClientPool;
import io.lockkit.tck.harness.IntervalRecorder;
import io.lockkit.tck.harness.Keys;
import io.lockkit.tck.harness.Race;
import io.lockkit.tck.harness.RaceResult;
import java.time.Duration;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * Scenario 11 (L1, L3, L4): threads on K clients take random keys from a small set with random
 * leases and random hold times, some longer than the lease so that leases expire under their
 * holders, sometimes extending, for a fixed time. No two critical sections of one key may overlap,
 * where a section ends at the earliest of its release call, {@code isValid()} seen false, and its
 * deadline bound ({@link IntervalRecorder}). A holder acts only on a valid lease (L5): a lease that
 * a waiting acquire returns already invalid (its reply came back after the lease ended, as under a
 * pause) is released unused ({@link IntervalRecorder#beginIfValid}). Such leases must stay the
 * exception: more of them than sections acted on fails the row.
 */
final class Fuzz extends AbstractScenario {
    private static final int THREADS = 16;
    private static final int KEYS = 4;
    private static final long SLICE = Duration.ofMillis(20).toNanos();

    private record Tally(int attempts, int extensions) {}

    Fuzz() {
        super("11", "Fuzz", Rule.L1, Rule.L3, Rule.L4, Rule.L5);
    }

    @Override
    void execute(TckTarget target, TckSettings settings, Row row) throws Exception {
        int threads = Math.min(THREADS, settings.workers());
        String prefix = Keys.fresh("s11-key-");
        long seed = System.nanoTime();
        long end = System.nanoTime() + settings.fuzz().toNanos();
        IntervalRecorder recorder = new IntervalRecorder();
        row.workers(threads);
        try (ClientPool clients = ClientPool.open(target, settings.clients())) {
            RaceResult<Tally> race = Race.run(threads, settings.deadline().plus(settings.fuzz()), i -> {
                SplittableRandom random = new SplittableRandom(seed + i);
                int attempts = 0, extensions = 0;
                while (System.nanoTime() - end < 0) {
                    attempts++;
                    Step step = new Step(random, prefix, clients, settings);
                    Optional<Step.Result> held = step.run(recorder);
                    if (held.isPresent() && held.get().extended()) {
                        extensions++;
                    }
                }
                return new Tally(attempts, extensions);
            });
            row.race(race);
            row.overlaps(recorder);
            row.winners(recorder.sections());
            row.require(
                    recorder.sections() > 0 && recorder.invalidOnReturn() <= recorder.sections(),
                    Rule.L5,
                    "%d leases were already invalid as acquire returned, against %d acted on: a lease must be valid"
                            + " when granted, and with so few sections the overlap check proves little",
                    recorder.invalidOnReturn(),
                    recorder.sections());
            row.note(
                    "seed %d: %d attempts, %d sections (%d expired under their holder, %d more leases already"
                            + " invalid as acquire returned, released unused), %d extended, %d threads on %d clients"
                            + " over %d keys",
                    seed,
                    race.outcomes().stream().mapToInt(Tally::attempts).sum(),
                    recorder.sections(),
                    recorder.endedByDeadline(),
                    recorder.invalidOnReturn(),
                    race.outcomes().stream().mapToInt(Tally::extensions).sum(),
                    threads,
                    clients.size(),
                    KEYS);
        }
    }

    /** One random acquire, hold and release. */
    private static final class Step {
        record Result(boolean extended) {}

        private final SplittableRandom random;
        private final String key;
        private final JobLock lock;
        private final Duration lease;
        private final boolean timed;

        Step(SplittableRandom random, String prefix, ClientPool clients, TckSettings settings) {
            this.random = random;
            this.key = prefix + random.nextInt(KEYS);
            Backend client = clients.get(random.nextInt(clients.size()));
            this.lock = client.jobLock();
            this.timed = LeaseKind.of(client) == LeaseKind.TIMED;
            // 50–500 ms at the default short lease of 1 s, within what the backend grants
            long base = settings.shortLease().toNanos();
            long drawn = Math.max(1_000_000, random.nextLong(base / 20, base / 2 + 1));
            LeaseLimits limits = lock.leaseLimits();
            this.lease = Duration.ofNanos(Math.min(
                    Math.max(drawn, limits.shortest().toNanos()),
                    limits.longest().toNanos()));
        }

        Optional<Result> run(IntervalRecorder recorder) throws InterruptedException {
            long sent = System.nanoTime();
            Optional<Lease> acquired = random.nextBoolean()
                    ? lock.tryAcquire(key, lease)
                    : lock.acquire(key, lease, Duration.ofNanos(random.nextLong(lease.toNanos() + 1)));
            if (acquired.isEmpty()) {
                return Optional.empty();
            }
            Lease held = acquired.get();
            Optional<IntervalRecorder.Section> begun = recorder.beginIfValid(key, sent, lease, held, timed);
            if (begun.isEmpty()) { // a waiting acquire's reply came back after the lease had ended
                held.release();
                return Optional.empty();
            }
            IntervalRecorder.Section section = begun.get();
            boolean extended = false;
            try {
                // Mostly short holds, so keys change hands often; one in four holds 50–150% of the
                // lease, so about half of those outlive it, as a paused holder does.
                long hold = random.nextInt(4) == 0
                        ? random.nextLong(lease.toNanos() / 2, lease.toNanos() * 3 / 2 + 1)
                        : random.nextLong(lease.toNanos() / 10 + 1);
                boolean extendMidway = random.nextInt(4) == 0;
                long until = System.nanoTime() + hold;
                for (long left = hold; left > 0; left = until - System.nanoTime()) {
                    Thread.sleep(Math.max(1, Math.min(left, SLICE) / 1_000_000)); // the holder's work
                    if (!held.isValid()) {
                        section.invalidObserved();
                    } else if (extendMidway && !extended) {
                        long extendSent = System.nanoTime();
                        if (held.extend(lease)) {
                            section.extended(extendSent, lease);
                            extended = true;
                        }
                    }
                }
            } finally {
                section.released();
                held.release();
            }
            return Optional.of(new Result(extended));
        }
    }
}
