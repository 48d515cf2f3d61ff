package io.lockkit.tck.selftest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import io.lockkit.tck.TckSettings;
import io.lockkit.tck.TckTarget;
import io.lockkit.tck.scenarios.Scenario;
import io.lockkit.tck.scenarios.ScenarioRow;
import io.lockkit.tck.scenarios.Scenarios;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * The TCK tests itself: each deliberately broken backend in {@link Defects} (named after its row in
 * INCIDENTS.md, "incident N") MUST fail exactly the scenarios and kit tests aimed at its defect — no
 * fewer (the TCK would miss the incident) and no more (the TCK would blame the wrong rule). The
 * unbroken reference backend passes them all (the {@code Mem*TckTest} classes).
 */
@DisplayName("TCK self-test: each broken backend fails exactly what is aimed at it")
class BrokenBackendsTest {
    /**
     * name, backend, the scenarios it MUST fail, the scenarios it MAY also fail (the defect shows
     * only under some interleavings there), and the kit tests it MUST fail. Anything else failing
     * fails the self-test.
     */
    static Stream<Arguments> defects() {
        return Stream.of(
                defect("no fencing (incident 6)", Defects::noFencing, Set.of("8", "9"), NONE, TESTS_NO_FENCING),
                defect(
                        "tokens per key (incident 7)",
                        Defects::tokensPerKey,
                        Set.of("8"),
                        Set.of("5", "9"),
                        TESTS_TOKENS_PER_KEY),
                defect(
                        "unconditional release (incident 5)",
                        Defects::unconditionalRelease,
                        Set.of("8", "11"),
                        Set.of("2a", "2b", "5"),
                        TESTS_UNCONDITIONAL_RELEASE),
                defect(
                        "check-then-insert (incidents 1, 2)",
                        Defects::checkThenInsert,
                        Set.of("1", "2a", "2b", "11"),
                        Set.of("5"),
                        TESTS_CHECK_THEN_INSERT),
                defect(
                        "CAS ignores the version (incident 3)",
                        Defects::casIgnoresVersion,
                        Set.of("3", "4", "7"),
                        Set.of("5", "6"),
                        TESTS_CAS_IGNORES_VERSION),
                defect(
                        "versions restart after delete (incident 16)",
                        Defects::versionsRestartAfterDelete,
                        Set.of("7"),
                        NONE,
                        TESTS_VERSIONS_RESTART),
                defect(
                        "unreachable store looks held (incident 34)",
                        Defects::unreachableLooksHeld,
                        Set.of("12"),
                        NONE,
                        TESTS_UNREACHABLE),
                defect(
                        "a store that takes the connection and never answers keeps every call waiting (incident 46)",
                        Defects::waitsForeverForAnAnswer,
                        NONE,
                        NONE,
                        Set.of(
                                "e2_everyLockCallOnAStoreThatNeverAnswersThrowsBackendUnavailableInTime",
                                "e2_everyVersionedCallOnAStoreThatNeverAnswersThrowsBackendUnavailableInTime")),
                defect(
                        "an acquire waits for a lease session deaf to its maxWait and interrupts (incident 39)",
                        Defects::uninterruptibleSessionWait,
                        NONE,
                        NONE,
                        Set.of(
                                "l7_anAcquireOnAFullClientGetsEmptyByItsMaxWait",
                                "l8_anAcquireWaitingForALeaseSessionOfItsClientIsInterruptible")),
                defect(
                        "a grant whose reply came after close() is handed out valid (incident 42)",
                        Defects::grantsAfterClose,
                        NONE,
                        NONE,
                        Set.of("l1_exclusion_anAcquireInFlightWhenItsClientClosesHandsOutNoValidLease")),
                defect(
                        "a failed release brings the lease back (incident 23)",
                        Defects::releaseResurrects,
                        NONE,
                        NONE,
                        Set.of("l5_aReleaseWhoseReplyWasLostNeverBringsTheLeaseBack")),
                defect(
                        "the fenced delete ignores its token (incident 31)",
                        Defects::fencedDeleteIgnoresTheToken,
                        NONE,
                        NONE,
                        Set.of(
                                "v3_aZombiesFencedDeleteCannotRemoveTheNewHoldersValue",
                                "v3_aFencedDeleteChecksTheFenceBeforeTheVersion",
                                "v3_aFencedDeleteLeavesItsTokenAsTheFence",
                                "v2_v3_versionsAndFencesAcrossAStoreRestart")),
                defect(
                        "a lost reply is reported as a conflict (incident 28)",
                        Defects::lostReplyIsAConflict,
                        NONE,
                        NONE,
                        Set.of("v4_aWriteWhoseReplyWasLostIsNeverReportedAsAConflict")),
                defect(
                        "versions repeat after a store restart (incident 29)",
                        Defects::versionsRepeatAfterAStoreRestart,
                        NONE,
                        NONE,
                        Set.of("v2_v3_versionsAndFencesAcrossAStoreRestart")),
                defect(
                        "tokens and data claimed to survive a restart are forgotten (incident 30)",
                        Defects::forgetsWhatItClaimsSurvivesARestart,
                        NONE,
                        NONE,
                        Set.of(
                                "l2_tokensKeepIncreasingAcrossAStoreRestart",
                                "l2_tokensKeepIncreasingAcrossAStoreCrash",
                                "v2_v3_versionsAndFencesAcrossAStoreRestart")),
                defect(
                        "tokens handed out before they are durable (incident 35)",
                        Defects::tokensHandedOutBeforeTheyAreDurable,
                        NONE,
                        NONE,
                        Set.of("l2_tokensKeepIncreasingAcrossAStoreCrash")),
                defect(
                        "keys encoded lossily (incident 24)",
                        Defects::lossyKeys,
                        NONE,
                        Set.of("12"),
                        Set.of(
                                "e1_badKeysLeasesAndWaitsFailFastAndTakeNothing",
                                "e1_badKeysValuesAndVersionsFailFastAndWriteNothing")),
                defect(
                        "a lease too long is written, then overflows (incident 25)",
                        Defects::overflowingLease,
                        NONE,
                        Set.of("12"),
                        Set.of("e1_leasesOutsideTheBackendsLimitsAreRefusedBeforeAnythingIsWritten")),
                defect(
                        "the deadline counts from the reply (incident 27)",
                        Defects::deadlineFromTheReply,
                        NONE,
                        NONE,
                        Set.of("l5_theDeadlineCountsFromTheSendNotTheReply")),
                defect(
                        "loss never reported (incident 8)",
                        Defects::lossNeverReported,
                        NONE,
                        NONE,
                        Set.of("l5_isValidFalseFromDeadlineAndNeverTrueAgain")),
                defect(
                        "suspended still holds (incident 9)",
                        Defects::suspendedStillHolds,
                        Set.of("10"),
                        NONE,
                        Set.of(
                                "l5_isValidFalseFromDeadlineAndNeverTrueAgain",
                                "scenario10_connectionLoss",
                                "l1_exclusion_anAcquireInFlightWhenItsClientClosesHandsOutNoValidLease")),
                defect(
                        "expiry on the client's clock (incident 10)",
                        Defects::expiryOnTheClientsClock,
                        Set.of("9"),
                        Set.of("11"),
                        Set.of("l3_extendKeepsACurrentLeaseBeyondItsFirstDuration", "scenario09_crashRecovery")),
                defect(
                        "unlock bound to the acquiring thread (incident 11)",
                        Defects::unlockBoundToTheAcquiringThread,
                        NONE,
                        NONE,
                        Set.of(
                                "l2_grantAfterWaitIsOrderedAfterGrantsMadeWhileWaiting",
                                "l2_grantAfterAWaitInsideTheStoreIsOrderedAfterGrantsMadeMeanwhile",
                                "l7_waiterWakesAfterRelease")),
                defect(
                        "lost wake-up (incident 12)",
                        Defects::lostWakeUp,
                        NONE,
                        Set.of("2a", "2b", "5"),
                        Set.of("l7_waiterWakesAfterRelease")),
                defect(
                        "contention throws (incident 14)",
                        Defects::contentionThrows,
                        Set.of("1"),
                        CONTENDED_SCENARIOS,
                        TESTS_CONTENTION_BREAKS_EVERYWHERE),
                defect(
                        "shared client id (incident 21)",
                        Defects::sharedClientId,
                        Set.of("1"),
                        CONTENDED_SCENARIOS,
                        TESTS_SHARED_CLIENT_ID),
                defect(
                        "versions in 32 bits (incident 15)",
                        Defects::versionsIn32Bits,
                        Set.of("5", "6"),
                        NONE,
                        Set.of(
                                "v2_firstVersionIsAtLeastOneAndVersionsStrictlyIncrease",
                                "v2_versionsNeverRepeatAcrossDeleteAndRecreate",
                                "scenario05_lostUpdates",
                                "scenario06_monotonicProgress")),
                defect(
                        "not broken: 64-bit versions starting at 2^31 - 3 (the twin of incident 15)",
                        Defects::versionsStartNear2To31,
                        NONE,
                        NONE,
                        NONE),
                defect(
                        "a write re-sent after a lost reply is applied twice (incident 17)",
                        Defects::resentWriteAppliedTwice,
                        NONE,
                        NONE,
                        Set.of("v4_aWriteWhoseReplyWasLostIsNeverAppliedAgain")),
                defect(
                        "token sequence with CACHE 20 (incident 20)",
                        Defects::tokenSequenceCachedPerClient,
                        Set.of("5"),
                        NONE,
                        Set.of(
                                "l2_tokensStrictlyIncreaseAcrossKeysAndReleases",
                                "v3_fencedCreateAfterDeleteRejectsALowerToken",
                                "v3_fencedCreateOfALiveKeyIsEmptyOrFencedOut",
                                "scenario05_lostUpdates")),
                defect(
                        "lock names hashed to 32 bits (incident 22)",
                        Defects::keysHashedTo32Bits,
                        NONE,
                        NONE,
                        Set.of("e1_anyKeyOf1To256Utf8BytesIsAccepted")),
                defect(
                        "the shortest lease is below the drift margin (incident 26)",
                        Defects::shortestBelowTheDriftMargin,
                        Set.of("11"),
                        NONE,
                        Set.of("e1_aLeaseOfTheShortestDurationIsValidWhenGranted", "scenario11_fuzz")),
                defect(
                        "the token drawn before the store-side wait (incident 36)",
                        Defects::tokenDrawnBeforeTheStoreSideWait,
                        NONE,
                        NONE,
                        Set.of("l2_grantAfterAWaitInsideTheStoreIsOrderedAfterGrantsMadeMeanwhile")),
                defect(
                        "a sweep of expired leases on every acquire deadlocks (incident 4)",
                        Defects::sweepOnAcquire,
                        Set.of("1", "2a", "2b", "11"),
                        Set.of("5"),
                        Set.of(
                                "scenario01_exclusiveClaim",
                                "scenario02a_doubleExecution",
                                "scenario02b_doubleExecutionWithTwiceTheWorkers",
                                "scenario11_fuzz",
                                "l2_concurrentGrantsOnDifferentKeysGetDistinctIncreasingTokens")));
    }

