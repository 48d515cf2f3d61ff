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
import io.lockkit.tck.harness.Poll;
import io.lockkit.tck.internal.Expect;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Scenario 10 (L5, L4, L3): {@link StoreFaults#killConnection} drops holder A's connection. With
 * session leases A MUST see {@code isValid()} false, its {@code onLost} listener MUST be called, and
 * another client MUST be able to acquire. With timed leases the lease MUST survive the blip: still
 * valid, still exclusive, extendable and releasable after the client reconnects.
 */
final class ConnectionLoss extends AbstractScenario {
    ConnectionLoss() {
        super("10", "Connection loss", Rule.L5, Rule.L4, Rule.L3);
    }

    @Override
    void execute(TckTarget target, TckSettings settings, Row row) throws Exception {
        try (ClientPool clients = ClientPool.open(target, 2)) {
            LeaseKind kind = LeaseKind.of(clients.get(0));
            if (kind == LeaseKind.NONE) {
                row.skip(LeaseKind.NONE_REASON);
                return;
            }
            row.workers(2);
            String key = Keys.fresh("s10-lock");
            if (kind == LeaseKind.SESSION) {
                sessionEnds(target, clients, key, settings, row);
            } else {
                timedSurvives(target, clients, key, settings, row);
            }
        }
    }

    private static void sessionEnds(TckTarget target, ClientPool clients, String key, TckSettings settings, Row row)
            throws InterruptedException {
        Backend a = clients.get(0);
        Lease held = a.jobLock().tryAcquire(key, settings.shortLease()).orElseThrow(Expect.empty(Expect.FREE_KEY));
        CountDownLatch lost = new CountDownLatch(1);
        held.onLost(l -> lost.countDown());
        target.faults().killConnection(a);
        row.require(
                Poll.until(settings.deadline(), () -> !held.isValid()),
                Rule.L5,
                "the holder's session lease was still valid %s after its connection was killed",
                settings.deadline());
        row.require(
                lost.await(settings.deadline().toNanos(), TimeUnit.NANOSECONDS),
                Rule.L5,
                "the holder's onLost listener was never called after its connection was killed");
        Optional<Lease> next = Poll.forValue(
                settings.deadline(), () -> clients.get(1).jobLock().tryAcquire(key, settings.generousLease()));
        if (row.require(
                next.isPresent(),
                Rule.L4,
                "no other client could acquire within %s after the holder's session ended",
                settings.deadline())) {
            row.winners(1);
            row.require(!held.release(), Rule.L3, "the lost lease's release() returned true");
            row.require(next.get().release(), Rule.L3, "the new holder's release() returned false");
        }
    }

    private static void timedSurvives(TckTarget target, ClientPool clients, String key, TckSettings settings, Row row) {
        Backend a = clients.get(0);
        Duration lease = settings.generousLease();
        Lease held = a.jobLock().tryAcquire(key, lease).orElseThrow(Expect.empty(Expect.FREE_KEY));
        target.faults().killConnection(a);
        row.winners(1);
        row.require(held.isValid(), Rule.L5, "a timed lease became invalid when only its connection dropped");
        Optional<Lease> other = clients.get(1).jobLock().tryAcquire(key, lease);
        other.ifPresent(Lease::release);
        row.require(
                other.isEmpty(),
                Rule.L1,
                "another client acquired a timed lease whose holder only lost its connection");
        row.require(
                held.extend(lease),
                Rule.L3,
                "extend() after the connection blip returned false; the client must reconnect");
        row.require(held.isValid(), Rule.L5, "the lease is not valid after a successful extend");
        row.require(held.release(), Rule.L3, "release() after the connection blip returned false");
        Optional<Lease> after = clients.get(1).jobLock().tryAcquire(key, lease);
        row.require(after.isPresent(), Rule.L3, "the key is not free after the holder released it");
        after.ifPresent(Lease::release);
    }
}
