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
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Scenario 4 (V1): many pairs of workers race RUNNING → COMPLETED against RUNNING → FAILED on one
 * job each, through the retrying updater with a guard that declines unless the job is RUNNING. In
 * every pair exactly one writer MUST be told it won, and the stored state MUST be the one that
 * writer wrote.
 */
final class ConflictingTransitions extends AbstractScenario {
    private static final String RUNNING = "RUNNING";

    private record Transition(int pair, String state, boolean won) {}

    ConflictingTransitions() {
        super("4", "Conflicting transitions", Rule.V1);
    }

    @Override
    void execute(TckTarget target, TckSettings settings, Row row) throws Exception {
        int pairs = Math.max(1, settings.workers() / 2);
        String prefix = Keys.fresh("s04-job-");
        row.workers(pairs * 2);
        try (ClientPool clients = ClientPool.open(target, settings.clients())) {
            for (int p = 0; p < pairs; p++) {
                clients.forWorker(p)
                        .versionedUpdate()
                        .create(prefix + p, Keys.utf8(RUNNING))
                        .orElseThrow(Expect.empty(Expect.CREATE));
            }
            // Both writers of a job read RUNNING before the barrier, as two workers holding the same
            // row in memory do; each then writes its transition with the version it read.
            long[] readVersion = new long[pairs];
            for (int p = 0; p < pairs; p++) {
                readVersion[p] = clients.forWorker(p)
                        .versionedUpdate()
                        .read(prefix + p)
                        .orElseThrow(Expect.empty(Expect.READ))
                        .version();
            }
            RaceResult<Transition> race = Race.run(pairs * 2, settings.deadline(), i -> {
                String state = i % 2 == 0 ? "COMPLETED" : "FAILED";
                Optional<Versioned> written = clients.forWorker(i)
                        .versionedUpdate()
                        .compareAndSet(prefix + i / 2, readVersion[i / 2], Keys.utf8(state));
                return new Transition(i / 2, state, written.isPresent());
            });
            row.winners(race.count(Transition::won)).race(race);
            checkPairs(clients, prefix, pairs, race, row);
        }
    }

    private static void checkPairs(ClientPool clients, String prefix, int pairs, RaceResult<Transition> race, Row row) {
        List<String> wrong = new ArrayList<>();
        for (int p = 0; p < pairs; p++) {
            int pair = p;
            List<Transition> won = race.filter(t -> t.pair() == pair && t.won());
            String stored = clients.forWorker(p)
                    .versionedUpdate()
                    .read(prefix + p)
                    .map(Versioned::valueAsString)
                    .orElse("absent");
            if (won.size() != 1) {
                wrong.add("job " + p + ": " + won.size() + " writers told they won, stored " + stored);
            } else if (!won.get(0).state().equals(stored)) {
                wrong.add("job " + p + ": the " + won.get(0).state() + " writer was told it won, stored " + stored);
            }
        }
        row.require(
                wrong.isEmpty(),
                Rule.V1,
                "in %d of %d jobs the stored state is not the one exactly one writer was told it won; the first: %s",
                wrong.size(),
                pairs,
                String.join("; ", wrong.subList(0, Math.min(3, wrong.size()))));
    }
}
