package io.lockkit.tck.scenarios;

import io.lockkit.tck.Rule;
import io.lockkit.tck.TckSettings;
import io.lockkit.tck.TckTarget;
import io.lockkit.tck.harness.ClientPool;
import io.lockkit.tck.harness.Keys;
import io.lockkit.tck.internal.BadInput;
import io.lockkit.tck.internal.Unreachable;

/**
 * Scenario 12 (E1, E2): bad keys, values, leases, waits and versions fail fast naming the bad value
 * and write nothing; every call on an unreachable store throws {@code BackendUnavailableException}.
 */
final class BadInputAndUnavailable extends AbstractScenario {
    BadInputAndUnavailable() {
        super("12", "Bad input and unavailable store", Rule.E1, Rule.E2);
    }

    @Override
    void execute(TckTarget target, TckSettings settings, Row row) throws Exception {
        row.workers(1);
        try (ClientPool clients = ClientPool.open(target, 1)) {
            row.violations(BadInput.lockCalls(clients.get(0), Keys.fresh("s12-lock")));
            row.violations(BadInput.versionedCalls(clients.get(0), Keys.fresh("s12-record")));
        }
        row.violations(Unreachable.lockCalls(target, settings.deadline()));
        row.violations(Unreachable.versionedCalls(target, settings.deadline()));
    }
}
