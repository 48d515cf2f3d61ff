package io.lockkit.tck;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockkit.Backend;
import io.lockkit.Capability;
import io.lockkit.JobLock;
import io.lockkit.Lease;
import io.lockkit.LockKitException;
import io.lockkit.tck.StoreFaults.Fault;
import io.lockkit.tck.StoreFaults.Heal;
import io.lockkit.tck.harness.ClientPool;
import io.lockkit.tck.harness.Keys;
import io.lockkit.tck.harness.Poll;
import io.lockkit.tck.harness.Race;
import io.lockkit.tck.harness.RaceResult;
import io.lockkit.tck.internal.BadInput;
import io.lockkit.tck.internal.Expect;
import io.lockkit.tck.internal.OddKeys;
import io.lockkit.tck.internal.Unreachable;
import io.lockkit.tck.internal.Waiter;
import io.lockkit.tck.scenarios.ScenarioRow;
import io.lockkit.tck.scenarios.Scenarios;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * The TCK for {@link JobLock} and {@link Lease}: rules L1–L8, E1–E2 and scenarios 1, 2, 8–12.
 * Subclass it in your backend's tests and implement {@link #createTarget()}:
 *
 * <pre>{@code
 * class PostgresJobLockTckTest extends JobLockTck {
 *     @Override
 *     protected TckTarget createTarget() {
 *         return new PostgresTarget(); // fresh clients of one store, and its StoreFaults
 *     }
 * }
 * }</pre>
 *
 * Test names cite the rule they check; tck/README.md lists every test with "if this fails, look
 * at…".
 */
@DisplayName("JobLock TCK")
public abstract class JobLockTck extends AbstractTck implements JobLockRules {
    private static final Duration LEASE = Duration.ofSeconds(30);

    /** L1 exclusion and L6 graceful contention. */
    @Nested
    @DisplayName("L1 exclusion, L6 graceful contention")
    class Exclusion implements JobLockRules.Exclusion {
        @Override
        @Test
        @DisplayName("L1: a held key is not granted to another client")
        public void l1_exclusion_aHeldKeyIsNotGrantedToAnotherClient() {
            String key = Keys.fresh("l1-held");
            Lease held = clientA().jobLock().tryAcquire(key, LEASE).orElseThrow(Expect.empty(Expect.FREE_KEY));
            assertThat(clientB().jobLock().tryAcquire(key, LEASE))
                    .as("L1: while A's lease is current, B's tryAcquire must be empty (and L6: not an exception)")
                    .isEmpty();
            assertThat(held.release())
                    .as("L3: release() of the current lease returns true")
                    .isTrue();
        }

        @Override
        @Test
        @DisplayName("L1: leases are not reentrant, not even on the same client")
        public void l1_exclusion_leasesAreNotReentrantEvenOnTheSameClient() {
            String key = Keys.fresh("l1-reentrant");
            Lease held = clientA().jobLock().tryAcquire(key, LEASE).orElseThrow(Expect.empty(Expect.FREE_KEY));
            assertThat(clientA().jobLock().tryAcquire(key, LEASE))
                    .as("L1: a second tryAcquire of a held key on the same client must be empty: leases are"
                            + " never reentrant (a lock keyed by client or thread is not exclusive)")
                    .isEmpty();
            assertThat(held.release())
                    .as("L3: release() of the current lease returns true")
                    .isTrue();
        }

        @Override
        @Test
        @DisplayName("L1: acquire with a zero maxWait on a held key is one attempt, and empty")
        public void l1_exclusion_zeroMaxWaitOnAHeldKeyIsOneEmptyAttempt() throws Exception {
            String key = Keys.fresh("l1-zero-wait");
            Lease held = clientA().jobLock().tryAcquire(key, LEASE).orElseThrow(Expect.empty(Expect.FREE_KEY));
            assertThat(clientB().jobLock().acquire(key, LEASE, Duration.ZERO))
                    .as("L1: acquire(key, lease, PT0S) on a held key must be one attempt returning empty")
                    .isEmpty();
            held.release();
        }

        @Override
        @Test
        @DisplayName("L1: different keys do not exclude each other")
        public void l1_exclusion_differentKeysDoNotExcludeEachOther() {
            Lease one = clientA()
                    .jobLock()
                    .tryAcquire(Keys.fresh("l1-one"), LEASE)
                    .orElseThrow(Expect.empty(Expect.FREE_KEY));
            Optional<Lease> two = clientB().jobLock().tryAcquire(Keys.fresh("l1-two"), LEASE);
            assertThat(two)
                    .as("L1: a lease on one key must not block another key (a hash collision of key names?)")
                    .isPresent();
            two.get().release();
            one.release();
        }

        @Override
        @Test
        @DisplayName(
                "L1: an acquire whose reply comes after its client closed hands out no lease valid beside another holder")
        public void l1_exclusion_anAcquireInFlightWhenItsClientClosesHandsOutNoValidLease(TestInfo test)
                throws Exception {
            assumeFault(Fault.DELAY_REPLIES, test);
            TckSettings settings = settings();
            Duration delay = Duration.ofMillis(800);
            String key = Keys.fresh("l1-closed-in-flight");
            Backend closing = target().newClient();
            // Its connection is open and warm first, so that the acquire's request leaves at once.
            assertThat(closing.jobLock()
                            .tryAcquire(key + "-warm", LEASE)
                            .orElseThrow(Expect.empty(Expect.FREE_KEY))
                            .release())
                    .isTrue();
            Waiter<Optional<Lease>> inFlight;
            try (Heal heal = target().faults().delayReplies(closing, delay)) {
                inFlight = Waiter.start(
                        "lockkit-tck-l1-in-flight", () -> closing.jobLock().tryAcquire(key, settings.generousLease()));
                // The request is out and the store has applied it; its reply is held back. Then close.
                Poll.untilTime(System.nanoTime() + delay.toNanos() / 2);
                assertThat(inFlight.isRunning())
                        .as(
                                "the target's delayReplies(%s) must hold the acquire's reply back past the close; the"
                                        + " acquire %s",
                                delay, inFlight.state())
                        .isTrue();
                Waiter.start("lockkit-tck-l1-close", () -> {
                            closing.close();
                            return null;
                        })
                        .get(settings.deadline(), "close() with an acquire in flight");
            }
            Optional<Lease> handedOut;
            try {
                handedOut = inFlight.get(settings.deadline(), "the acquire in flight at close()");
            } catch (LockKitException | IllegalStateException refused) {
                handedOut = Optional.empty(); // refusing the grant of a closed client is one right answer
            }
            Optional<Lease> other = clientA().jobLock().tryAcquire(key, LEASE);
            if (handedOut.isPresent() && other.isPresent()) {
                assertThat(handedOut.get().isValid())
                        .as(
                                "L1: two holders of '%s': the lease handed out by a client closed while its acquire was"
                                        + " in flight is still valid after another client was granted the key (token %d;"
                                        + " did close() end the session that held it, and the grant still say valid?)",
                                key, other.get().token())
                        .isFalse();
            }
            other.ifPresent(Lease::release);
        }