    private static final Set<String> NONE = Set.of();
    /** Scenarios where clients meet on one key, so a contention defect shows in most runs, not all. */
    private static final Set<String> CONTENDED_SCENARIOS = Set.of("2a", "2b", "8", "10", "11");
    /** Granted twice where two clients meet on a key through tryAcquire (its acquire() is not affected). */
    private static final Set<String> TESTS_SHARED_CLIENT_ID = Set.of(
            "l1_exclusion_anAcquireInFlightWhenItsClientClosesHandsOutNoValidLease",
            "fixture_targetOpensIndependentClientsOfOneStore",
            "l1_exclusion_aHeldKeyIsNotGrantedToAnotherClient",
            "l1_exclusion_leasesAreNotReentrantEvenOnTheSameClient",
            "l2_tokensKeepIncreasingAcrossAStoreRestart",
            "l3_extendKeepsACurrentLeaseBeyondItsFirstDuration",
            "l3_releaseIsIdempotentAndNeverFreesTheNextHolder",
            "scenario01_exclusiveClaim");
    /** A lost race thrown: every test that meets contention on a key fails. */
    private static final Set<String> TESTS_CONTENTION_BREAKS_EVERYWHERE = Set.of(
            "l1_exclusion_anAcquireInFlightWhenItsClientClosesHandsOutNoValidLease",
            "e1_anyKeyOf1To256Utf8BytesIsAccepted",
            "fixture_targetOpensIndependentClientsOfOneStore",
            "l1_exclusion_aHeldKeyIsNotGrantedToAnotherClient",
            "l1_exclusion_leasesAreNotReentrantEvenOnTheSameClient",
            "l2_tokensKeepIncreasingAcrossAStoreRestart",
            "l3_extendKeepsACurrentLeaseBeyondItsFirstDuration",
            "l3_releaseIsIdempotentAndNeverFreesTheNextHolder",
            "scenario01_exclusiveClaim");

