package io.lockkit.tck.scenarios;

import io.lockkit.Versioned;
import io.lockkit.tck.Rule;
import io.lockkit.tck.TckSettings;
import io.lockkit.tck.TckTarget;
import io.lockkit.tck.harness.ClientPool;
import io.lockkit.tck.harness.Keys;
import io.lockkit.tck.harness.Race;
import io.lockkit.tck.harness.RaceResult;
import io.lockkit.tck.internal.Expect;
import java.util.Optional;

/**
 * Scenario 3 (V1, L6): a job record is RUNNING at version v and N workers each complete it with
 * {@code compareAndSet(v, "COMPLETED by <me>")} at once. Exactly one MUST be told it won, the stored
 * value MUST be the winner's, the others MUST get empty.
 */
final class DoubleCompletion extends AbstractScenario {
    private record Completion(int worker, Optional<Versioned> written) {}

    DoubleCompletion() {
        super("3", "Double completion", Rule.V1, Rule.L6);
    }

    @Override
    void execute(TckTarget target, TckSettings settings, Row row) throws Exception {
        String key = Keys.fresh("s03-job");
        int n = settings.workers();
        row.workers(n);
        try (ClientPool clients = ClientPool.open(target, settings.clients())) {
            Versioned running = clients.get(0)
                    .versionedUpdate()
                    .create(key, Keys.utf8("RUNNING"))
                    .orElseThrow(Expect.empty(Expect.CREATE));
            RaceResult<Completion> race = Race.run(
                    n,
                    settings.deadline(),
                    i -> new Completion(
                            i,
                            clients.forWorker(i)
                                    .versionedUpdate()
                                    .compareAndSet(key, running.version(), Keys.utf8(value(i)))));
            var winners = race.filter(c -> c.written().isPresent());
            row.winners(winners.size()).race(race);
            row.require(
                    winners.size() == 1,
                    Rule.V1,
                    "exactly 1 of %d compareAndSet calls with the same expected version must succeed, %d did",
                    n,
                    winners.size());
            row.require(
                    race.count(c -> c.written().isEmpty()) == n - winners.size(),
                    Rule.L6,
                    "every loser must get an empty Optional");
            Optional<Versioned> stored =
                    clients.get(1 % clients.size()).versionedUpdate().read(key);
            if (winners.size() == 1) {
                Completion winner = winners.get(0);
                Versioned written = winner.written().orElseThrow();
                row.require(
                        stored.isPresent()
                                && value(winner.worker()).equals(stored.get().valueAsString()),
                        Rule.V1,
                        "the stored value must be the winner's (%s), was %s",
                        value(winner.worker()),
                        stored.map(Versioned::valueAsString).orElse("absent"));
                row.require(
                        stored.isPresent() && stored.get().version() == written.version(),
                        Rule.V1,
                        "the stored version must be the one returned to the winner (%d), was %s",
                        written.version(),
                        stored.map(v -> Long.toString(v.version())).orElse("absent"));
                row.require(
                        written.version() > running.version(),
                        Rule.V2,
                        "the winner's version %d must be greater than the expected version %d",
                        written.version(),
                        running.version());
            }
        }
    }

    private static String value(int worker) {
        return "COMPLETED by worker " + worker;
    }
}
