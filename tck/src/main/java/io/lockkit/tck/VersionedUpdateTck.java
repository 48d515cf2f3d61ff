package io.lockkit.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockkit.Capability;
import io.lockkit.FencedOutException;
import io.lockkit.Lease;
import io.lockkit.LockKitException;
import io.lockkit.OutcomeUnknownException;
import io.lockkit.RetryPolicy;
import io.lockkit.Versioned;
import io.lockkit.VersionedUpdate;
import io.lockkit.spi.Checks;
import io.lockkit.tck.StoreFaults.Fault;
import io.lockkit.tck.StoreFaults.Heal;
import io.lockkit.tck.harness.Keys;
import io.lockkit.tck.harness.Poll;
import io.lockkit.tck.internal.BadInput;
import io.lockkit.tck.internal.Expect;
import io.lockkit.tck.internal.OddKeys;
import io.lockkit.tck.internal.Unreachable;
import io.lockkit.tck.scenarios.ScenarioRow;
import io.lockkit.tck.scenarios.Scenarios;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * The TCK for {@link VersionedUpdate} and the retrying updater over it: rules V1–V4, E1–E2 and
 * scenarios 3–7. Subclass it in your backend's tests and implement {@link #createTarget()}:
 *
 * <pre>{@code
 * class PostgresVersionedUpdateTckTest extends VersionedUpdateTck {
 *     @Override
 *     protected TckTarget createTarget() {
 *         return new PostgresTarget();
 *     }
 * }
 * }</pre>
 *
 * Test names cite the rule they check; tck/README.md lists every test with "if this fails, look
 * at…".
 */
@DisplayName("VersionedUpdate TCK")
public abstract class VersionedUpdateTck extends AbstractTck implements VersionedUpdateRules {
    private static final Duration LEASE = Duration.ofSeconds(30);

    private VersionedUpdate a() {
        return clientA().versionedUpdate();
    }

    private VersionedUpdate b() {
        return clientB().versionedUpdate();
    }

    private Versioned create(String key, String value) {
        return a().create(key, Keys.utf8(value))
                .orElseThrow(() -> new AssertionError("V1: create of the fresh key " + key + " returned empty"));
    }

    /** V1 linearizable compare-and-set. */
    @Nested
    @DisplayName("V1 linearizable compare-and-set")
    class Linearizability implements VersionedUpdateRules.Linearizability {
        @Override
        @Test
        @DisplayName("V1: create is empty when the key exists, and leaves it unchanged")
        public void v1_createIsEmptyWhenTheKeyExists() {
            String key = Keys.fresh("v1-create");
            Versioned first = create(key, "first");
            assertThat(b().create(key, Keys.utf8("second")))
                    .as("V1: create of an existing key must be empty (and L6: not a duplicate-key exception)")
                    .isEmpty();
            assertThat(b().read(key)).as("V1: the first value must stay").contains(first);
        }

        @Override
        @Test
        @DisplayName("V1: read returns the last acknowledged write, from any client")
        public void v1_readReturnsTheLastWrite() {
            String key = Keys.fresh("v1-read");
            assertThat(a().read(key)).as("V1: a fresh key reads as absent").isEmpty();
            Versioned created = create(key, "created");
            assertThat(created.key()).isEqualTo(key);
            assertThat(created.valueAsString()).isEqualTo("created");
            Versioned updated = b().compareAndSet(key, created.version(), Keys.utf8("updated"))
                    .orElseThrow(() -> new AssertionError("V1: compareAndSet with the current version was empty"));
            assertThat(updated.valueAsString()).isEqualTo("updated");
            assertThat(clientC().versionedUpdate().read(key))
                    .as("V1: every client must read the last acknowledged write")
                    .contains(updated);
        }

        @Override
        @Test
        @DisplayName("V1: compareAndSet with a stale version is empty and writes nothing")
        public void v1_compareAndSetWithAStaleVersionIsEmptyAndWritesNothing() {
            String key = Keys.fresh("v1-stale");
            Versioned v1 = create(key, "v1");
            Versioned v2 = a().compareAndSet(key, v1.version(), Keys.utf8("v2")).orElseThrow(Expect.empty(Expect.CAS));
            assertThat(b().compareAndSet(key, v1.version(), Keys.utf8("stale")))
                    .as(
                            "V1: compareAndSet with the stale version %d (current %d) must be empty",
                            v1.version(), v2.version())
                    .isEmpty();
            assertThat(b().compareAndSet(key, v2.version() + 1_000, Keys.utf8("future")))
                    .as("V1: compareAndSet with a version the key never had must be empty")
                    .isEmpty();
            assertThat(a().read(key))
                    .as("V1: rejected writes leave the value alone")
                    .contains(v2);
        }

