package io.lockkit.race.proc;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockkit.tck.scenarios.ScenarioRow;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Scenario 2 across two child JVMs on the embedded Redis: one side effect, every child gone afterwards. */
class ProcessRacesTest {
    private static final Duration GUARD = Duration.ofSeconds(90);

    @Test
    void l1_doubleExecutionAcrossTwoJvmsRunsTheSideEffectOnce() throws Exception {
        Children children;
        ScenarioRow row;
        try (Store store = Store.open("redis")) {
            store.client();
            children = Children.start(
                    "test-p",
                    2,
                    i -> store.uri(),
                    store.childOptions(false),
                    System.err,
                    System.nanoTime() + GUARD.toNanos());
            try (children) {
                row = ProcessRaces.doubleExecution(store, children.list(), 5, GUARD);
            }
        }
        System.out.println(row.describe());
        assertThat(row.scenario()).isEqualTo("P2x2");
        assertThat(row.workers()).isEqualTo(10);
        assertThat(row.sideEffects()).as(row.describe()).isEqualTo(1);
        assertThat(row.uncaught()).as(row.describe()).isZero();
        assertThat(row.violations()).as(row.describe()).isEmpty();
        assertThat(children.allExited()).as("every child JVM has exited").isTrue();
    }
}