        @Override
        @Test
        @DisplayName("scenario 1: of N workers claiming one job at once, 1 wins and the others get empty")
        public void scenario01_exclusiveClaim() throws Exception {
            ScenarioRow row = runScenario(Scenarios.EXCLUSIVE_CLAIM);
            assertThat(row.winners())
                    .as("L1: exactly one worker wins the claim")
                    .isEqualTo(1);
            assertThat(row.uncaught())
                    .as("L6: losing the claim is an empty Optional, never an exception")
                    .isZero();
        }

        @Override
        @Test
        @DisplayName("scenario 2a: losers retrying from stale copies never run the side effect twice")
        public void scenario02a_doubleExecution() throws Exception {
            assertDoubleExecution(runScenario(Scenarios.DOUBLE_EXECUTION));
        }

        @Override
        @Test
        @DisplayName("scenario 2b: the same with twice the workers")
        public void scenario02b_doubleExecutionWithTwiceTheWorkers() throws Exception {
            assertDoubleExecution(runScenario(Scenarios.DOUBLE_EXECUTION_TWICE_THE_WORKERS));
        }

        private void assertDoubleExecution(ScenarioRow row) {
            assertThat(row.sideEffects())
                    .as("L1/V1: the guarded side effect must run exactly once")
                    .isEqualTo(1);
            assertThat(row.overlaps())
                    .as("L1: no two workers may hold the lock at once")
                    .isZero();
            assertThat(row.uncaught())
                    .as("L6: losers are told locked or blocked, never an exception")
                    .isZero();
        }

        @Override
        @Test
        @DisplayName("scenario 11: random keys, leases and hold times never give two overlapping sections")
        public void scenario11_fuzz() throws Exception {
            ScenarioRow row = runScenario(Scenarios.FUZZ);
            assertThat(row.overlaps())
                    .as("L1: critical sections of one key must never overlap")
                    .isZero();
            assertThat(row.uncaught()).as("L6: no call may throw").isZero();
            assertThat(row.winners()).as("the fuzz must have held some leases").isPositive();
        }
    }

    /** L2 fencing tokens. */
    @Nested
    @DisplayName("L2 fencing tokens")
    class Fencing implements JobLockRules.Fencing {
        @Override
        @Test
        @DisplayName("L2: tokens strictly increase across keys, clients and releases")
        public void l2_tokensStrictlyIncreaseAcrossKeysAndReleases() {
            String prefix = Keys.fresh("l2-");
            Backend[] clients = {clientA(), clientB(), clientC()};
            long last = 0;
            for (int i = 0; i < 24; i++) {
                Lease lease = clients[i % 3]
                        .jobLock()
                        .tryAcquire(prefix + i % 4, LEASE)
                        .orElseThrow(Expect.empty(Expect.FREE_KEY));
                assertThat(lease.token())
                        .as(
                                "L2: grant #%d (key %d, client %d) must carry a token greater than every earlier one"
                                        + " (tokens per key, or reset on release?)",
                                i, i % 4, i % 3)
                        .isGreaterThan(last);
                last = lease.token();
                assertThat(lease.release()).isTrue();
            }
        }

        @Override
        @Test
        @DisplayName("L2: tokens strictly increase across client restarts")
        public void l2_tokensStrictlyIncreaseAcrossClientRestarts() {
            String key = Keys.fresh("l2-restart");
            long last = 0;
            for (int restart = 0; restart < 3; restart++) {
                try (Backend fresh = target().newClient()) {
                    Lease lease = fresh.jobLock().tryAcquire(key, LEASE).orElseThrow(Expect.empty(Expect.FREE_KEY));
                    assertThat(lease.token())
                            .as(
                                    "L2: the token after client restart %d must be greater than every earlier token"
                                            + " (a counter kept in the client?)",
                                    restart)
                            .isGreaterThan(last);
                    last = lease.token();
                    lease.release();
                }
            }
        }

        @Override
        @Test
        @DisplayName("L2: concurrent grants on different keys get distinct tokens, all above earlier ones")
        public void l2_concurrentGrantsOnDifferentKeysGetDistinctIncreasingTokens() throws Exception {
            TckSettings settings = settings();
            String prefix = Keys.fresh("l2-concurrent-");
            Lease before =
                    clientA().jobLock().tryAcquire(prefix + "before", LEASE).orElseThrow(Expect.empty(Expect.FREE_KEY));
            before.release();
            RaceResult<Long> race;
            try (ClientPool pool = ClientPool.open(target(), settings.clients())) {
                race = Race.run(settings.workers(), settings.deadline(), i -> {
                    try (Lease lease = pool.forWorker(i)
                            .jobLock()
                            .tryAcquire(prefix + i, LEASE)
                            .orElseThrow(Expect.empty(Expect.FREE_KEY))) {
                        return lease.token();
                    }
                });
            }
            assertThat(race.problems())
                    .as("every worker acquires its own fresh key")
                    .isEmpty();
            assertThat(new HashSet<>(race.outcomes()))
                    .as(
                            "L2: %d concurrent grants must carry %d distinct tokens (one global order per store)",
                            settings.workers(), settings.workers())
                    .hasSize(settings.workers());
            assertThat(race.outcomes())
                    .as("L2: every token must be greater than the token %d granted before the race", before.token())
                    .allMatch(t -> t > before.token());
        }