        @Override
        @Test
        @DisplayName("V1: compareAndSet on an absent key is empty and creates nothing")
        public void v1_compareAndSetOnAnAbsentKeyIsEmptyAndCreatesNothing() {
            String key = Keys.fresh("v1-absent");
            assertThat(a().compareAndSet(key, 1, Keys.utf8("x")))
                    .as("V1: compareAndSet on an absent key must be empty")
                    .isEmpty();
            assertThat(a().read(key))
                    .as("V1: a rejected compareAndSet must not create the key")
                    .isEmpty();
        }

        @Override
        @Test
        @DisplayName("V1: delete needs the current version")
        public void v1_deleteNeedsTheCurrentVersion() {
            String key = Keys.fresh("v1-delete");
            Versioned v1 = create(key, "v1");
            Versioned v2 = a().compareAndSet(key, v1.version(), Keys.utf8("v2")).orElseThrow(Expect.empty(Expect.CAS));
            assertThat(b().delete(key, v1.version()))
                    .as("V1: delete with a stale version returns false")
                    .isFalse();
            assertThat(a().read(key)).contains(v2);
            assertThat(b().delete(key, v2.version()))
                    .as("V1: delete with the current version returns true")
                    .isTrue();
            assertThat(a().read(key)).as("V1: a deleted key reads as absent").isEmpty();
            assertThat(b().delete(key, v2.version()))
                    .as("V1: delete of an absent key returns false")
                    .isFalse();
        }

        @Override
        @Test
        @DisplayName("scenario 3: of N concurrent completions, one is stored and the others are told")
        public void scenario03_doubleCompletion() throws Exception {
            ScenarioRow row = runScenario(Scenarios.DOUBLE_COMPLETION);
            assertThat(row.winners()).as("V1: exactly one compareAndSet wins").isEqualTo(1);
            assertThat(row.uncaught())
                    .as("L6: losers get empty, never an exception")
                    .isZero();
        }

        @Override
        @Test
        @DisplayName("scenario 4: COMPLETED against FAILED: the stored state is the one whose writer won")
        public void scenario04_conflictingTransitions() throws Exception {
            ScenarioRow row = runScenario(Scenarios.CONFLICTING_TRANSITIONS);
            assertThat(row.winners())
                    .as("V1: exactly one writer per job is told it won")
                    .isEqualTo(row.workers() / 2);
        }

        @Override
        @Test
        @DisplayName("scenario 7: a slow writer's stale compareAndSet is rejected, also after delete and re-create")
        public void scenario07_outOfOrderSlowWriter() throws Exception {
            ScenarioRow row = runScenario(Scenarios.SLOW_WRITER);
            assertThat(row.winners()).as("V1: both of B's writes are accepted").isEqualTo(2);
        }
    }

    /** V2 versions never repeat. */
    @Nested
    @DisplayName("V2 versions never repeat")
    class Versions implements VersionedUpdateRules.Versions {
        @Override
        @Test
        @DisplayName("V2: the first version is at least 1 and versions strictly increase")
        public void v2_firstVersionIsAtLeastOneAndVersionsStrictlyIncrease() {
            String key = Keys.fresh("v2-increase");
            Versioned current = create(key, "0");
            assertThat(current.version())
                    .as("V2: the first version must be ≥ 1")
                    .isGreaterThanOrEqualTo(1);
            for (int i = 1; i <= 20; i++) {
                Versioned next = (i % 2 == 0 ? a() : b())
                        .compareAndSet(key, current.version(), Keys.utf8(i))
                        .orElseThrow(Expect.empty(Expect.CAS));
                assertThat(next.version())
                        .as("V2: write #%d must get a version greater than %d", i, current.version())
                        .isGreaterThan(current.version());
                current = next;
            }
        }

        @Override
        @Test
        @DisplayName("V2: versions never repeat across delete and re-create")
        public void v2_versionsNeverRepeatAcrossDeleteAndRecreate() {
            String key = Keys.fresh("v2-recreate");
            long highest = 0;
            for (int life = 0; life < 5; life++) {
                Versioned created = a().create(key, Keys.utf8("life " + life))
                        .orElseThrow(() -> new AssertionError("V1: create after delete returned empty"));
                assertThat(created.version())
                        .as(
                                "V2: re-created key (life %d) must get a version above every earlier one, %d (versions"
                                        + " restarting after delete let a stale writer win: ABA)",
                                life, highest)
                        .isGreaterThan(highest);
                Versioned updated = a().compareAndSet(key, created.version(), Keys.utf8("updated"))
                        .orElseThrow(Expect.empty(Expect.CAS));
                assertThat(updated.version()).isGreaterThan(created.version());
                highest = updated.version();
                assertThat(b().delete(key, updated.version())).isTrue();
            }
        }
    }

    /** V3 fenced writes. */
    @Nested
    @DisplayName("V3 fenced writes")
    class Fencing implements VersionedUpdateRules.Fencing {
        /** Two real tokens from the store, lower first (L2). */
        private long[] tokens() {
            return tokens(2);
        }

