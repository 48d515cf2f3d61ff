package io.lockkit.tck;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockkit.tck.BrokenStore.Flaw;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The TCK tests itself: every backend here is wrong on purpose, and the scenario aimed at its flaw
 * MUST fail with a violation of the rule it breaks; the same store without a flaw MUST pass them all.
 */
@DisplayName("TCK self-test: deliberately broken backends fail the scenario aimed at them")
class BrokenBackendsTest {
    private static final TckSettings SETTINGS = TckSettings.defaults()
            .withWorkers(20)
            .withIncrements(5)
            .withFuzz(Duration.ofMillis(1000))
            .withShortLease(Duration.ofMillis(300));

    private static ScenarioRow run(Flaw flaw, String scenario) throws Exception {
        try (BrokenTarget target = new BrokenTarget(flaw)) {
            ScenarioRow row = Scenarios.byId(scenario).run(target, SETTINGS);
            System.out.println(row.describe());
            return row;
        }
    }

    @Test
    @DisplayName("without a flaw, the same store passes every scenario (the positive control)")
    void unbrokenStorePassesEveryScenario() throws Exception {
        for (Scenario scenario : Scenarios.all()) {
            ScenarioRow row = run(Flaw.NONE, scenario.id());
            assertThat(row.violations())
                    .as("scenario %s on the unbroken store", scenario.id())
                    .isEmpty();
            assertThat(row.skipped()).as("scenario %s skipped", scenario.id()).isFalse();
        }
    }

    @Test
    @DisplayName("check-then-insert gives two winners in scenario 1 (L1)")
    void checkThenInsertFailsTheExclusiveClaim() throws Exception {
        ScenarioRow row = run(Flaw.CHECK_THEN_INSERT, "1");
        assertThat(row.winners()).isGreaterThan(1);
        assertThat(row.violations()).anyMatch(v -> v.startsWith("L1:"));
    }

    @Test
    @DisplayName("check-then-insert runs the side effect twice in scenario 2 (L1/V1)")
    void checkThenInsertFailsDoubleExecution() throws Exception {
        ScenarioRow row = run(Flaw.CHECK_THEN_INSERT, "2a");
        assertThat(row.sideEffects()).isGreaterThan(1);
        assertThat(row.overlaps()).isPositive();
        assertThat(row.violations()).anyMatch(v -> v.startsWith("L1/V1:"));
    }

    @Test
    @DisplayName("an unconditional release lets the zombie free the next holder's lock in scenario 8 (L3)")
    void unconditionalReleaseFailsTheZombieScenario() throws Exception {
        ScenarioRow row = run(Flaw.UNCONDITIONAL_RELEASE, "8");
        assertThat(row.violations()).anyMatch(v -> v.startsWith("L3: a third client acquired the key"));
    }

    @Test
    @DisplayName("without fencing the zombie overwrites the next holder's data in scenario 8 (V3)")
    void noFencingFailsTheZombieScenario() throws Exception {
        ScenarioRow row = run(Flaw.NO_FENCING, "8");
        assertThat(row.violations()).anyMatch(v -> v.startsWith("V3: the zombie's fenced compareAndSet"));
    }

    @Test
    @DisplayName("tokens per key, reset when the key is freed, fail scenario 8 (L2)")
    void tokensPerKeyFailTheZombieScenario() throws Exception {
        ScenarioRow row = run(Flaw.TOKENS_PER_KEY, "8");
        assertThat(row.violations()).anyMatch(v -> v.startsWith("L2:"));
    }

    @Test
    @DisplayName("a compare-and-set that ignores the version lets every completion win in scenario 3 (V1)")
    void casIgnoringTheVersionFailsDoubleCompletion() throws Exception {
        ScenarioRow row = run(Flaw.CAS_IGNORES_VERSION, "3");
        assertThat(row.winners()).isEqualTo(SETTINGS.workers());
        assertThat(row.violations()).anyMatch(v -> v.startsWith("V1:"));
    }

    @Test
    @DisplayName("a compare-and-set that ignores the version accepts the slow writer in scenario 7 (V1)")
    void casIgnoringTheVersionFailsTheSlowWriter() throws Exception {
        ScenarioRow row = run(Flaw.CAS_IGNORES_VERSION, "7");
        assertThat(row.violations()).anyMatch(v -> v.startsWith("V1: the slow writer's compare-and-set"));
    }

    @Test
    @DisplayName("an unreachable store that answers 'held' fails scenario 12 (E2)")
    void unreachableLooksHeldFailsScenario12() throws Exception {
        ScenarioRow row = run(Flaw.UNREACHABLE_LOOKS_HELD, "12");
        assertThat(row.violations()).anyMatch(v -> v.startsWith("E2: tryAcquire on an unreachable store returned"));
    }
}