        @Override
        @Test
        @DisplayName("L2: a grant after a wait is ordered after every grant made while it waited")
        public void l2_grantAfterWaitIsOrderedAfterGrantsMadeWhileWaiting() throws Exception {
            TckSettings settings = settings();
            String key = Keys.fresh("l2-wait");
            Lease held = clientA()
                    .jobLock()
                    .tryAcquire(key, settings.generousLease())
                    .orElseThrow(Expect.empty(Expect.FREE_KEY));
            Waiter<Optional<Lease>> waiter = Waiter.start(
                    "lockkit-tck-l2-waiter", () -> clientB().jobLock().acquire(key, LEASE, settings.deadline()));
            waiter.awaitParked(settings.shortLease());
            Lease meanwhile =
                    clientC().jobLock().tryAcquire(key + "-other", LEASE).orElseThrow(Expect.empty(Expect.FREE_KEY));
            assertThat(held.release()).isTrue();
            Optional<Lease> got = waiter.get(settings.deadline(), "the waiter's acquire");
            assertThat(got).as("L7: the waiter gets the lock after the release").isPresent();
            assertThat(got.get().token())
                    .as(
                            "L2: the waiter's grant came after the grant of token %d on another key, so its token"
                                    + " must be greater (a token taken when the wait began, not when it was granted?)",
                            meanwhile.token())
                    .isGreaterThan(meanwhile.token());
            assertThat(got.get().extend(LEASE))
                    .as("a lease granted after a wait must extend like any other")
                    .isTrue();
            assertThat(got.get().release()).isTrue();
            assertThat(meanwhile.release()).isTrue();
        }

        @Override
        @Test
        @DisplayName("L2: a grant after a wait inside the store is ordered after every grant made meanwhile")
        public void l2_grantAfterAWaitInsideTheStoreIsOrderedAfterGrantsMadeMeanwhile(TestInfo test) throws Exception {
            assumeFault(Fault.HOLD_KEY, test);
            TckSettings settings = settings();
            String key = Keys.fresh("l2-store-wait");
            assertThat(clientA()
                            .jobLock()
                            .tryAcquire(key, LEASE)
                            .orElseThrow(Expect.empty(Expect.FREE_KEY))
                            .release())
                    .isTrue(); // the key's record exists, free
            // C's connection is opened and warm before the hold: the waiter's network timeout (2 s on the
            // proxied targets) must outlast the hold, which is then only C's one grant.
            assertThat(clientC()
                            .jobLock()
                            .tryAcquire(key + "-warm", LEASE)
                            .orElseThrow(Expect.empty(Expect.FREE_KEY))
                            .release())
                    .isTrue();
            Waiter<Optional<Lease>> waiter;
            Lease meanwhile;
            try (StoreFaults.HeldKey held = target().faults().holdKey(key)) {
                waiter = Waiter.start(
                        "lockkit-tck-l2-store-waiter", () -> clientB().jobLock().tryAcquire(key, LEASE));
                assertThat(held.awaitWaiter(settings.deadline()))
                        .as(
                                "the acquire must reach the store and wait on the held record (the acquire %s)",
                                waiter.state())
                        .isTrue();
                meanwhile = clientC()
                        .jobLock()
                        .tryAcquire(key + "-other", LEASE)
                        .orElseThrow(Expect.empty(Expect.FREE_KEY));
            }
            Optional<Lease> got = waiter.get(settings.deadline(), "the acquire that waited inside the store");
            assertThat(got).as("L4: the key is free once the record is let go").isPresent();
            assertThat(got.get().token())
                    .as(
                            "L2: the grant after the wait came after the grant of token %d on another key, so its token"
                                    + " must be greater (a token drawn before the wait on the key's record?)",
                            meanwhile.token())
                    .isGreaterThan(meanwhile.token());
            assertThat(got.get().release()).isTrue();
            assertThat(meanwhile.release()).isTrue();
        }

        @Override
        @Test
        @DisplayName("L2: after a store restart every grant has a larger token than every grant before it")
        public void l2_tokensKeepIncreasingAcrossAStoreRestart(TestInfo test) throws Exception {
            assumeFault(Fault.RESTART_STORE, test);
            assumeCapability(Capability.FENCING_SURVIVES_STORE_RESTART, test);
            TckSettings settings = settings();
            String released = Keys.fresh("l2-restart-released");
            String held = Keys.fresh("l2-restart-held");
            Lease before = clientA().jobLock().tryAcquire(released, LEASE).orElseThrow(Expect.empty(Expect.FREE_KEY));
            assertThat(before.release()).isTrue();
            Lease holder = clientA().jobLock().tryAcquire(held, LEASE).orElseThrow(Expect.empty(Expect.FREE_KEY));
            long highest = Math.max(before.token(), holder.token());

            target().faults().restartStore();

            Lease after = Poll.forValue(settings.deadline(), () -> attempt(clientB(), released))
                    .orElseThrow(() -> new AssertionError("L4: no client could acquire a released key within "
                            + settings.deadline() + " after the store restarted"));
            assertThat(after.token())
                    .as(
                            "L2: a grant after the restart (token %d) must be larger than every grant before it (%d),"
                                    + " or a zombie's writes fenced with an old token would beat the new holder's",
                            after.token(), highest)
                    .isGreaterThan(highest);
            if (clientA().has(Capability.DATA_SURVIVES_STORE_RESTART)
                    && clientA().has(Capability.TIMED_LEASE)) {
                Optional<Lease> taken = attempt(clientC(), held);
                boolean overlap = taken.isPresent() && holder.isValid();
                taken.ifPresent(Lease::release);
                assertThat(overlap)
                        .as("L1: the store declares that timed leases survive a restart, yet another client took"
                                + " a key whose lease was still valid")
                        .isFalse();
            }
            after.release();
            holder.release();
        }

        @Override
        @Test
        @DisplayName(
                "L2: after the store is killed and starts again, every grant has a larger token than every grant before")
        public void l2_tokensKeepIncreasingAcrossAStoreCrash(TestInfo test) throws Exception {
            assumeFault(Fault.CRASH_STORE, test);
            assumeCapability(Capability.FENCING_SURVIVES_STORE_RESTART, test);
            TckSettings settings = settings();
            // A first kill, so the grant below is the first one the store makes after starting from
            // what it had made durable: a sequence logs ahead of the values it hands out, once per
            // batch and again after every checkpoint, so this grant is the one that writes that log.
            target().faults().crashStore();
            String held = Keys.fresh("l2-crash-held");
            Lease holder = Poll.forValue(settings.deadline(), () -> attempt(clientA(), held))
                    .orElseThrow(() -> new AssertionError("L4: no client could acquire a fresh key within "
                            + settings.deadline() + " after the store was killed and started again"));
            long highest = holder.token();

            // Killed while the lease is still held: nothing after the grant (no release, no write, no
            // other grant) has made it durable on the store's behalf.
            target().faults().crashStore();

            String fresh = Keys.fresh("l2-crash-after");
            Lease after = Poll.forValue(settings.deadline(), () -> attempt(clientB(), fresh))
                    .orElseThrow(() -> new AssertionError("L4: no client could acquire a fresh key within "
                            + settings.deadline() + " after the store was killed and started again"));
            assertThat(after.token())
                    .as(
                            "L2: a grant after the store was killed (token %d) must be larger than every grant"
                                    + " before the kill (%d): a token handed out before it was durable came back"
                                    + " from the store's log again, and the zombie holding it passes the fence",
                            after.token(), highest)
                    .isGreaterThan(highest);
            after.release();
            releaseQuietly(holder);
        }