        /**
         * {@code n} real tokens from the store, in increasing order (L2). Fenced writes take tokens
         * of the same backend's leases: a store may refuse a token it never granted (one from before
         * a restart that lost its fences, say).
         */
        private long[] tokens(int n) {
            long[] t = new long[n];
            for (int i = 0; i < n; i++) {
                Lease lease = (i % 2 == 0 ? clientA() : clientB())
                        .jobLock()
                        .tryAcquire(Keys.fresh("v3-token"), LEASE)
                        .orElseThrow(Expect.empty(Expect.FREE_KEY));
                lease.release();
                t[i] = lease.token();
                if (i > 0) {
                    assertThat(t[i]).as("L2: a later grant has a greater token").isGreaterThan(t[i - 1]);
                }
            }
            return t;
        }

        @Override
        @Test
        @DisplayName("V3: a lower token is fenced out, whatever its expected version")
        public void v3_lowerTokenIsFencedOutWhateverTheExpectedVersion() {
            long[] t = tokens();
            String key = Keys.fresh("v3-fence");
            Versioned initial = create(key, "initial");
            Versioned high = b().compareAndSet(key, initial.version(), Keys.utf8("high"), t[1])
                    .orElseThrow(Expect.empty(Expect.CAS));
            assertThatThrownBy(() -> a().compareAndSet(key, high.version(), Keys.utf8("low"), t[0]))
                    .as(
                            "V3: a write fenced with token %d after token %d wrote MUST throw FencedOutException,"
                                    + " even with the current version",
                            t[0], t[1])
                    .isInstanceOf(FencedOutException.class);
            assertThatThrownBy(() -> a().compareAndSet(key, initial.version(), Keys.utf8("low"), t[0]))
                    .as("V3: the same with a stale version MUST also throw FencedOutException, not return empty")
                    .isInstanceOf(FencedOutException.class);
            assertThat(b().read(key))
                    .as("V3: the fenced-out writes changed nothing")
                    .contains(high);
        }

        @Override
        @Test
        @DisplayName("V3: the same or a higher token may write")
        public void v3_sameOrHigherTokenMayWrite() {
            long[] t = tokens();
            String key = Keys.fresh("v3-same");
            Versioned initial = create(key, "initial");
            Versioned low = a().compareAndSet(key, initial.version(), Keys.utf8("low"), t[0])
                    .orElseThrow(Expect.empty(Expect.CAS));
            Optional<Versioned> again = a().compareAndSet(key, low.version(), Keys.utf8("again"), t[0]);
            assertThat(again)
                    .as("V3: the token that wrote last may write again")
                    .isPresent();
            assertThat(b().compareAndSet(key, again.get().version(), Keys.utf8("high"), t[1]))
                    .as("V3: a higher token may write")
                    .isPresent();
        }

        @Override
        @Test
        @DisplayName("V3: the fence survives delete and re-create")
        public void v3_fenceSurvivesDelete() {
            long[] t = tokens();
            String key = Keys.fresh("v3-delete");
            Versioned initial = create(key, "initial");
            Versioned high = b().compareAndSet(key, initial.version(), Keys.utf8("high"), t[1])
                    .orElseThrow(Expect.empty(Expect.CAS));
            assertThat(b().delete(key, high.version())).isTrue();
            assertThatThrownBy(() -> a().compareAndSet(key, high.version(), Keys.utf8("low"), t[0]))
                    .as(
                            "V3: after delete, a write fenced with the lower token %d MUST still throw"
                                    + " FencedOutException (the fence must outlive the value)",
                            t[0])
                    .isInstanceOf(FencedOutException.class);
            Versioned recreated = create(key, "recreated");
            assertThatThrownBy(() -> a().compareAndSet(key, recreated.version(), Keys.utf8("low"), t[0]))
                    .as(
                            "V3: after delete and re-create, a write fenced with the lower token %d MUST throw"
                                    + " FencedOutException",
                            t[0])
                    .isInstanceOf(FencedOutException.class);
            assertThat(b().read(key))
                    .as("V3: the fenced-out writes changed nothing")
                    .contains(recreated);
        }

        @Override
        @Test
        @DisplayName("V3: a create fenced with a lower token is fenced out after delete; a higher token may create")
        public void v3_fencedCreateAfterDeleteRejectsALowerToken() {
            long[] t = tokens(3); // standing for tokens 3 < 5 < 7
            String key = Keys.fresh("v3-create-deleted");
            Versioned initial = create(key, "initial");
            Versioned byFive = a().compareAndSet(key, initial.version(), Keys.utf8("by 5"), t[1])
                    .orElseThrow(Expect.empty(Expect.CAS));
            assertThat(a().delete(key, byFive.version())).isTrue();
            assertThatThrownBy(() -> b().create(key, Keys.utf8("zombie by 3"), t[0]))
                    .as("V3: token 5 wrote the key before it was deleted; a create fenced with token 3 MUST"
                            + " throw FencedOutException (the fence survives delete, also for a create)")
                    .isInstanceOf(FencedOutException.class);
            assertThat(a().read(key))
                    .as("V3: the fenced-out create wrote nothing")
                    .isEmpty();
            Versioned bySeven = b().create(key, Keys.utf8("by 7"), t[2])
                    .orElseThrow(
                            () -> new AssertionError("V3: a create fenced with the higher token 7 returned empty"));
            assertThat(a().read(key))
                    .as("V3: the create with token 7 is stored")
                    .contains(bySeven);
        }

