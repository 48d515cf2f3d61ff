package io.lockkit.tck.scenarios;

import io.lockkit.Backend;
import io.lockkit.FencedOutException;
import io.lockkit.JobLock;
import io.lockkit.Lease;
import io.lockkit.Versioned;
import io.lockkit.VersionedUpdate;
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
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Scenario 2 (L1, L6, V1; the CakePHP incident, INCIDENTS.md rows 1–3): workers apply a guarded,
 * side-effecting transition PENDING → DONE to one entity from stale copies read before the race. A
 * loser is told "locked", waits for the holder to release and retries, still holding its stale
 * copy; under the lease it re-reads the entity and proceeds only if nothing moved since its copy.
 * The side effect MUST run exactly once, every loser MUST be told locked or blocked, no one may
 * throw.
 */
final class DoubleExecution extends AbstractScenario {
    private static final String PENDING = "PENDING";
    /** How long the side effect itself takes, as an e-mail or a payment does; not a wait for a condition. */
    private static final Duration SIDE_EFFECT = Duration.ofMillis(20);

    private enum Outcome {
        EXECUTED,
        LOCKED_THEN_EXECUTED,
        BLOCKED,
        LOCKED_THEN_BLOCKED,
        GAVE_UP_WAITING,
        EXECUTED_BUT_WRITE_REJECTED,
        EXECUTED_BUT_FENCED_OUT;

        boolean executed() {
            return this != BLOCKED && this != LOCKED_THEN_BLOCKED && this != GAVE_UP_WAITING;
        }
    }

    private final int workerFactor;

    DoubleExecution(String id, int workerFactor) {
        super(
                id,
                "Double execution" + (workerFactor == 1 ? "" : " (" + workerFactor + "× workers)"),
                Rule.L1,
                Rule.L6,
                Rule.V1);
        this.workerFactor = workerFactor;
    }

    @Override
    void execute(TckTarget target, TckSettings settings, Row row) throws Exception {
        int n = settings.workers() * workerFactor;
        row.workers(n);
        try (ClientPool clients = ClientPool.open(target, settings.clients())) {
            Attempt attempt = new Attempt(Keys.fresh("s02-lock"), Keys.fresh("s02-entity"), settings, n);
            Optional<Versioned> created = clients.get(0).versionedUpdate().create(attempt.entity, Keys.utf8(PENDING));
            if (!row.require(created.isPresent(), Rule.V1, "create of a fresh entity key returned empty")) {
                return;
            }
            // Each worker's stale in-memory copy, read through its own client before the race.
            Versioned[] stale = new Versioned[n];
            for (int i = 0; i < n; i++) {
                stale[i] = clients.forWorker(i)
                        .versionedUpdate()
                        .read(attempt.entity)
                        .orElseThrow(Expect.empty(Expect.READ));
            }
            RaceResult<Outcome> race =
                    Race.run(n, settings.deadline(), i -> attempt.run(clients.forWorker(i), stale[i], i));
            check(row, race, attempt, n);
            Optional<Versioned> stored = clients.get(0).versionedUpdate().read(attempt.entity);
            row.require(
                    stored.isPresent() && stored.get().valueAsString().startsWith("DONE"),
                    Rule.V1,
                    "the entity must end DONE, was %s",
                    stored.map(Versioned::valueAsString).orElse("absent"));
        }
    }