    private static final Set<String> L2 = Set.of(
            "l2_concurrentGrantsOnDifferentKeysGetDistinctIncreasingTokens",
            "l2_grantAfterAWaitInsideTheStoreIsOrderedAfterGrantsMadeMeanwhile",
            "l2_tokensStrictlyIncreaseAcrossClientRestarts",
            "l2_tokensStrictlyIncreaseAcrossKeysAndReleases",
            "l2_tokensKeepIncreasingAcrossAStoreRestart",
            "l2_tokensKeepIncreasingAcrossAStoreCrash");
    /** Per-key tokens happen to order a waiter after a fresh key's first grant; no fencing at all does not. */
    private static final Set<String> L2_AFTER_WAIT = Set.of("l2_grantAfterWaitIsOrderedAfterGrantsMadeWhileWaiting");

    private static final Set<String> V3 = Set.of(
            "v2_v3_versionsAndFencesAcrossAStoreRestart",
            "v3_aFencedDeleteChecksTheFenceBeforeTheVersion",
            "v3_aFencedDeleteLeavesItsTokenAsTheFence",
            "v3_aZombiesFencedDeleteCannotRemoveTheNewHoldersValue",
            "v3_fenceSurvivesDelete",
            "v3_lowerTokenIsFencedOutWhateverTheExpectedVersion",
            "v3_sameOrHigherTokenMayWrite");
    /** Tokens drawn from leases of several keys: per-key tokens repeat, so both token defects fail them. */
    private static final Set<String> V3_FENCED_CREATE = Set.of(
            "v3_fencedCreateAfterDeleteRejectsALowerToken",
            "v3_fencedCreateOnAFreshKeyRecordsTheFence",
            "v3_fencedCreateOfALiveKeyIsEmptyOrFencedOut",
            "v3_zombieUpdaterOnADeletedKeyIsFencedOut");

