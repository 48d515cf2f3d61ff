package io.lockkit.tck.scenarios;

import io.lockkit.Backend;
import io.lockkit.Lease;
import io.lockkit.tck.LeaseKind;
import io.lockkit.tck.Rule;
import io.lockkit.tck.StoreFaults;
import io.lockkit.tck.TckSettings;
import io.lockkit.tck.TckTarget;
import io.lockkit.tck.harness.ClientPool;
import io.lockkit.tck.harness.Keys;
import io.lockkit.tck.internal.Expect;
import java.util.Optional;

/**
 * Scenario 9 (L4, L7, L1): holder A vanishes without releasing ({@link StoreFaults#crash}) and B
 * waits in {@code acquire}. B MUST get the lock with no clean-up job run by anyone, woken by the
 * deadline at the latest; and (except with session leases, which the server MAY free as soon as
 * the session is gone) not before A's lease could have expired.
 */
final class CrashRecovery extends AbstractScenario {
    CrashRecovery() {
        super("9", "Crash recovery", Rule.L4, Rule.L7, Rule.L1);
    }

    @Override
    void execute(TckTarget target, TckSettings settings, Row row) throws Exception {
        row.workers(2);
        try (ClientPool clients = ClientPool.open(target, 2)) {
            Backend a = clients.get(0);
            Backend b = clients.get(1);
            boolean session = LeaseKind.of(b) == LeaseKind.SESSION;
            String key = Keys.fresh("s09-lock");
            long aSent = System.nanoTime();
            Lease crashed =
                    a.jobLock().tryAcquire(key, settings.shortLease()).orElseThrow(Expect.empty(Expect.FREE_KEY));
            long aDeadlineBound = aSent + settings.shortLease().toNanos();
            target.faults().crash(a);
            long bStart = System.nanoTime();
            Optional<Lease> next = b.jobLock().acquire(key, settings.generousLease(), settings.deadline());
            long bGot = System.nanoTime();
            if (!row.require(
                    next.isPresent(),
                    Rule.L4,
                    "a crashed holder's lease of %s was not free within the guard deadline %s: it must end by its"
                            + " deadline with no clean-up job",
                    settings.shortLease(),
                    settings.deadline())) {
                return;
            }
            row.winners(1);
            try (Lease lease = next.get()) {
                row.require(
                        session || bGot - aDeadlineBound >= 0,
                        Rule.L1,
                        "B acquired %.1f ms before the crashed holder's lease could have expired",
                        (aDeadlineBound - bGot) / 1e6);
                row.require(
                        lease.token() > crashed.token(),
                        Rule.L2,
                        "B's token %d must be greater than the crashed holder's %d",
                        lease.token(),
                        crashed.token());
            }
            row.note(
                    "B waited %d ms after the crash (A's lease: %d ms, %s)",
                    (bGot - bStart) / 1_000_000, settings.shortLease().toMillis(), session ? "session" : "timed");
        }
    }
}
