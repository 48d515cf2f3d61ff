package io.lockkit.tck.scenarios;

import io.lockkit.Lease;
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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Scenario 1 (L1, L6): N workers claim one job at once. Exactly one wins, the others get empty, no
 * one throws. The winner holds until every other worker has tried, so a late try cannot win
 * legitimately.
 */
final class ExclusiveClaim extends AbstractScenario {
    private enum Claim {
        WON,
        WON_BUT_RELEASE_FALSE,
        EMPTY
    }

    ExclusiveClaim() {
        super("1", "Exclusive claim", Rule.L1, Rule.L6);
    }

    @Override
    void execute(TckTarget target, TckSettings settings, Row row) throws Exception {
        String key = Keys.fresh("s01-claim");
        int n = settings.workers();
        Duration lease = settings.generousLease();
        IntervalRecorder recorder = new IntervalRecorder();
        CountDownLatch tried = new CountDownLatch(n);
        row.workers(n);
        try (ClientPool clients = ClientPool.open(target, settings.clients())) {
            RaceResult<Claim> race = Race.run(n, settings.deadline(), i -> {
                long sent = System.nanoTime();
                Optional<Lease> claim;
                try {
                    claim = clients.forWorker(i).jobLock().tryAcquire(key, lease);
                } finally {
                    tried.countDown();
                }
                if (claim.isEmpty()) {
                    return Claim.EMPTY;
                }
                IntervalRecorder.Section section = recorder.begin(key, sent, lease);
                tried.await(settings.deadline().toNanos(), TimeUnit.NANOSECONDS);
                section.released();
                return claim.get().release() ? Claim.WON : Claim.WON_BUT_RELEASE_FALSE;
            });
            long winners = race.count(c -> c != Claim.EMPTY);
            long empty = race.count(c -> c == Claim.EMPTY);
            row.winners(winners).race(race);
            row.overlaps(recorder);
            row.require(winners == 1, Rule.L1, "exactly 1 of %d workers must win the claim, %d won", n, winners);
            row.require(
                    empty == n - 1,
                    Rule.L6,
                    "the %d losers must each get an empty Optional, %d did (the rest threw or hung)",
                    n - 1,
                    empty);
            row.require(
                    race.count(c -> c == Claim.WON_BUT_RELEASE_FALSE) == 0,
                    Rule.L3,
                    "the winner's release() of its current lease returned false");
            checkFreeAfterwards(clients, key, row);
        }
    }

    private static void checkFreeAfterwards(ClientPool clients, String key, Row row) {
        Optional<Lease> after = clients.get(0).jobLock().tryAcquire(key, Duration.ofSeconds(5));
        row.require(
                after.isPresent(),
                Rule.L3,
                "after the winner released, the key must be free, but tryAcquire was empty");
        after.ifPresent(Lease::release);
    }
}