        private void releaseQuietly(Lease lease) {
            try {
                lease.release();
            } catch (LockKitException e) {
                // the store forgot it or the session ended with the kill: nothing to free
            }
        }

        /** One tryAcquire, empty while the store is still coming back. */
        private Optional<Lease> attempt(Backend client, String key) {
            try {
                return client.jobLock().tryAcquire(key, LEASE);
            } catch (LockKitException e) {
                return Optional.empty();
            }
        }

        @Override
        @Test
        @DisplayName("scenario 8: a zombie holder is fenced out, and its release frees nothing")
        public void scenario08_zombieHolder() throws Exception {
            ScenarioRow row = runScenario(Scenarios.ZOMBIE_HOLDER);
            assertThat(row.winners()).as("L4: B takes over the zombie's lock").isEqualTo(1);
        }
    }

    /** L3 ownership. */
    @Nested
    @DisplayName("L3 ownership")
    class Ownership implements JobLockRules.Ownership {
        @Override
        @Test
        @DisplayName("L3: release is idempotent and never frees the next holder")
        public void l3_releaseIsIdempotentAndNeverFreesTheNextHolder() {
            String key = Keys.fresh("l3-release");
            Lease first = clientA().jobLock().tryAcquire(key, LEASE).orElseThrow(Expect.empty(Expect.FREE_KEY));
            assertThat(first.release())
                    .as("L3: release() of the current lease returns true")
                    .isTrue();
            assertThat(first.release())
                    .as("L3: a second release() returns false")
                    .isFalse();
            assertThat(first.isValid()).as("L5: a released lease is not valid").isFalse();

            Lease second = clientB()
                    .jobLock()
                    .tryAcquire(key, LEASE)
                    .orElseThrow(() -> new AssertionError("L3: the key must be free after release()"));
            assertThat(first.release())
                    .as("L3: the old lease's release() must return false while B holds the key")
                    .isFalse();
            assertThat(first.extend(LEASE))
                    .as("L3: the old lease's extend() must return false while B holds the key")
                    .isFalse();
            first.close();
            assertThat(second.isValid())
                    .as("L3: the new holder's lease must stay valid")
                    .isTrue();
            Optional<Lease> third = clientC().jobLock().tryAcquire(key, LEASE);
            third.ifPresent(Lease::release);
            assertThat(third)
                    .as("L3: the key must still be B's after the old lease's release, extend and close (an"
                            + " unconditional delete, or an owner check by client instead of by lease?)")
                    .isEmpty();
            assertThat(second.release()).as("L3: B's release() returns true").isTrue();
        }

        @Override
        @Test
        @DisplayName("L3: extend keeps a current lease beyond its first duration")
        public void l3_extendKeepsACurrentLeaseBeyondItsFirstDuration() throws Exception {
            String key = Keys.fresh("l3-extend");
            Duration shortLease = settings().shortLease();
            long sent = System.nanoTime();
            Lease lease = clientA().jobLock().tryAcquire(key, shortLease).orElseThrow(Expect.empty(Expect.FREE_KEY));
            long acquired = System.nanoTime();
            boolean extended = lease.extend(settings().generousLease());
            if (!extended && System.nanoTime() - sent >= shortLease.toNanos()) {
                Assumptions.abort("inconclusive: the lease of " + shortLease + " may have run out before extend()"
                        + " was sent; raise -D" + TckSettings.SHORT_LEASE_MILLIS + " on a slow machine");
            }
            assertThat(extended)
                    .as("L3: extend() of the current lease returns true")
                    .isTrue();
            Poll.untilTime(acquired + shortLease.toNanos());
            assertThat(lease.isValid())
                    .as(
                            "L3: the lease extended to %s must still be valid after its first duration %s",
                            settings().generousLease(), shortLease)
                    .isTrue();
            assertThat(clientB().jobLock().tryAcquire(key, LEASE))
                    .as("L1: the extended lease must still exclude others after its first duration")
                    .isEmpty();
            assertThat(lease.release())
                    .as("L3: release() of the extended lease returns true")
                    .isTrue();
        }

        @Override
        @Test
        @DisplayName("L3: close() releases the lease")
        public void l3_closeReleasesTheLease() {
            String key = Keys.fresh("l3-close");
            try (Lease lease = clientA().jobLock().tryAcquire(key, LEASE).orElseThrow(Expect.empty(Expect.FREE_KEY))) {
                assertThat(lease.isValid()).isTrue();
            }
            Optional<Lease> next = clientB().jobLock().tryAcquire(key, LEASE);
            assertThat(next).as("L3: the key must be free after close()").isPresent();
            next.get().release();
        }
    }

    /** L4 expiry and L5 validity. */
    @Nested
    @DisplayName("L4 expiry, L5 validity")
    class Expiry implements JobLockRules.Expiry {
        @Override
        @Test
        @DisplayName("L5: a held lease is valid with time remaining; a released one is not")
        public void l5_isValidWithTimeRemainingWhileHeld() {
            Lease lease = clientA()
                    .jobLock()
                    .tryAcquire(Keys.fresh("l5-held"), LEASE)
                    .orElseThrow(Expect.empty(Expect.FREE_KEY));
            assertThat(lease.isValid()).as("L5: a fresh lease is valid").isTrue();
            assertThat(lease.remaining())
                    .as("L5: a fresh lease of %s has time remaining, at most its duration", LEASE)
                    .isPositive()
                    .isLessThanOrEqualTo(LEASE);
            assertThat(lease.release()).isTrue();
            assertThat(lease.isValid()).as("L5: a released lease is not valid").isFalse();
            assertThat(lease.remaining())
                    .as("L5: a released lease has no time remaining")
                    .isZero();
        }