    private static void check(Row row, RaceResult<Outcome> race, Attempt attempt, int n) {
        long executed = race.count(Outcome::executed);
        row.winners(executed).sideEffects(attempt.sideEffects.get()).race(race);
        row.overlaps(attempt.recorder);
        row.require(
                attempt.sideEffects.get() == 1,
                List.of(Rule.L1, Rule.V1),
                "the side effect MUST run exactly once, it ran %d times: two workers held the lock at once or a"
                        + " stale copy was applied after the winner released",
                attempt.sideEffects.get());
        long gaveUp = race.count(o -> o == Outcome.GAVE_UP_WAITING);
        row.require(
                gaveUp == 0,
                Rule.L7,
                "%d losers waited the whole guard deadline for the lock and never got it after the holder released",
                gaveUp);
        long rejected = race.count(o -> o == Outcome.EXECUTED_BUT_WRITE_REJECTED);
        row.require(
                rejected == 0,
                Rule.L1,
                "%d workers saw the entity unchanged under the lease, yet their compareAndSet was rejected: the"
                        + " entity moved while they held the lock",
                rejected);
        long fenced = race.count(o -> o == Outcome.EXECUTED_BUT_FENCED_OUT);
        row.require(
                fenced == 0,
                Rule.L1,
                "%d workers ran the side effect under the lease and were then fenced out: a holder with a larger"
                        + " token wrote while they held the lock",
                fenced);
        long told = race.count(o -> o == Outcome.BLOCKED || o == Outcome.LOCKED_THEN_BLOCKED);
        row.require(
                executed + told == n,
                Rule.L6,
                "every loser must be told locked or blocked: %d executed, %d told, %d of %d workers neither",
                executed,
                told,
                n - executed - told,
                n);
        row.note(
                "%d told locked first, %d blocked by the fresh re-read",
                race.count(o -> o == Outcome.LOCKED_THEN_BLOCKED || o == Outcome.LOCKED_THEN_EXECUTED), told);
    }

    /** One worker's guarded transition. */
    private static final class Attempt {
        private final String lockKey;
        private final String entity;
        private final Duration lease;
        private final Duration maxWait;
        private final AtomicInteger sideEffects = new AtomicInteger();
        private final IntervalRecorder recorder = new IntervalRecorder();
        private final CountDownLatch firstTries;

        Attempt(String lockKey, String entity, TckSettings settings, int workers) {
            this.lockKey = lockKey;
            this.entity = entity;
            this.lease = settings.generousLease();
            this.maxWait = settings.deadline();
            this.firstTries = new CountDownLatch(workers);
        }

        Outcome run(Backend client, Versioned staleCopy, int worker) throws InterruptedException {
            JobLock lock = client.jobLock();
            long sent = System.nanoTime();
            Optional<Lease> held;
            try {
                held = lock.tryAcquire(lockKey, lease);
            } finally {
                firstTries.countDown();
            }
            boolean toldLocked = held.isEmpty();
            if (toldLocked) {
                sent = System.nanoTime();
                held = lock.acquire(lockKey, lease, maxWait);
            }
            if (held.isEmpty()) {
                return Outcome.GAVE_UP_WAITING;
            }
            IntervalRecorder.Section section = recorder.begin(lockKey, sent, lease);
            try {
                return transition(client.versionedUpdate(), staleCopy, held.get(), worker, toldLocked);
            } finally {
                section.released();
                held.get().release();
            }
        }

        private Outcome transition(
                VersionedUpdate store, Versioned staleCopy, Lease lease, int worker, boolean toldLocked)
                throws InterruptedException {
            Optional<Versioned> fresh = store.read(entity);
            boolean unchanged = fresh.isPresent()
                    && fresh.get().version() == staleCopy.version()
                    && PENDING.equals(fresh.get().valueAsString());
            if (!unchanged) {
                return toldLocked ? Outcome.LOCKED_THEN_BLOCKED : Outcome.BLOCKED;
            }
            sideEffects.incrementAndGet();
            // The side effect takes a while (an e-mail, a payment): every other worker tries the lock
            // meanwhile, so each loser races a held lock, and two holders at once both get here.
            firstTries.await(maxWait.toNanos(), TimeUnit.NANOSECONDS);
            TimeUnit.NANOSECONDS.sleep(SIDE_EFFECT.toNanos());
            Optional<Versioned> written;
            try {
                written = store.compareAndSet(
                        entity, staleCopy.version(), Keys.utf8("DONE by worker " + worker), lease.token());
            } catch (FencedOutException e) {
                return Outcome.EXECUTED_BUT_FENCED_OUT;
            }
            if (written.isEmpty()) {
                return Outcome.EXECUTED_BUT_WRITE_REJECTED;
            }
            return toldLocked ? Outcome.LOCKED_THEN_EXECUTED : Outcome.EXECUTED;
        }
    }
}