        @Override
        @Test
        @DisplayName("V3: a fenced create of a fresh key records its token as the key's fence")
        public void v3_fencedCreateOnAFreshKeyRecordsTheFence() {
            long[] t = tokens(2); // standing for tokens 4 < 9
            String key = Keys.fresh("v3-create-fresh");
            Versioned byNine = a().create(key, Keys.utf8("by 9"), t[1])
                    .orElseThrow(() ->
                            new AssertionError("V3: a fenced create of the fresh key " + key + " returned empty"));
            assertThat(byNine.version()).as("V2: the first version is ≥ 1").isGreaterThanOrEqualTo(1);
            assertThatThrownBy(() -> b().compareAndSet(key, byNine.version(), Keys.utf8("by 4"), t[0]))
                    .as("V3: the key was created with token 9; a compareAndSet fenced with token 4 MUST throw"
                            + " FencedOutException, even with the current version (the create MUST record"
                            + " its token)")
                    .isInstanceOf(FencedOutException.class);
            assertThat(b().read(key))
                    .as("V3: the fenced-out write changed nothing")
                    .contains(byNine);
        }

        @Override
        @Test
        @DisplayName("V3: a fenced create of a live key is empty, and fenced out when its token is lower")
        public void v3_fencedCreateOfALiveKeyIsEmptyOrFencedOut() {
            long[] t = tokens(4); // standing for tokens 3 < 5 < 6 < 7
            String key = Keys.fresh("v3-create-live");
            Versioned byFive = a().create(key, Keys.utf8("by 5"), t[1]).orElseThrow(Expect.empty(Expect.CREATE));
            assertThat(b().create(key, Keys.utf8("by 7"), t[3]))
                    .as("V1: a fenced create of an existing key MUST be empty")
                    .isEmpty();
            assertThatThrownBy(() -> b().create(key, Keys.utf8("by 3"), t[0]))
                    .as("V3: token 5 wrote the key; a create fenced with token 3 MUST throw FencedOutException,"
                            + " not return empty (the fence is checked first, as for compareAndSet)")
                    .isInstanceOf(FencedOutException.class);
            assertThat(b().read(key))
                    .as("V3: neither refused create changed the key")
                    .contains(byFive);
            assertThat(a().compareAndSet(key, byFive.version(), Keys.utf8("by 6"), t[2]))
                    .as("V3: the empty create with token 7 MUST NOT raise the fence: token 6 may still write")
                    .isPresent();
        }

        @Override
        @Test
        @DisplayName("V3: a zombie's fenced updater cannot bring back a key the new holder deleted")
        public void v3_zombieUpdaterOnADeletedKeyIsFencedOut() {
            long[] t = tokens(2); // standing for tokens 3 < 7
            String key = Keys.fresh("v3-updater-zombie");
            Versioned initial = create(key, "initial");
            Versioned byNewHolder = b().updater(RetryPolicy.ofDefaults())
                    .update(key, t[1], current -> Optional.of(Keys.utf8("by the new holder, token 7")))
                    .orElseThrow(Expect.empty("V3: the updater fenced with token 7, no one else writing,"));
            assertThat(byNewHolder.version()).isGreaterThan(initial.version());
            assertThat(b().delete(key, byNewHolder.version())).isTrue();
            AtomicInteger calls = new AtomicInteger();
            assertThatThrownBy(() -> a().updater(RetryPolicy.ofDefaults()).update(key, t[0], current -> {
                        calls.incrementAndGet();
                        return Optional.of(Keys.utf8("by the zombie, token 3"));
                    }))
                    .as("V3: the zombie's updater (token 3) found the key deleted after token 7 wrote it; its"
                            + " create MUST be fenced out with FencedOutException, not re-create the key")
                    .isInstanceOf(FencedOutException.class);
            assertThat(calls).as("V3: a fenced-out write is never retried").hasValue(1);
            assertThat(b().read(key)).as("V3: the deleted key stays deleted").isEmpty();
        }