        @Override
        @Test
        @DisplayName("L5: isValid() is false from the deadline on and never true again")
        public void l5_isValidFalseFromDeadlineAndNeverTrueAgain(TestInfo test) throws Exception {
            LeaseKind kind = LeaseKind.of(clientA());
            assumeThat(kind != LeaseKind.NONE, LeaseKind.NONE_REASON, test);
            TckSettings settings = settings();
            String key = Keys.fresh("l5-deadline");
            Lease lease = clientA()
                    .jobLock()
                    .tryAcquire(key, settings.shortLease())
                    .orElseThrow(Expect.empty(Expect.FREE_KEY));
            long acquired = System.nanoTime();
            CountDownLatch lost = new CountDownLatch(1);
            lease.onLost(l -> lost.countDown());
            if (kind == LeaseKind.TIMED) {
                // The deadline is at most (acquire returned + lease): the request was sent before.
                Poll.untilTime(acquired + settings.shortLease().toNanos());
                assertThat(lease.isValid())
                        .as(
                                "L5: a timed lease of %s must be invalid once that long has passed since acquire"
                                        + " returned (its deadline counts from when the request was sent)",
                                settings.shortLease())
                        .isFalse();
            } else {
                target().faults().killConnection(clientA());
                assertThat(Poll.until(settings.deadline(), () -> !lease.isValid()))
                        .as("L5: a session lease must become invalid once its connection was killed")
                        .isTrue();
            }
            assertThat(lease.remaining())
                    .as("L5: an invalid lease has no time remaining")
                    .isZero();
            assertThat(lost.await(settings.deadline().toNanos(), TimeUnit.NANOSECONDS))
                    .as("L5: the onLost listener must be called when the lease is lost")
                    .isTrue();
            Lease next = Poll.forValue(
                            settings.deadline(), () -> clientB().jobLock().tryAcquire(key, LEASE))
                    .orElseThrow(() -> new AssertionError("L4: no one could acquire the key after the lease ended"));
            assertThat(lease.extend(LEASE))
                    .as("L3: extend() of a lost lease must return false")
                    .isFalse();
            List<Integer> trueAgain = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                if (lease.isValid()) {
                    trueAgain.add(i);
                }
            }
            assertThat(trueAgain)
                    .as("L5: once false, isValid() must never be true again (after extend and another's" + " acquire)")
                    .isEmpty();
            assertThat(lease.release())
                    .as("L3: release() of a lost lease must return false")
                    .isFalse();
            assertThat(next.release())
                    .as("L3: the new holder's release() returns true")
                    .isTrue();
        }

        @Override
        @Test
        @DisplayName("L5: a release whose reply was lost leaves the lease invalid for ever; a retry frees no one else")
        public void l5_aReleaseWhoseReplyWasLostNeverBringsTheLeaseBack(TestInfo test) throws Exception {
            assumeFault(Fault.LOSE_REPLIES, test);
            String key = Keys.fresh("l5-lost-release");
            Lease lease = clientA()
                    .jobLock()
                    .tryAcquire(key, settings().generousLease())
                    .orElseThrow(Expect.empty(Expect.FREE_KEY));
            List<Lease> lost = new java.util.concurrent.CopyOnWriteArrayList<>();
            lease.onLost(lost::add);
            try (Heal heal = target().faults().loseReplies(clientA())) {
                try {
                    lease.release();
                } catch (LockKitException expected) {
                    // the reply never came: the release may or may not have been applied
                }
                assertThat(lease.isValid())
                        .as("L5: once release() was called, isValid() must be false, also when the reply was lost")
                        .isFalse();
            }
            assertThat(lease.isValid())
                    .as("L5: a lease whose release failed must never be valid again (the release may have"
                            + " freed the key for someone else)")
                    .isFalse();
            assertThat(lease.remaining())
                    .as("L5: an invalid lease has no time remaining")
                    .isZero();
            lease.release(); // the retry: the owner-checked delete goes out again; it must not throw now
            Lease next = clientB()
                    .jobLock()
                    .tryAcquire(key, LEASE)
                    .orElseThrow(() -> new AssertionError(
                            "L3: after release() was retried without an exception the key must be free"));
            assertThat(lease.isValid())
                    .as("L5: never valid again, also after another client took the key")
                    .isFalse();
            assertThat(lease.extend(LEASE))
                    .as("L3: extend() of a released lease returns false")
                    .isFalse();
            assertThat(lease.release())
                    .as("L3: release() of a lease given up earlier returns false and frees no one else")
                    .isFalse();
            assertThat(next.extend(LEASE))
                    .as("L3: the next holder's lease must be untouched by the old holder's retried release")
                    .isTrue();
            assertThat(next.release()).isTrue();
            assertThat(lost).as("L5: onLost is never called after release()").isEmpty();
        }

        @Override
        @Test
        @DisplayName("L5: the deadline counts from when the request was sent, not from when its reply came")
        public void l5_theDeadlineCountsFromTheSendNotTheReply(TestInfo test) throws Exception {
            assumeFault(Fault.DELAY_REPLIES, test);
            Duration delay = Duration.ofMillis(400);
            String key = Keys.fresh("l5-late-reply");
            Lease lease;
            try (Heal heal = target().faults().delayReplies(clientA(), delay)) {
                long before = System.nanoTime();
                lease = clientA().jobLock().tryAcquire(key, LEASE).orElseThrow(Expect.empty(Expect.FREE_KEY));
                Duration took = Duration.ofNanos(System.nanoTime() - before);
                assertThat(took)
                        .as("the target's delayReplies(%s) did not delay the acquire's reply", delay)
                        .isGreaterThanOrEqualTo(delay);
                assertThat(lease.remaining())
                        .as(
                                "L5: the reply of an acquire of %s came at least %s after the request was sent, so at"
                                        + " most %s can remain: a deadline counted from the reply outlives the store's lease",
                                LEASE, delay, LEASE.minus(delay))
                        .isLessThanOrEqualTo(LEASE.minus(delay));
                assertThat(lease.extend(LEASE)).isTrue();
                assertThat(lease.remaining())
                        .as("L5: the same for extend(): its reply came at least %s after the request", delay)
                        .isLessThanOrEqualTo(LEASE.minus(delay));
            }
            assertThat(lease.release()).isTrue();
        }

