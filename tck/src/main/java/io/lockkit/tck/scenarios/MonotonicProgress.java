package io.lockkit.tck.scenarios;

import io.lockkit.ConcurrentUpdateException;
import io.lockkit.RetryPolicy;
import io.lockkit.Updater;
import io.lockkit.VersionedUpdate;
import io.lockkit.tck.Rule;
import io.lockkit.tck.TckSettings;
import io.lockkit.tck.TckTarget;
import io.lockkit.tck.harness.ClientPool;
import io.lockkit.tck.harness.Keys;
import io.lockkit.tck.harness.Race;
import io.lockkit.tck.harness.RaceResult;
import io.lockkit.tck.internal.Expect;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Scenario 6 (V1, V4): workers report increasing progress concurrently through the updater, which declines
 * when the stored progress is already at least the reported one. A sampler reading all along MUST
 * never see progress decrease, and the stored progress MUST end at the maximum reported.
 */
final class MonotonicProgress extends AbstractScenario {
    private record Reports(int written, int declined, int gaveUp, long maxWritten) {}

    /** What the sampler saw. */
    private record Samples(long samples, long decreases, String firstDecrease) {}

    MonotonicProgress() {
        super("6", "Monotonic progress", Rule.V1, Rule.V4);
    }

    @Override
    void execute(TckTarget target, TckSettings settings, Row row) throws Exception {
        String key = Keys.fresh("s06-progress");
        int n = settings.workers();
        int m = settings.increments();
        row.workers(n);
        try (ClientPool clients = ClientPool.open(target, settings.clients())) {
            clients.get(0).versionedUpdate().create(key, Keys.utf8(0)).orElseThrow(Expect.empty(Expect.CREATE));
            AtomicBoolean done = new AtomicBoolean();
            ExecutorService samplerThread = Executors.newSingleThreadExecutor(Race.threads("lockkit-s06-sampler"));
            try {
                Future<Samples> sampler =
                        samplerThread.submit(() -> sample(clients.get(0).versionedUpdate(), key, done));
                AtomicLong counter = new AtomicLong();
                RaceResult<Reports> race =
                        Race.run(n, settings.deadline(), i -> report(clients, key, i, counter, m, settings));
                done.set(true);
                row.race(race);
                checkSamples(sampler, settings, row);
                checkFinal(clients, key, race, (long) n * m, row);
            } finally {
                done.set(true);
                samplerThread.shutdownNow();
            }
        }
    }

    /**
     * Each worker reports the next value of a shared counter, {@code m} times: reports race each other
     * closely, and many of them must be declined because a larger one got there first.
     */
    private static Reports report(
            ClientPool clients, String key, int w, AtomicLong counter, int m, TckSettings settings) {
        RetryPolicy patient = RetryPolicy.builder()
                .maxAttempts(Integer.MAX_VALUE)
                .maxDuration(settings.deadline().dividedBy(2))
                .maxBackoff(Duration.ofMillis(50))
                .build();
        Updater updater = clients.forWorker(w).versionedUpdate().updater(patient);
        int written = 0, declined = 0, gaveUp = 0;
        long maxWritten = 0;
        for (int j = 0; j < m; j++) {
            long progress = counter.incrementAndGet();
            try {
                boolean wrote = updater.update(key, current -> current.filter(v -> Keys.number(v) < progress)
                                .map(v -> Keys.utf8(progress)))
                        .isPresent();
                if (wrote) {
                    written++;
                    maxWritten = Math.max(maxWritten, progress);
                } else {
                    declined++;
                }
            } catch (ConcurrentUpdateException e) {
                gaveUp++;
            }
        }
        return new Reports(written, declined, gaveUp, maxWritten);
    }

    private static Samples sample(VersionedUpdate store, String key, AtomicBoolean done) {
        long samples = 0, decreases = 0, last = 0;
        String first = "";
        while (!done.get()) {
            long now = store.read(key).map(Keys::number).orElse(-1L);
            samples++;
            if (now < last) {
                decreases++;
                if (first.isEmpty()) {
                    first = "read " + last + " then " + now;
                }
            }
            last = Math.max(last, now);
            // A sampling rate, not a wait for a condition: leaves the CPU to the workers.
            LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(200));
        }
        return new Samples(samples, decreases, first);
    }

    private static void checkSamples(Future<Samples> sampler, TckSettings settings, Row row) throws Exception {
        Samples samples;
        try {
            samples = sampler.get(settings.deadline().toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            row.violation(
                    Rule.V1, "the sampler's read did not return within the guard deadline %s", settings.deadline());
            return;
        }
        row.require(
                samples.decreases() == 0,
                Rule.V1,
                "stored progress decreased %d times in %d reads; the first: %s",
                samples.decreases(),
                samples.samples(),
                samples.firstDecrease());
        row.note("sampler read the progress %d times", samples.samples());
    }

    private static void checkFinal(
            ClientPool clients, String key, RaceResult<Reports> race, long maxReported, Row row) {
        long fin = Keys.number(clients.get(0).versionedUpdate().read(key).orElseThrow(Expect.empty(Expect.READ)));
        long written = race.outcomes().stream().mapToLong(Reports::written).sum();
        long declined = race.outcomes().stream().mapToLong(Reports::declined).sum();
        long gaveUp = race.outcomes().stream().mapToLong(Reports::gaveUp).sum();
        long maxWritten =
                race.outcomes().stream().mapToLong(Reports::maxWritten).max().orElse(0);
        row.winners(written);
        row.require(
                fin == maxWritten,
                Rule.V4,
                "stored progress ends at %d, but the largest progress acknowledged as written was %d",
                fin,
                maxWritten);
        row.require(
                gaveUp > 0 || fin == maxReported,
                Rule.V1,
                "stored progress ends at %d, not at the maximum reported, %d",
                fin,
                maxReported);
        row.note("%d reports written, %d declined as not ahead, %d gave up", written, declined, gaveUp);
    }
}