        @Override
        @Test
        @DisplayName("V3: a zombie's fenced delete cannot remove the new holder's value")
        public void v3_aZombiesFencedDeleteCannotRemoveTheNewHoldersValue() {
            String lockKey = Keys.fresh("v3-delete-zombie-lock");
            String key = Keys.fresh("v3-delete-zombie");
            Lease zombie = clientA().jobLock().tryAcquire(lockKey, LEASE).orElseThrow(Expect.empty(Expect.FREE_KEY));
            Versioned byZombie =
                    a().create(key, Keys.utf8("A-started"), zombie.token()).orElseThrow(Expect.empty(Expect.CREATE));
            zombie.release(); // stands for a lease that expired while its holder was paused
            Lease current = clientB().jobLock().tryAcquire(lockKey, LEASE).orElseThrow(Expect.empty(Expect.FREE_KEY));
            Versioned byCurrent = b().compareAndSet(key, byZombie.version(), Keys.utf8("B-final"), current.token())
                    .orElseThrow(Expect.empty(Expect.CAS));
            Versioned seenByZombie = a().read(key).orElseThrow(Expect.empty(Expect.READ));
            assertThatThrownBy(() -> a().delete(key, seenByZombie.version(), zombie.token()))
                    .as(
                            "V3: a delete fenced with token %d after token %d wrote the key MUST throw"
                                    + " FencedOutException, even with the current version",
                            zombie.token(), current.token())
                    .isInstanceOf(FencedOutException.class);
            assertThat(b().read(key))
                    .as("V3: the fenced-out delete changed nothing")
                    .contains(byCurrent);
            current.release();
        }

        @Override
        @Test
        @DisplayName("V3: a fenced delete checks the fence before the version, also on a deleted key")
        public void v3_aFencedDeleteChecksTheFenceBeforeTheVersion() {
            long[] t = tokens();
            String key = Keys.fresh("v3-delete-fence");
            Versioned initial = create(key, "initial");
            Versioned high = b().compareAndSet(key, initial.version(), Keys.utf8("high"), t[1])
                    .orElseThrow(Expect.empty(Expect.CAS));
            assertThatThrownBy(() -> a().delete(key, initial.version(), t[0]))
                    .as("V3: a delete fenced with a lower token and a stale version MUST throw FencedOutException,"
                            + " not return false")
                    .isInstanceOf(FencedOutException.class);
            assertThat(b().read(key))
                    .as("V3: the fenced-out delete changed nothing")
                    .contains(high);
            assertThat(b().delete(key, high.version(), t[1]))
                    .as("V3: the same token may delete with the current version")
                    .isTrue();
            assertThatThrownBy(() -> a().delete(key, high.version(), t[0]))
                    .as("V3: on a deleted key too, a lower token MUST be fenced out (the fence survives delete)")
                    .isInstanceOf(FencedOutException.class);
        }

        @Override
        @Test
        @DisplayName("V3: a fenced delete leaves its token as the deleted key's fence; versions go on (V2)")
        public void v3_aFencedDeleteLeavesItsTokenAsTheFence() {
            long[] t = tokens();
            String key = Keys.fresh("v3-delete-tombstone");
            Versioned initial = create(key, "initial");
            assertThat(b().delete(key, initial.version() + 1000, t[1]))
                    .as("V1: a fenced delete with a wrong version returns false")
                    .isFalse();
            assertThat(a().read(key)).as("V1: a refused delete changes nothing").contains(initial);
            assertThat(b().delete(key, initial.version(), t[1]))
                    .as("V1: delete with the current version")
                    .isTrue();
            assertThat(a().read(key)).as("V1: a deleted key reads as absent").isEmpty();
            assertThatThrownBy(() -> a().create(key, Keys.utf8("zombie"), t[0]))
                    .as(
                            "V3: a fenced delete with token %d leaves that token as the fence: a create fenced with %d"
                                    + " MUST throw FencedOutException",
                            t[1], t[0])
                    .isInstanceOf(FencedOutException.class);
            Versioned again = b().create(key, Keys.utf8("again"), t[1]).orElseThrow(Expect.empty(Expect.CREATE));
            assertThat(again.version())
                    .as("V2: the version after delete and re-create is larger than every earlier one")
                    .isGreaterThan(initial.version());
            assertThat(a().delete(key + "-never", 1, t[0]))
                    .as("V1: a fenced delete of a key that never existed returns false")
                    .isFalse();
        }
    }

    /** V4 no lost or doubled updates. */
    @Nested
    @DisplayName("V4 no lost or doubled updates")
    class NoLostUpdates implements VersionedUpdateRules.NoLostUpdates {
        @Override
        @Test
        @DisplayName("V4: the updater creates an absent key, and writes nothing when its function declines")
        public void v4_updaterCreatesWhenAbsentAndWritesNothingWhenItDeclines() {
            String key = Keys.fresh("v4-updater");
            var updater = a().updater(RetryPolicy.ofDefaults());
            Optional<Versioned> created =
                    updater.update(key, current -> current.isEmpty() ? Optional.of(Keys.utf8("1")) : Optional.empty());
            assertThat(created).as("V4: the updater creates an absent key").isPresent();
            assertThat(created.get().version())
                    .as("V2: the first version is ≥ 1")
                    .isGreaterThanOrEqualTo(1);
            assertThat(updater.update(key, current -> Optional.empty()))
                    .as("V4: a declining function writes nothing")
                    .isEmpty();
            assertThat(b().read(key))
                    .as("V4: the value after a decline is unchanged")
                    .contains(created.get());
        }