        @Override
        @Test
        @DisplayName("scenario 9: a crashed holder's lock is free by its deadline, with no clean-up job")
        public void scenario09_crashRecovery() throws Exception {
            ScenarioRow row = runScenario(Scenarios.CRASH_RECOVERY);
            assertThat(row.winners())
                    .as("L4: the waiter gets the crashed holder's lock")
                    .isEqualTo(1);
        }

        @Override
        @Test
        @DisplayName("scenario 10: a session lease ends with its connection; a timed lease survives a blip")
        public void scenario10_connectionLoss() throws Exception {
            ScenarioRow row = runScenario(Scenarios.CONNECTION_LOSS);
            assertThat(row.winners())
                    .as("the holder (or its successor) holds the key")
                    .isEqualTo(1);
        }
    }

    /** L7 wake-up and L8 interrupts. */
    @Nested
    @DisplayName("L7 wake-up, L8 interrupts")
    class WakeUp implements JobLockRules.WakeUp {
        private record Woken(Optional<Lease> lease, long returnedAt) {}

        @Override
        @Test
        @DisplayName("L7: a waiter wakes and gets the lock after the holder releases")
        public void l7_waiterWakesAfterRelease() throws Exception {
            TckSettings settings = settings();
            String key = Keys.fresh("l7-wake");
            Lease held = clientA()
                    .jobLock()
                    .tryAcquire(key, settings.generousLease())
                    .orElseThrow(Expect.empty(Expect.FREE_KEY));
            Waiter<Woken> waiter = Waiter.start("lockkit-tck-l7-waiter", () -> {
                Optional<Lease> got = clientB().jobLock().acquire(key, LEASE, settings.deadline());
                return new Woken(got, System.nanoTime());
            });
            waiter.awaitParked(settings.shortLease());
            long releasing = System.nanoTime();
            assertThat(held.release()).isTrue();
            Woken woken = waiter.get(settings.deadline(), "L7: the waiter's acquire");
            assertThat(woken.lease())
                    .as(
                            "L7: the waiter must get the lock after the holder released, within its maxWait %s",
                            settings.deadline())
                    .isPresent();
            assertThat(woken.returnedAt() - releasing)
                    .as("L1: the waiter got the lock before the holder called release()")
                    .isNotNegative();
            assertThat(Duration.ofNanos(woken.returnedAt() - releasing))
                    .as(
                            "L7: the waiter got the lock only when its maxWait of %s was half over: it was not woken by"
                                    + " the release (a lost wake-up, or a poll as long as the wait)",
                            settings.deadline())
                    .isLessThan(settings.deadline().dividedBy(2));
            assertThat(woken.lease().get().token())
                    .as("L2: the waiter's token must be greater than the holder's")
                    .isGreaterThan(held.token());
            assertThat(woken.lease().get().release()).isTrue();
        }

        @Override
        @Test
        @DisplayName("L7/E1: a 'forever' maxWait is a valid wait, not an overflow")
        public void l7_aForeverMaxWaitIsAccepted() throws Exception {
            String key = Keys.fresh("l7-forever");
            Lease lease = clientA()
                    .jobLock()
                    .acquire(key, LEASE, Duration.ofSeconds(Long.MAX_VALUE))
                    .orElseThrow(
                            () -> new AssertionError(
                                    "L7: acquire of a free key with maxWait = Duration.ofSeconds(Long.MAX_VALUE) returned empty"));
            assertThat(lease.release())
                    .as("L3: the holder's release() returns true")
                    .isTrue();
        }

        @Override
        @Test
        @DisplayName("L7: a waiter gets empty, not an exception, when its maxWait passes while the key is held")
        public void l7_waiterGetsEmptyWhenMaxWaitPassesWhileHeld() throws Exception {
            String key = Keys.fresh("l7-give-up");
            Lease held = clientA()
                    .jobLock()
                    .tryAcquire(key, settings().generousLease())
                    .orElseThrow(Expect.empty(Expect.FREE_KEY));
            assertThat(clientB().jobLock().acquire(key, LEASE, Duration.ofMillis(200)))
                    .as("L6/L7: acquire must return empty when maxWait passes while another holds the key")
                    .isEmpty();
            assertThat(held.isValid()).as("L1: the holder keeps its lease").isTrue();
            assertThat(held.release()).isTrue();
        }

        @Override
        @Test
        @DisplayName("L7: an acquire on a client whose every lease session is in use gets empty by its maxWait")
        public void l7_anAcquireOnAFullClientGetsEmptyByItsMaxWait() throws Exception {
            TckSettings settings = settings();
            String key = Keys.fresh("l7-full");
            Lease held = clientB()
                    .jobLock()
                    .tryAcquire(key, settings.generousLease())
                    .orElseThrow(Expect.empty(Expect.FREE_KEY));
            List<Lease> filling = fill(clientA(), settings);
            try {
                Duration maxWait = Duration.ofMillis(300);
                Duration guard = maxWait.plus(settings.shortLease().multipliedBy(2));
                Waiter<String> waiter = Waiter.start("lockkit-tck-l7-full", () -> {
                    try {
                        Optional<Lease> got = clientA().jobLock().acquire(key, LEASE, maxWait);
                        got.ifPresent(Lease::release);
                        return got.isPresent() ? "granted a held key" : "empty";
                    } catch (RuntimeException e) {
                        return "threw " + e;
                    }
                });
                assertThat(waiter.get(guard, "L7: the acquire of a held key on a full client"))
                        .as(
                                "L6/L7: with every lease session of its client in use (%d leases held), an acquire"
                                        + " of a held key must wait for a session within its maxWait (%s) and return empty"
                                        + " by then (guard %s), not wait for the client's connection wait or throw",
                                filling.size(), maxWait, guard)
                        .isEqualTo("empty");
            } finally {
                filling.forEach(Lease::release);
            }
            assertThat(held.release()).isTrue();
            Lease again = clientA()
                    .jobLock()
                    .tryAcquire(key, LEASE)
                    .orElseThrow(() ->
                            new AssertionError("L7: once its leases are released, the client must get the free key"));
            assertThat(again.release()).isTrue();
        }

        @Override
        @Test
        @DisplayName("L8: an acquire waiting for a lease session of its client reacts to an interrupt")
        public void l8_anAcquireWaitingForALeaseSessionOfItsClientIsInterruptible() throws Exception {
            TckSettings settings = settings();
            String key = Keys.fresh("l8-full");
            Lease held = clientB()
                    .jobLock()
                    .tryAcquire(key, settings.generousLease())
                    .orElseThrow(Expect.empty(Expect.FREE_KEY));
            List<Lease> filling = fill(clientA(), settings);
            try {
                Waiter<String> waiter = Waiter.start("lockkit-tck-l8-full", () -> {
                    try {
                        Optional<Lease> got = clientA().jobLock().acquire(key, LEASE, settings.deadline());
                        got.ifPresent(Lease::release);
                        return "returned " + got + " instead of throwing InterruptedException";
                    } catch (InterruptedException e) {
                        return Thread.currentThread().isInterrupted()
                                ? "interrupted, flag set"
                                : "threw InterruptedException but left the interrupt flag cleared";
                    } catch (RuntimeException e) {
                        return "threw " + e + " instead of InterruptedException";
                    }
                });
                waiter.awaitParked(settings.shortLease());
                waiter.interrupt();
                Duration guard = settings.shortLease().multipliedBy(2);
                assertThat(waiter.get(guard, "L8: the interrupted acquire on a full client"))
                        .as(
                                "L8: an acquire waiting while every lease session of its client is in use (%d leases"
                                        + " held) must throw InterruptedException with the flag set again when interrupted,"
                                        + " within %s",
                                filling.size(), guard)
                        .isEqualTo("interrupted, flag set");
            } finally {
                filling.forEach(Lease::release);
            }
            assertThat(held.release()).isTrue();
            Optional<Lease> free = clientC().jobLock().tryAcquire(key, LEASE);
            assertThat(free)
                    .as("L8: the key must be free after the holder released: the interrupted acquire holds nothing")
                    .isPresent();
            free.get().release();
        }

        /**
         * Leases on fresh keys held by {@code client}, as many as one client of the target can hold
         * at once ({@link TckTarget#leasesPerClient()}; 4 where the backend sets no bound).
         */
        private List<Lease> fill(Backend client, TckSettings settings) {
            int n = target().leasesPerClient().orElse(4);
            List<Lease> leases = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                String key = Keys.fresh("fill-" + i);
                leases.add(client.jobLock()
                        .tryAcquire(key, settings.generousLease())
                        .orElseThrow(Expect.empty(Expect.FREE_KEY)));
            }
            return leases;
        }

        @Override
        @Test
        @DisplayName("L8: an interrupted acquire restores the interrupt flag and holds nothing")
        public void l8_interruptedAcquireRestoresFlagAndHoldsNothing() throws Exception {
            TckSettings settings = settings();
            String key = Keys.fresh("l8-interrupt");
            Lease held = clientA()
                    .jobLock()
                    .tryAcquire(key, settings.generousLease())
                    .orElseThrow(Expect.empty(Expect.FREE_KEY));
            Waiter<String> waiter = Waiter.start("lockkit-tck-l8-waiter", () -> {
                try {
                    Optional<Lease> got = clientB().jobLock().acquire(key, LEASE, settings.deadline());
                    got.ifPresent(Lease::release);
                    return "returned " + got + " instead of throwing InterruptedException";
                } catch (InterruptedException e) {
                    return Thread.currentThread().isInterrupted()
                            ? "interrupted, flag set"
                            : "threw InterruptedException but left the interrupt flag cleared";
                }
            });
            waiter.awaitParked(settings.shortLease());
            waiter.interrupt();
            assertThat(waiter.get(settings.deadline(), "L8: the interrupted acquire"))
                    .as("L8: an interrupted acquire must throw InterruptedException with the interrupt flag set"
                            + " again")
                    .isEqualTo("interrupted, flag set");
            assertThat(held.release()).isTrue();
            for (int round = 1; round <= 2; round++) {
                Optional<Lease> free = clientC().jobLock().tryAcquire(key, LEASE);
                assertThat(free)
                        .as(
                                "L8: after the holder released, the key must be free (round %d): the interrupted"
                                        + " acquire must leave no lock and no queued claim behind",
                                round)
                        .isPresent();
                free.get().release();
            }
        }

        @Override
        @Test
        @DisplayName("L8: acquire called with the interrupt flag already set throws at once and holds nothing")
        public void l8_acquireWithTheInterruptFlagAlreadySetThrowsAndHoldsNothing() throws Exception {
            TckSettings settings = settings();
            String key = Keys.fresh("l8-preset");
            Lease held = clientA()
                    .jobLock()
                    .tryAcquire(key, settings.generousLease())
                    .orElseThrow(Expect.empty(Expect.FREE_KEY));
            Waiter<String> waiter = Waiter.start("lockkit-tck-l8-preset", () -> {
                Thread.currentThread().interrupt();
                try {
                    Optional<Lease> got = clientB().jobLock().acquire(key, LEASE, settings.deadline());
                    got.ifPresent(Lease::release);
                    return "returned " + got + " instead of throwing InterruptedException";
                } catch (InterruptedException e) {
                    return Thread.currentThread().isInterrupted()
                            ? "interrupted, flag set"
                            : "threw InterruptedException but left the interrupt flag cleared";
                } catch (RuntimeException e) {
                    return "threw " + e + " instead of InterruptedException";
                }
            });
            assertThat(waiter.get(settings.deadline(), "L8: acquire with the interrupt flag set"))
                    .as("L8: acquire on a held key by an interrupted thread must throw InterruptedException (as"
                            + " Lock.lockInterruptibly does) with the flag set again")
                    .isEqualTo("interrupted, flag set");
            assertThat(held.release()).isTrue();
            Optional<Lease> free = clientC().jobLock().tryAcquire(key, LEASE);
            assertThat(free)
                    .as("L8: the key must be free after the holder released")
                    .isPresent();
            free.get().release();
        }

        @Override
        @Test
        @DisplayName("L8: a thread whose interrupt flag is set can still release its lease")
        public void l8_anInterruptedThreadCanStillReleaseItsLease() throws Exception {
            TckSettings settings = settings();
            String key = Keys.fresh("l8-release");
            Waiter<String> holder = Waiter.start("lockkit-tck-l8-holder", () -> {
                Lease lease = clientA()
                        .jobLock()
                        .tryAcquire(key, settings.generousLease())
                        .orElseThrow(Expect.empty(Expect.FREE_KEY));
                Thread.currentThread().interrupt(); // the work under the lease was interrupted
                try {
                    return lease.release() ? "released" : "release() returned false";
                } catch (RuntimeException e) {
                    return "release() threw " + e;
                } finally {
                    Thread.interrupted();
                }
            });
            assertThat(holder.get(settings.deadline(), "L8: release on an interrupted thread"))
                    .as("L8: release() in a finally block of interrupted work must free the lock, not throw (the"
                            + " interrupt flag is no store failure)")
                    .isEqualTo("released");
            Optional<Lease> free = clientB().jobLock().tryAcquire(key, LEASE);
            assertThat(free)
                    .as("L8: the key must be free after the interrupted holder released it")
                    .isPresent();
            free.get().release();
        }
    }

    /** E1 bad input and E2 unavailable store. */
    @Nested
    @DisplayName("E1 bad input, E2 unavailable store")
    class Errors implements JobLockRules.Errors {
        @Override
        @Test
        @DisplayName("E1: bad keys, leases and waits fail fast naming the bad value, and take nothing")
        public void e1_badKeysLeasesAndWaitsFailFastAndTakeNothing() throws Exception {
            assertThat(BadInput.lockCalls(clientA(), Keys.fresh("e1-lock")))
                    .as("E1: each of these calls must throw IllegalArgumentException (NullPointerException for a"
                            + " null) naming the bad value, and take no lock")
                    .isEmpty();
        }

        @Override
        @Test
        @DisplayName("E1: leases outside the backend's limits are refused before anything is written")
        public void e1_leasesOutsideTheBackendsLimitsAreRefusedBeforeAnythingIsWritten() throws Exception {
            assertThat(BadInput.leaseLimitCalls(clientA(), Keys.fresh("e1-limits")))
                    .as("E1: a lease below leaseLimits().shortest() (it would be returned already invalid while it"
                            + " blocks the key) or above longest() (or overflowing) must be refused with an"
                            + " IllegalArgumentException naming it, and write nothing")
                    .isEmpty();
        }

        @Override
        @Test
        @DisplayName("E1: any key of 1–256 UTF-8 bytes is accepted, and distinct keys stay distinct")
        public void e1_anyKeyOf1To256Utf8BytesIsAccepted() throws Exception {
            for (String key : OddKeys.valid()) {
                Optional<Lease> lease = clientA()
                        .jobLock()
                        .acquire(key, Duration.ofSeconds(5), settings().deadline());
                assertThat(lease)
                        .as("E1: the valid key %s must be accepted", OddKeys.show(key))
                        .isPresent();
                assertThat(clientB().jobLock().tryAcquire(key, LEASE))
                        .as("L1: the key %s must be held after it was acquired", OddKeys.show(key))
                        .isEmpty();
                lease.get().release();
            }
            for (List<String> pair : OddKeys.distinctPairs()) {
                Lease first =
                        clientA().jobLock().tryAcquire(pair.get(0), LEASE).orElseThrow(Expect.empty(Expect.FREE_KEY));
                Optional<Lease> second = clientB().jobLock().tryAcquire(pair.get(1), LEASE);
                assertThat(second)
                        .as(
                                "E1: %s and %s are different keys; holding one must not block the other (a lossy"
                                        + " key encoding?)",
                                OddKeys.show(pair.get(0)), OddKeys.show(pair.get(1)))
                        .isPresent();
                second.get().release();
                first.release();
            }
        }

        @Override
        @Test
        @DisplayName("E2: every lock call on an unreachable store throws BackendUnavailableException")
        public void e2_everyLockCallOnAnUnreachableStoreThrowsBackendUnavailable() throws Exception {
            assertThat(Unreachable.lockCalls(target(), settings().deadline()))
                    .as("E2: on StoreFaults.unreachableClient() each call must throw BackendUnavailableException,"
                            + " never return empty ('held') or a lease")
                    .isEmpty();
        }

        @Override
        @Test
        @DisplayName(
                "E2: every lock call on a store that accepts connections and never answers throws BackendUnavailableException in time")
        public void e2_everyLockCallOnAStoreThatNeverAnswersThrowsBackendUnavailableInTime(TestInfo test)
                throws Exception {
            assumeFault(Fault.SILENT_STORE, test);
            assertThat(Unreachable.silentLockCalls(target(), settings().deadline()))
                    .as("E2: on StoreFaults.silentStoreClient(port) each call must throw BackendUnavailableException"
                            + " within a bounded time, never hang, never return empty ('held') or a lease")
                    .isEmpty();
        }

        @Override
        @Test
        @DisplayName("scenario 12: bad input fails fast; an unreachable store is never reported as held")
        public void scenario12_badInputAndUnavailableStore() throws Exception {
            ScenarioRow row = runScenario(Scenarios.BAD_INPUT_AND_UNAVAILABLE);
            assertThat(row.uncaught()).as("E1/E2: no unexpected exception").isZero();
        }

        @Override
        @Test
        @DisplayName("E1/L5: a lease of leaseLimits().shortest() is not granted already eaten by the drift margin")
        public void e1_aLeaseOfTheShortestDurationIsValidWhenGranted() throws Exception {
            Duration shortest = clientA().jobLock().leaseLimits().shortest();
            // deadline = sent + g − m and sent ≥ before, so remaining() + (after − before) ≥ g − m at any
            // speed (remaining() is zero, never negative, once the deadline passed): no timing luck needed.
            for (int attempt = 1; attempt <= 5; attempt++) {
                long before = System.nanoTime();
                Lease lease = clientA()
                        .jobLock()
                        .tryAcquire(Keys.fresh("e1-shortest"), shortest)
                        .orElseThrow(Expect.empty(Expect.FREE_KEY));
                Duration remaining = lease.remaining();
                Duration elapsed = Duration.ofNanos(System.nanoTime() - before);
                lease.release();
                assertThat(remaining.plus(elapsed))
                        .as(
                                "E1: a lease of leaseLimits().shortest() = %s came back with %s left after %s: its"
                                        + " deadline lies less than a quarter of the lease past the send, so the drift"
                                        + " margin eats it; the shortest lease must be at least twice the margin"
                                        + " (LeaseLimits.forDriftMargin), or a lease its holder cannot use blocks the key"
                                        + " in the store (INCIDENTS.md row 26)",
                                shortest, remaining, elapsed)
                        .isGreaterThanOrEqualTo(shortest.dividedBy(4));
            }
        }
    }
}
