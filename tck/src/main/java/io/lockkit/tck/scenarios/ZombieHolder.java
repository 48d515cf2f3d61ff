package io.lockkit.tck.scenarios;

import io.lockkit.Backend;
import io.lockkit.FencedOutException;
import io.lockkit.Lease;
import io.lockkit.Versioned;
import io.lockkit.VersionedUpdate;
import io.lockkit.tck.LeaseKind;
import io.lockkit.tck.Rule;
import io.lockkit.tck.StoreFaults;
import io.lockkit.tck.TckSettings;
import io.lockkit.tck.TckTarget;
import io.lockkit.tck.harness.ClientPool;
import io.lockkit.tck.harness.Keys;
import io.lockkit.tck.harness.Poll;
import io.lockkit.tck.internal.Expect;
import java.time.Duration;
import java.util.Optional;

/**
 * Scenario 8 (L2, L3, V3, L5): holder A's lease passes its deadline (timed leases: by waiting;
 * session leases: {@link StoreFaults#expireSession}) while A still believes it can work. B acquires
 * with a larger token and writes; A's fenced write MUST throw {@link FencedOutException} whatever
 * its expected version, A's extend and release MUST return false, and B's lease, lock and data MUST
 * be untouched.
 */
final class ZombieHolder extends AbstractScenario {
    ZombieHolder() {
        super("8", "Zombie holder", Rule.L2, Rule.L3, Rule.V3, Rule.L5);
    }

    @Override
    void execute(TckTarget target, TckSettings settings, Row row) throws Exception {
        try (ClientPool clients = ClientPool.open(target, 3)) {
            Backend a = clients.get(0);
            Backend b = clients.get(1);
            LeaseKind kind = LeaseKind.of(a);
            if (kind == LeaseKind.NONE) {
                row.skip(LeaseKind.NONE_REASON);
                return;
            }
            row.workers(3);
            String lockKey = Keys.fresh("s08-lock");
            String data = Keys.fresh("s08-data");
            Versioned initial =
                    a.versionedUpdate().create(data, Keys.utf8("initial")).orElseThrow(Expect.empty(Expect.CREATE));
            Lease zombie =
                    a.jobLock().tryAcquire(lockKey, settings.shortLease()).orElseThrow(Expect.empty(Expect.FREE_KEY));
            Versioned zombieWrote = a.versionedUpdate()
                    .compareAndSet(data, initial.version(), Keys.utf8("A's work"), zombie.token())
                    .orElseThrow(Expect.empty(Expect.CAS));
            if (!loseLease(target, a, zombie, kind, settings, row)) {
                return;
            }
            Optional<Lease> taken =
                    Poll.forValue(settings.deadline(), () -> b.jobLock().tryAcquire(lockKey, settings.generousLease()));
            if (!row.require(
                    taken.isPresent(),
                    Rule.L4,
                    "after A's lease ended (%s) B could not acquire the key within the guard deadline %s",
                    kind,
                    settings.deadline())) {
                return;
            }
            row.winners(1);
            Lease next = taken.get();
            try {
                checkZombie(clients, zombie, next, data, zombieWrote, row);
            } finally {
                row.require(next.release(), Rule.L3, "B's release() of its current lease returned false");
            }
        }
    }

    private static boolean loseLease(
            TckTarget target, Backend a, Lease zombie, LeaseKind kind, TckSettings settings, Row row)
            throws InterruptedException {
        if (kind == LeaseKind.SESSION) {
            target.faults().expireSession(a);
            return true;
        }
        return row.require(
                Poll.until(settings.deadline(), () -> !zombie.isValid()),
                Rule.L5,
                "A's timed lease of %s was still valid after the guard deadline %s",
                settings.shortLease(),
                settings.deadline());
    }

    private static void checkZombie(
            ClientPool clients, Lease zombie, Lease next, String data, Versioned zombieWrote, Row row) {
        VersionedUpdate a = clients.get(0).versionedUpdate();
        VersionedUpdate b = clients.get(1).versionedUpdate();
        row.require(
                next.token() > zombie.token(),
                Rule.L2,
                "B's token %d must be greater than the earlier holder A's token %d",
                next.token(),
                zombie.token());
        Versioned current = b.read(data).orElseThrow(Expect.empty(Expect.READ));
        Versioned bWrote = b.compareAndSet(data, current.version(), Keys.utf8("B's data"), next.token())
                .orElseThrow(Expect.empty(Expect.CAS));
        fencedOut(
                row,
                "with B's current version",
                () -> a.compareAndSet(data, bWrote.version(), Keys.utf8("A's zombie write"), zombie.token()));
        fencedOut(
                row,
                "with A's stale version",
                () -> a.compareAndSet(data, zombieWrote.version(), Keys.utf8("A's zombie write"), zombie.token()));
        row.require(!zombie.extend(Duration.ofSeconds(30)), Rule.L3, "the zombie's extend() returned true");
        row.require(!zombie.release(), Rule.L3, "the zombie's release() returned true: it may have freed B's lock");
        row.require(next.isValid(), Rule.L3, "B's lease is no longer valid after the zombie's extend and release");
        Optional<Lease> third = clients.get(2).jobLock().tryAcquire(next.key(), Duration.ofSeconds(30));
        third.ifPresent(Lease::release);
        row.require(
                third.isEmpty(),
                Rule.L3,
                "a third client acquired the key while B held it: the zombie's release freed B's lock");
        Optional<Versioned> stored = b.read(data);
        row.require(
                stored.isPresent() && stored.get().equals(bWrote),
                Rule.V3,
                "B's data must be untouched (%s), was %s",
                bWrote,
                stored.map(Versioned::toString).orElse("absent"));
    }

    private static void fencedOut(Row row, String how, java.util.function.Supplier<Optional<Versioned>> write) {
        try {
            Optional<Versioned> result = write.get();
            row.violation(
                    Rule.V3,
                    "the zombie's fenced compareAndSet %s returned %s; it MUST throw FencedOutException",
                    how,
                    result.isPresent() ? "a written value: the zombie overwrote B's data" : "empty");
        } catch (FencedOutException expected) {
            // the fence held
        }
    }
}