        @Override
        @Test
        @DisplayName("scenario 5: N×M increments through the updater and under a lock lose and double nothing")
        public void scenario05_lostUpdates() throws Exception {
            ScenarioRow row = runScenario(Scenarios.LOST_UPDATES);
            assertThat(row.lostUpdates())
                    .as("V4: no acknowledged increment may be lost")
                    .isZero();
            assertThat(row.overlaps())
                    .as("L1: the lock-protected increments never overlap")
                    .isZero();
            assertThat(row.uncaught()).as("L6: no worker may throw").isZero();
        }

        @Override
        @Test
        @DisplayName(
                "V4: a write whose reply was lost is never reported as a conflict, nor as unavailable once applied")
        public void v4_aWriteWhoseReplyWasLostIsNeverReportedAsAConflict(TestInfo test) throws Exception {
            assumeFault(Fault.LOSE_REPLIES, test);
            String casKey = Keys.fresh("v4-lost-cas");
            String createKey = Keys.fresh("v4-lost-create");
            String deleteKey = Keys.fresh("v4-lost-delete");
            Versioned before = create(casKey, "0");
            Versioned toDelete = create(deleteKey, "x");
            Outcome cas;
            Outcome created;
            Outcome deleted;
            try (Heal heal = target().faults().loseReplies(clientA())) {
                cas = Outcome.of(() -> a().compareAndSet(casKey, before.version(), Keys.utf8("1"))
                        .isPresent());
                created = Outcome.of(
                        () -> a().create(createKey, Keys.utf8("created")).isPresent());
                deleted = Outcome.of(() -> a().delete(deleteKey, toDelete.version()));
            }
            Optional<Versioned> casNow = b().read(casKey);
            boolean casApplied = casNow.isPresent() && !casNow.get().equals(before);
            cas.check("compareAndSet(key, " + before.version() + ", \"1\")", casApplied);
            if (casApplied) {
                assertThat(casNow.get().valueAsString())
                        .as("V4: the applied compareAndSet wrote its value")
                        .isEqualTo("1");
                assertThat(casNow.get().version())
                        .as("V2: a write moves the version on")
                        .isGreaterThan(before.version());
            }
            created.check("create(fresh key)", b().read(createKey).isPresent());
            deleted.check("delete(key, current version)", b().read(deleteKey).isEmpty());
        }

        @Override
        @Test
        @DisplayName("V2, V3: after a store restart no version is handed out again, and fences hold where declared")
        public void v2_v3_versionsAndFencesAcrossAStoreRestart(TestInfo test) throws Exception {
            assumeFault(Fault.RESTART_STORE, test);
            TckSettings settings = settings();
            String lockKey = Keys.fresh("v2-restart-lock");
            String key = Keys.fresh("v2-restart");
            Lease first = clientA().jobLock().tryAcquire(lockKey, LEASE).orElseThrow(Expect.empty(Expect.FREE_KEY));
            Versioned v1 = a().create(key, Keys.utf8("a1"), first.token()).orElseThrow(Expect.empty(Expect.CREATE));
            Versioned v2 = a().compareAndSet(key, v1.version(), Keys.utf8("a2"), first.token())
                    .orElseThrow(Expect.empty(Expect.CAS));
            first.release();

            target().faults().restartStore();

            Optional<Versioned> seen = afterRestart(settings, () -> b().read(key));
            afterRestart(settings, () -> a().read(key)); // client A is back too
            if (clientA().has(Capability.DATA_SURVIVES_STORE_RESTART)) {
                assertThat(seen)
                        .as("V1: the store declares DATA_SURVIVES_STORE_RESTART; the last acknowledged write"
                                + " must be read after the restart")
                        .contains(v2);
            } else if (seen.isPresent()) {
                assertThat(seen)
                        .as("V1: a value read after the restart is the last acknowledged one")
                        .contains(v2);
            }
            Lease second = Poll.forValue(settings.deadline(), () -> {
                        try {
                            return clientB().jobLock().tryAcquire(lockKey, LEASE);
                        } catch (LockKitException e) {
                            return Optional.empty();
                        }
                    })
                    .orElseThrow(() -> new AssertionError(
                            "L4: the released lock key could not be acquired after" + " the store restarted"));
            Versioned written = (seen.isPresent()
                            ? b().compareAndSet(key, seen.get().version(), Keys.utf8("b"), second.token())
                            : b().create(key, Keys.utf8("b"), second.token()))
                    .orElseThrow(Expect.empty("V1: the first write after the restart, no one else writing,"));
            assertThat(written.version())
                    .as(
                            "V2: the version written after the restart (%d) must be larger than every version the key"
                                    + " had before it (%d): a writer holding the old version must not match it",
                            written.version(), v2.version())
                    .isGreaterThan(v2.version());
            assertThat(a().compareAndSet(key, v2.version(), Keys.utf8("stale")))
                    .as("V1: a compareAndSet with the pre-restart version must be empty")
                    .isEmpty();
            if (clientA().has(Capability.FENCING_SURVIVES_STORE_RESTART)) {
                assertThatThrownBy(() -> a().compareAndSet(key, written.version(), Keys.utf8("zombie"), first.token()))
                        .as(
                                "V3: the store declares FENCING_SURVIVES_STORE_RESTART; a write fenced with the"
                                        + " pre-restart token %d after token %d wrote MUST be fenced out",
                                first.token(), second.token())
                        .isInstanceOf(FencedOutException.class);
                assertThatThrownBy(() -> a().delete(key, written.version(), first.token()))
                        .as("V3: the same for a fenced delete")
                        .isInstanceOf(FencedOutException.class);
            }
            assertThat(b().read(key))
                    .as("V1: the refused writes changed nothing")
                    .contains(written);
            second.release();
        }

