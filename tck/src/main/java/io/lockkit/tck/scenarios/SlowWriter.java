package io.lockkit.tck.scenarios;

import io.lockkit.Versioned;
import io.lockkit.VersionedUpdate;
import io.lockkit.tck.Rule;
import io.lockkit.tck.TckSettings;
import io.lockkit.tck.TckTarget;
import io.lockkit.tck.harness.ClientPool;
import io.lockkit.tck.harness.Keys;
import io.lockkit.tck.harness.Race;
import io.lockkit.tck.internal.Expect;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Scenario 7 (V1, V2): writer A reads version v1 and stalls; B writes v2; A's compare-and-set with
 * v1 MUST be rejected (empty) and B's value stay. Then the ABA variant: A reads, B deletes and
 * re-creates the key, and A's write with its old version MUST again be rejected, since versions
 * never repeat across delete and re-create.
 */
final class SlowWriter extends AbstractScenario {
    SlowWriter() {
        super("7", "Out-of-order slow writer", Rule.V1, Rule.V2);
    }

    @Override
    void execute(TckTarget target, TckSettings settings, Row row) throws Exception {
        String key = Keys.fresh("s07-record");
        row.workers(2);
        ExecutorService slowThread = Executors.newSingleThreadExecutor(Race.threads("lockkit-s07-slow-writer"));
        try (ClientPool clients = ClientPool.open(target, 2)) {
            VersionedUpdate a = clients.get(0).versionedUpdate();
            VersionedUpdate b = clients.get(1).versionedUpdate();
            a.create(key, Keys.utf8("v1 by setup")).orElseThrow(Expect.empty(Expect.CREATE));
            int accepted = 0;
            if (afterOverwrite(slowThread, a, b, key, settings, row)) {
                accepted++;
            }
            if (afterRecreate(slowThread, a, b, key, settings, row)) {
                accepted++;
            }
            row.winners(accepted);
        } finally {
            slowThread.shutdownNow();
        }
    }

    /** B overwrites while A stalls; returns whether B's write was accepted. */
    private static boolean afterOverwrite(
            ExecutorService slowThread, VersionedUpdate a, VersionedUpdate b, String key, TckSettings settings, Row row)
            throws Exception {
        return race(slowThread, a, key, settings, row, "B's write", () -> {
            Versioned current = b.read(key).orElseThrow(Expect.empty(Expect.READ));
            return b.compareAndSet(key, current.version(), Keys.utf8("B's write"))
                    .isPresent();
        });
    }

    /** B deletes and re-creates while A stalls; returns whether B's re-create was accepted. */
    private static boolean afterRecreate(
            ExecutorService slowThread, VersionedUpdate a, VersionedUpdate b, String key, TckSettings settings, Row row)
            throws Exception {
        return race(slowThread, a, key, settings, row, "B's re-created record", () -> {
            Versioned current = b.read(key).orElseThrow(Expect.empty(Expect.READ));
            if (!row.require(
                    b.delete(key, current.version()), Rule.V1, "delete with the current version returned false")) {
                return false;
            }
            Optional<Versioned> recreated = b.create(key, Keys.utf8("B's re-created record"));
            recreated.ifPresent(r -> row.require(
                    r.version() > current.version(),
                    Rule.V2,
                    "the re-created key got version %d, not greater than the deleted version %d: a stale writer's"
                            + " compare-and-set could succeed (ABA)",
                    r.version(),
                    current.version()));
            return recreated.isPresent();
        });
    }

    private interface Write {
        boolean apply() throws Exception;
    }

    /**
     * A reads, then stalls on a latch while {@code bWrites} runs; then A writes with the version it
     * read. A MUST be rejected and B's value MUST stay.
     */
    private static boolean race(
            ExecutorService slowThread,
            VersionedUpdate a,
            String key,
            TckSettings settings,
            Row row,
            String bValue,
            Write bWrites)
            throws Exception {
        long guard = settings.deadline().toNanos();
        CountDownLatch aHasRead = new CountDownLatch(1);
        CountDownLatch bHasWritten = new CountDownLatch(1);
        Future<Optional<Versioned>> aWrite = slowThread.submit(() -> {
            Versioned stale = a.read(key).orElseThrow(Expect.empty(Expect.READ));
            aHasRead.countDown();
            bHasWritten.await(guard, TimeUnit.NANOSECONDS);
            return a.compareAndSet(key, stale.version(), Keys.utf8("A's late write"));
        });
        if (!aHasRead.await(guard, TimeUnit.NANOSECONDS)) {
            row.violation(Rule.V1, "A's read did not return within the guard deadline");
            return false;
        }
        boolean accepted = bWrites.apply();
        bHasWritten.countDown();
        row.require(accepted, Rule.V1, "B's write (%s) on a key nobody else was writing was rejected", bValue);
        Optional<Versioned> aResult = aWrite.get(guard, TimeUnit.NANOSECONDS);
        row.require(
                aResult.isEmpty(),
                Rule.V1,
                "the slow writer's compare-and-set with the version it read before %s was accepted; it must be"
                        + " empty",
                bValue);
        String stored = a.read(key).map(Versioned::valueAsString).orElse("absent");
        row.require(bValue.equals(stored), Rule.V1, "the stored value must be %s, was %s", bValue, stored);
        return accepted;
    }
}