    private static final Set<String> TESTS_NO_FENCING = union(
            L2,
            L2_AFTER_WAIT,
            V3,
            V3_FENCED_CREATE,
            Set.of("l7_waiterWakesAfterRelease", "scenario08_zombieHolder", "scenario09_crashRecovery"));
    private static final Set<String> TESTS_TOKENS_PER_KEY =
            union(L2, V3, V3_FENCED_CREATE, Set.of("scenario08_zombieHolder"));
    private static final Set<String> TESTS_UNCONDITIONAL_RELEASE = Set.of(
            "l3_releaseIsIdempotentAndNeverFreesTheNextHolder",
            "l5_aReleaseWhoseReplyWasLostNeverBringsTheLeaseBack",
            "l5_isValidFalseFromDeadlineAndNeverTrueAgain",
            "scenario08_zombieHolder",
            "scenario11_fuzz");
    private static final Set<String> TESTS_CHECK_THEN_INSERT = Set.of(
            "scenario01_exclusiveClaim",
            "scenario02a_doubleExecution",
            "scenario02b_doubleExecutionWithTwiceTheWorkers",
            "scenario11_fuzz");
    private static final Set<String> TESTS_CAS_IGNORES_VERSION = Set.of(
            "v1_compareAndSetWithAStaleVersionIsEmptyAndWritesNothing",
            "scenario03_doubleCompletion",
            "scenario04_conflictingTransitions",
            "scenario07_outOfOrderSlowWriter",
            "v2_v3_versionsAndFencesAcrossAStoreRestart");
    private static final Set<String> TESTS_VERSIONS_RESTART = Set.of(
            "v2_versionsNeverRepeatAcrossDeleteAndRecreate",
            "scenario07_outOfOrderSlowWriter",
            "v3_aFencedDeleteLeavesItsTokenAsTheFence");
    private static final Set<String> TESTS_UNREACHABLE = Set.of(
            "e2_everyLockCallOnAnUnreachableStoreThrowsBackendUnavailable",
            "e2_everyLockCallOnAStoreThatNeverAnswersThrowsBackendUnavailableInTime",
            "scenario12_badInputAndUnavailableStore");