        /** The first successful call after a restart, retried while the client reconnects. */
        private <T> Optional<T> afterRestart(TckSettings settings, java.util.function.Supplier<Optional<T>> read)
                throws InterruptedException {
            List<Optional<T>> result = new java.util.ArrayList<>();
            boolean answered = Poll.until(settings.deadline(), () -> {
                try {
                    result.add(read.get());
                    return true;
                } catch (LockKitException e) {
                    return false;
                }
            });
            if (!answered) {
                throw new AssertionError(
                        "E2: the store did not answer a read within " + settings.deadline() + " after it restarted");
            }
            return result.get(0);
        }

        @Override
        @Test
        @DisplayName("scenario 6: concurrent progress reports never make stored progress decrease")
        public void scenario06_monotonicProgress() throws Exception {
            ScenarioRow row = runScenario(Scenarios.MONOTONIC_PROGRESS);
            assertThat(row.winners()).as("some progress reports were written").isPositive();
            assertThat(row.uncaught()).as("L6: no worker may throw").isZero();
        }

        @Override
        @Test
        @DisplayName("V4: a compareAndSet whose reply was lost is applied once: another client's later write stays")
        public void v4_aWriteWhoseReplyWasLostIsNeverAppliedAgain(TestInfo test) throws Exception {
            assumeFault(Fault.LOSE_REPLIES, test);
            TckSettings settings = settings();
            String key = Keys.fresh("v4-lost-once");
            Versioned before = create(key, "0");
            java.util.concurrent.CompletableFuture<String> told = new java.util.concurrent.CompletableFuture<>();
            Versioned later;
            try (Heal heal = target().faults().loseReplies(clientA())) {
                Thread writer = new Thread(
                        () -> {
                            try {
                                told.complete(
                                        a().compareAndSet(key, before.version(), Keys.utf8("A"))
                                                        .isPresent()
                                                ? "success"
                                                : "a conflict");
                            } catch (RuntimeException e) {
                                told.complete(e.getClass().getSimpleName());
                            }
                        },
                        "lockkit-tck-v4-lost-reply");
                writer.setDaemon(true);
                writer.start();
                // A's write reaches the store; its reply does not. Wait until B sees it (or A gave up without it).
                java.util.concurrent.atomic.AtomicReference<Versioned> applied =
                        new java.util.concurrent.atomic.AtomicReference<>();
                Poll.until(settings.deadline(), () -> {
                    boolean done = told.isDone();
                    b().read(key).filter(v -> v.valueAsString().equals("A")).ifPresent(applied::set);
                    return applied.get() != null || done;
                });
                assertThat(applied.get() != null || told.isDone())
                        .as(
                                "E2: A's compareAndSet, whose reply was lost, neither reached the store nor ended"
                                        + " within %s: a call whose reply never comes MUST end with an exception"
                                        + " within the backend's timeout",
                                settings.deadline())
                        .isTrue();
                assumeThat(
                        applied.get() != null,
                        "the compareAndSet whose reply was lost never reached the store (A was told "
                                + told.getNow("nothing yet") + "), so there is no write that could be applied again",
                        test);
                later = b().compareAndSet(key, applied.get().version(), Keys.utf8("B"))
                        .orElseThrow(Expect.empty(Expect.CAS));
            } // A's replies come through again: a client that sends its write again gets it through now
            String aTold = told.get(settings.deadline().toNanos(), java.util.concurrent.TimeUnit.NANOSECONDS);
            assertThat(b().read(key))
                    .as(
                            "V4: A's compareAndSet, whose reply was lost (A was told %s), was applied again after B"
                                    + " wrote on top of it: B's write is lost. A write MUST NOT be applied twice; a re-send"
                                    + " must carry the expected version it was sent with (INCIDENTS.md row 17)",
                            aTold)
                    .contains(later);
        }
    }

