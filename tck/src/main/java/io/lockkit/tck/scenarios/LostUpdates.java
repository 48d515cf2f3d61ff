package io.lockkit.tck.scenarios;

import io.lockkit.Backend;
import io.lockkit.ConcurrentUpdateException;
import io.lockkit.FencedOutException;
import io.lockkit.Lease;
import io.lockkit.OutcomeUnknownException;
import io.lockkit.RetryPolicy;
import io.lockkit.Updater;
import io.lockkit.Versioned;
import io.lockkit.tck.Rule;
import io.lockkit.tck.TckSettings;
import io.lockkit.tck.TckTarget;
import io.lockkit.tck.harness.ClientPool;
import io.lockkit.tck.harness.IntervalRecorder;
import io.lockkit.tck.harness.Keys;
import io.lockkit.tck.harness.Race;
import io.lockkit.tck.harness.RaceResult;
import io.lockkit.tck.internal.Expect;
import java.time.Duration;
import java.util.Optional;

/**
 * Scenario 5 (V4, V1, L1): N workers × M increments of one counter, (a) through the retrying
 * updater and (b) through a lock-protected read-modify-write. The final value MUST equal the
 * increments acknowledged as successful: none lost, none doubled. In (b) a compare-and-set
 * conflict while the lease is valid means two holders at once (L1).
 */
final class LostUpdates extends AbstractScenario {
    /** One worker's tally. */
    private record Tally(int acknowledged, int gaveUp, int unknown, int conflictsUnderLease) {
        Tally plus(Tally o) {
            return new Tally(
                    acknowledged + o.acknowledged,
                    gaveUp + o.gaveUp,
                    unknown + o.unknown,
                    conflictsUnderLease + o.conflictsUnderLease);
        }
    }

    LostUpdates() {
        super("5", "Lost updates", Rule.V4, Rule.V1, Rule.L1);
    }

    @Override
    void execute(TckTarget target, TckSettings settings, Row row) throws Exception {
        int n = settings.workers();
        row.workers(n);
        try (ClientPool clients = ClientPool.open(target, settings.clients())) {
            long lost = throughUpdater(clients, settings, row) + underLock(clients, settings, row);
            row.lostUpdates(lost);
        }
    }

    private static long throughUpdater(ClientPool clients, TckSettings settings, Row row) throws Exception {
        String key = Keys.fresh("s05-updater-counter");
        clients.get(0).versionedUpdate().create(key, Keys.utf8(0)).orElseThrow(Expect.empty(Expect.CREATE));
        RetryPolicy patient = RetryPolicy.builder()
                .maxAttempts(Integer.MAX_VALUE)
                .maxDuration(settings.deadline().dividedBy(2))
                .maxBackoff(Duration.ofMillis(50))
                .build();
        RaceResult<Tally> race = Race.run(settings.workers(), settings.deadline(), i -> {
            Updater updater = clients.forWorker(i).versionedUpdate().updater(patient);
            int acknowledged = 0, gaveUp = 0, unknown = 0;
            for (int m = 0; m < settings.increments(); m++) {
                try {
                    updater.update(key, current -> current.map(v -> Keys.utf8(Keys.number(v) + 1)));
                    acknowledged++;
                } catch (ConcurrentUpdateException e) {
                    gaveUp++;
                } catch (OutcomeUnknownException e) {
                    unknown++;
                }
            }
            return new Tally(acknowledged, gaveUp, unknown, 0);
        });
        return settle("updater", clients, key, race, row);
    }

    private static long underLock(ClientPool clients, TckSettings settings, Row row) throws Exception {
        String lockKey = Keys.fresh("s05-lock");
        String key = Keys.fresh("s05-locked-counter");
        clients.get(0).versionedUpdate().create(key, Keys.utf8(0)).orElseThrow(Expect.empty(Expect.CREATE));
        IntervalRecorder recorder = new IntervalRecorder();
        RaceResult<Tally> race = Race.run(settings.workers(), settings.deadline(), i -> {
            Tally tally = new Tally(0, 0, 0, 0);
            for (int m = 0; m < settings.increments(); m++) {
                tally = tally.plus(incrementUnderLock(clients.forWorker(i), lockKey, key, settings, recorder));
            }
            return tally;
        });
        row.overlaps(recorder);
        int conflicts =
                race.outcomes().stream().mapToInt(Tally::conflictsUnderLease).sum();
        row.require(
                conflicts == 0,
                Rule.L1,
                "%d compareAndSet conflicts happened while the writer's lease was valid: someone else wrote the"
                        + " counter while the lock was held",
                conflicts);
        return settle("lock", clients, key, race, row);
    }

    private static Tally incrementUnderLock(
            Backend client, String lockKey, String key, TckSettings settings, IntervalRecorder recorder)
            throws InterruptedException {
        Duration lease = settings.generousLease();
        long sent = System.nanoTime();
        Optional<Lease> held = client.jobLock().acquire(lockKey, lease, settings.deadline());
        if (held.isEmpty()) {
            return new Tally(0, 1, 0, 0);
        }
        IntervalRecorder.Section section = recorder.begin(lockKey, sent, lease);
        Lease lock = held.get();
        try {
            Versioned current = client.versionedUpdate().read(key).orElseThrow(Expect.empty(Expect.READ));
            Optional<Versioned> written = client.versionedUpdate()
                    .compareAndSet(key, current.version(), Keys.utf8(Keys.number(current) + 1), lock.token());
            if (written.isPresent()) {
                return new Tally(1, 0, 0, 0);
            }
            boolean stillHeld = lock.isValid() && System.nanoTime() - (sent + lease.toNanos()) < 0;
            return new Tally(0, 1, 0, stillHeld ? 1 : 0);
        } catch (OutcomeUnknownException e) {
            return new Tally(0, 0, 1, 0);
        } catch (FencedOutException e) {
            // A larger token wrote while this lease was current: exclusion or the token order is broken.
            return new Tally(0, 1, 0, 1);
        } finally {
            section.released();
            lock.release();
        }
    }

    /** Checks final = acknowledged (give or take the unknown outcomes); returns the lost updates. */
    private static long settle(String how, ClientPool clients, String key, RaceResult<Tally> race, Row row) {
        Tally sum = race.outcomes().stream().reduce(new Tally(0, 0, 0, 0), Tally::plus);
        long fin = Keys.number(clients.get(0).versionedUpdate().read(key).orElseThrow(Expect.empty(Expect.READ)));
        row.race(race);
        row.addWinners(sum.acknowledged());
        long lost = Math.max(0, sum.acknowledged() - fin);
        long doubled = Math.max(0, fin - sum.acknowledged() - sum.unknown());
        row.require(
                lost == 0,
                Rule.V4,
                "%s: %d increments were acknowledged but the counter ends at %d: %d updates lost",
                how,
                sum.acknowledged(),
                fin,
                lost);
        row.require(
                doubled == 0,
                Rule.V4,
                "%s: %d increments were acknowledged (%d unknown) but the counter ends at %d: %d updates doubled",
                how,
                sum.acknowledged(),
                sum.unknown(),
                fin,
                doubled);
        row.note(
                "%s: %d acknowledged, %d gave up, %d outcome unknown, final %d",
                how, sum.acknowledged(), sum.gaveUp(), sum.unknown(), fin);
        return lost;
    }
}