    private static Arguments defect(
            String name, Supplier<TckTarget> target, Set<String> must, Set<String> may, Set<String> tests) {
        return Arguments.of(name, target, must, may, tests);
    }

    @SafeVarargs
    private static Set<String> union(Set<String>... sets) {
        Set<String> all = new TreeSet<>();
        for (Set<String> s : sets) {
            all.addAll(s);
        }
        return all;
    }

    private static @org.jspecify.annotations.Nullable Set<String> referenceSkips;

    /** The kit tests skipped on the reference backend itself, as the broken ones wrap it. */
    private static synchronized Set<String> referenceSkips() {
        if (referenceSkips == null) {
            BrokenKits.target = () -> new BrokenTarget("mem (not broken)", (store, client) -> client);
            Failures reference = new Failures();
            LauncherFactory.create()
                    .execute(
                            LauncherDiscoveryRequestBuilder.request()
                                    .selectors(
                                            selectClass(BrokenKits.JobLock.class),
                                            selectClass(BrokenKits.Versioned.class))
                                    .build(),
                            reference);
            assertThat(reference.tests)
                    .as("kit tests the reference backend fails")
                    .isEmpty();
            referenceSkips = Set.copyOf(reference.aborted);
        }
        return referenceSkips;
    }

    /** Whether {@code test} is the kit test of one of the scenarios {@code ids}: "5" → "scenario05_…". */
    private static boolean runsScenario(String test, Set<String> ids) {
        return ids.stream()
                .map(id -> id.matches("\\d\\D?") ? "0" + id : id)
                .anyMatch(id -> test.startsWith("scenario" + id + "_"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("defects")
    void failsTheScenariosAimedAtItAndNoOthers(
            String name, Supplier<TckTarget> defect, Set<String> must, Set<String> may, Set<String> tests)
            throws Exception {
        Set<String> failed = new TreeSet<>();
        try (TckTarget target = defect.get()) {
            for (Scenario scenario : Scenarios.all()) {
                ScenarioRow row = scenario.run(target, BrokenKits.SETTINGS);
                System.out.println(row.describe());
                assertThat(row.skipped())
                        .as("scenario %s skipped on %s", scenario.id(), name)
                        .isFalse();
                if (!row.passed()) {
                    failed.add(scenario.id());
                }
            }
        }
        assertThat(failed).as("scenarios failed by %s", name).containsAll(must);
        Set<String> unexpected = new TreeSet<>(failed);
        unexpected.removeAll(must);
        unexpected.removeAll(may);
        assertThat(unexpected)
                .as("scenarios %s failed that are not aimed at its defect", name)
                .isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("defects")
    void failsTheKitTestsAimedAtItAndNoOthers(
            String name, Supplier<TckTarget> defect, Set<String> must, Set<String> may, Set<String> aimed) {
        BrokenKits.target = defect;
        Failures failures = new Failures();
        LauncherFactory.create()
                .execute(
                        LauncherDiscoveryRequestBuilder.request()
                                .selectors(
                                        selectClass(BrokenKits.JobLock.class), selectClass(BrokenKits.Versioned.class))
                                .build(),
                        failures);
        assertThat(failures.containers)
                .as("kit containers that failed outright on %s", name)
                .isEmpty();
        System.out.println("kit tests failed by " + name + ": " + failures.tests + "; skipped: " + failures.aborted);
        assertThat(failures.aborted.stream().filter(aimed::contains).toList())
                .as("kit tests aimed at %s that were skipped instead of run", name)
                .isEmpty();
        if (must.isEmpty() && aimed.isEmpty()) { // a twin that is not broken: it passes what mem passes
            assertThat(failures.aborted)
                    .as("kit tests skipped on %s that the reference backend runs", name)
                    .isSubsetOf(referenceSkips());
        }
        assertThat(failures.tests).as("kit tests failed by %s", name).containsAll(aimed);
        Set<String> unexpected = new TreeSet<>(failures.tests);
        unexpected.removeAll(aimed);
        unexpected.removeIf(test -> runsScenario(test, may));
        assertThat(unexpected)
                .as("kit tests %s failed that are not aimed at its defect", name)
                .isEmpty();
    }

    @Test
    @DisplayName("check-then-insert runs the side effect more than once at 100 and 200 workers (scenario 2)")
    void checkThenInsertDoublesTheSideEffectAtFullSize() throws Exception {
        TckSettings full = TckSettings.fromSystemProperties();
        try (TckTarget target = Defects.checkThenInsert()) {
            for (String id : List.of("2a", "2b")) {
                ScenarioRow row = Scenarios.byId(id).run(target, full);
                System.out.println(row.describe());
                assertThat(row.workers()).isEqualTo(id.equals("2a") ? full.workers() : 2 * full.workers());
                assertThat(row.sideEffects())
                        .as("side effects executed in scenario %s on check-then-insert", id)
                        .isGreaterThan(1);
            }
        }
    }

    /** Collects the method names of failed tests, and the containers that failed outright. */
    static final class Failures implements TestExecutionListener {
        final Set<String> tests = new TreeSet<>();
        final Set<String> aborted = new TreeSet<>();
        final List<String> containers = new ArrayList<>();

        @Override
        public void executionFinished(TestIdentifier id, TestExecutionResult result) {
            if (result.getStatus() == TestExecutionResult.Status.ABORTED
                    && id.getSource().orElse(null)
                            instanceof org.junit.platform.engine.support.descriptor.MethodSource m) {
                aborted.add(m.getMethodName()); // skipped, with its reason printed
                return;
            }
            if (result.getStatus() != TestExecutionResult.Status.FAILED) {
                return; // passed
            }
            if (id.isTest()
                    && id.getSource().orElse(null)
                            instanceof org.junit.platform.engine.support.descriptor.MethodSource m) {
                tests.add(m.getMethodName());
            } else if (id.isContainer()) {
                containers.add(id.getDisplayName() + ": "
                        + result.getThrowable().map(Throwable::toString).orElse("?"));
            }
        }
    }
}