    /** E1 bad input and E2 unavailable store. */
    @Nested
    @DisplayName("E1 bad input, E2 unavailable store")
    class Errors implements VersionedUpdateRules.Errors {
        @Override
        @Test
        @DisplayName("E1: bad keys, values and versions fail fast naming the bad value, and write nothing")
        public void e1_badKeysValuesAndVersionsFailFastAndWriteNothing() {
            assertThat(BadInput.versionedCalls(clientA(), Keys.fresh("e1-record")))
                    .as("E1: each of these calls must throw IllegalArgumentException (NullPointerException for a"
                            + " null) naming the bad value, and write nothing")
                    .isEmpty();
        }

        @Override
        @Test
        @DisplayName("E1: the largest value and any key of 1–256 UTF-8 bytes are stored, distinct keys apart")
        public void e1_largestValueAndAnyKeyOf1To256Utf8BytesAreAccepted() {
            String big = Keys.fresh("e1-big");
            byte[] largest = new byte[Checks.MAX_VALUE_BYTES];
            for (int i = 0; i < largest.length; i++) {
                largest[i] = (byte) i; // every byte value, so a text encoding of values shows
            }
            Versioned stored = a().create(big, largest).orElseThrow(Expect.empty(Expect.CREATE));
            assertThat(b().read(big))
                    .as("E1: a value of exactly 512 KiB with arbitrary bytes must be stored and read back intact")
                    .contains(stored);
            for (String key : OddKeys.valid()) {
                Optional<Versioned> kept = b().read(key).or(() -> a().create(key, Keys.utf8(key)));
                assertThat(kept)
                        .as("E1: the valid key %s must be accepted", OddKeys.show(key))
                        .isPresent();
                assertThat(clientC().versionedUpdate().read(key))
                        .as("E1: the key %s must read back what was stored", OddKeys.show(key))
                        .contains(kept.get());
            }
            for (List<String> pair : OddKeys.distinctPairs()) {
                Versioned first = a().create(pair.get(0), Keys.utf8("first")).orElseThrow(Expect.empty(Expect.CREATE));
                Optional<Versioned> second = b().create(pair.get(1), Keys.utf8("second"));
                assertThat(second)
                        .as(
                                "E1: %s and %s are different keys; creating one must not make the other exist (a"
                                        + " lossy key encoding?)",
                                OddKeys.show(pair.get(0)), OddKeys.show(pair.get(1)))
                        .isPresent();
                assertThat(a().read(pair.get(0))).contains(first);
            }
        }

        @Override
        @Test
        @DisplayName("E2: every versioned call on an unreachable store throws BackendUnavailableException")
        public void e2_everyVersionedCallOnAnUnreachableStoreThrowsBackendUnavailable() throws Exception {
            assertThat(Unreachable.versionedCalls(target(), settings().deadline()))
                    .as("E2: on StoreFaults.unreachableClient() each call must throw BackendUnavailableException,"
                            + " never return empty or a value")
                    .isEmpty();
        }

        @Override
        @Test
        @DisplayName(
                "E2: every versioned call on a store that accepts connections and never answers throws BackendUnavailableException in time")
        public void e2_everyVersionedCallOnAStoreThatNeverAnswersThrowsBackendUnavailableInTime(TestInfo test)
                throws Exception {
            assumeFault(Fault.SILENT_STORE, test);
            assertThat(Unreachable.silentVersionedCalls(target(), settings().deadline()))
                    .as("E2: on StoreFaults.silentStoreClient(port) each call must throw BackendUnavailableException"
                            + " within a bounded time, never hang, never return empty or a value")
                    .isEmpty();
        }
    }

    /** What a write with a lost reply told its caller: applied, not applied, unknown, or unavailable. */
    private record Outcome(String told, boolean claimsApplied, boolean claimsNotApplied) {
        static Outcome of(java.util.function.BooleanSupplier write) {
            try {
                boolean applied = write.getAsBoolean();
                return new Outcome(applied ? "success" : "a conflict (empty or false)", applied, !applied);
            } catch (OutcomeUnknownException e) {
                return new Outcome("OutcomeUnknownException", false, false);
            } catch (LockKitException e) {
                return new Outcome(e.getClass().getSimpleName(), false, true);
            }
        }

        /** Fails when what the caller was told contradicts what the store holds now. */
        void check(String call, boolean applied) {
            if (claimsApplied) {
                assertThat(applied)
                        .as("V4: %s reported success, but the store does not hold the write", call)
                        .isTrue();
            } else if (claimsNotApplied) {
                assertThat(applied)
                        .as(
                                "V4: %s, whose reply was lost, was reported as %s although the store applied it: a"
                                        + " caller that retries or moves on then doubles or loses the write; a write whose"
                                        + " outcome is unknown MUST be OutcomeUnknownException",
                                call, told)
                        .isFalse();
            }
        }
    }
}
