package io.lockkit.race;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.ParameterException;

/** Which multi-process and soak rows the options select. */
class RaceComparisonOptionsTest {
    private static List<String> rows(String args) {
        return RaceOptions.parse(args).procPlan().rowIds();
    }

    @Test
    void byDefaultEveryRowRuns() {
        assertThat(rows("")).containsExactly("P1x4", "P2x4", "P2x8", "F1", "F2", "F3");
    }

    @Test
    void aScenarioListWithoutProcessRowsTurnsThemOff() {
        assertThat(rows("--scenarios=1,2a")).isEmpty();
    }

    @Test
    void theShortFormRunsTwoJvmsAndThePause() {
        assertThat(rows("--scenarios=none --processes=2 --faults=pause")).containsExactly("P1x2", "P2x2", "F1");
    }

    @Test
    void rowsCanBeNamed() {
        assertThat(rows("--scenarios=P2x4,F1")).containsExactly("P2x4", "F1");
    }

    @Test
    void noneTurnsTheModeOff() {
        assertThat(rows("--processes=none --faults=none")).isEmpty();
        assertThat(rows("--processes=0 --faults=crash")).containsExactly("F2");
    }

    @Test
    void badValuesAreNamed() {
        assertThatThrownBy(() -> rows("--processes=four"))
                .isInstanceOf(ParameterException.class)
                .hasMessageContaining("'--processes'")
                .hasMessageContaining("'four'");
        assertThatThrownBy(() -> rows("--faults=pause,melt"))
                .isInstanceOf(ParameterException.class)
                .hasMessageContaining("'--faults'")
                .hasMessageContaining("'melt'");
        assertThatThrownBy(() -> rows("--processes=4,100"))
                .isInstanceOf(ParameterException.class)
                .hasMessageContaining("1–64, was 100");
    }

    @Test
    void theSoakIsOffUnlessAskedForAndThenRunsFourAndEightJvms() {
        assertThat(RaceOptions.parse("").soakPlan()).isEmpty();
        assertThat(RaceOptions.parse("--soak=none").soakPlan()).isEmpty();
        var plan = RaceOptions.parse("--soak=2m").soakPlan().orElseThrow();
        assertThat(plan.duration()).isEqualTo(Duration.ofMinutes(2));
        assertThat(plan.processes()).containsExactly(4, 8);
        assertThat(plan.workersPerProcess()).isEqualTo(8);
        var small = RaceOptions.parse("--soak=6s --soakProcesses=2 --soakWorkers=4")
                .soakPlan()
                .orElseThrow();
        assertThat(small.duration()).isEqualTo(Duration.ofSeconds(6));
        assertThat(small.processes()).containsExactly(2);
        assertThat(small.workersPerProcess()).isEqualTo(4);
        assertThat(RaceOptions.parse("--soak=PT1M30S").soakPlan().orElseThrow().duration())
                .isEqualTo(Duration.ofSeconds(90));
    }

    @Test
    void badSoakValuesAreNamedAllAtOnce() {
        assertThatThrownBy(() -> RaceOptions.parse("--soak=soon --soakProcesses=4,eight"))
                .isInstanceOf(ParameterException.class)
                .hasMessageContaining("'--soak'")
                .hasMessageContaining("'soon' is not a duration")
                .hasMessageContaining("'--soakProcesses'")
                .hasMessageContaining("'eight'");
        assertThatThrownBy(() -> RaceOptions.parse("--soak=1s"))
                .isInstanceOf(ParameterException.class)
                .hasMessageContaining("at least 6 s")
                .hasMessageContaining("1000 ms");
        assertThatThrownBy(() -> RaceOptions.parse("--soak=1m --soakProcesses=4,eight"))
                .isInstanceOf(ParameterException.class)
                .hasMessageContaining("'eight'");
        assertThatThrownBy(() -> RaceOptions.parse("--soak=1m --soakWorkers=1000"))
                .isInstanceOf(ParameterException.class)
                .hasMessageContaining("1000");
        assertThatThrownBy(() -> RaceOptions.parse("--soak=1.5m"))
                .as("a fraction only in ISO-8601, lockkit's one duration grammar")
                .isInstanceOf(ParameterException.class)
                .hasMessageContaining("'1.5m' is not a duration");
    }
}
