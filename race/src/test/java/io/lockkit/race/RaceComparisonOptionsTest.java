package io.lockkit.race;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Which multi-process rows the options select. */
class RaceComparisonOptionsTest {
    private static java.util.List<String> rows(String args) {
        return RaceComparison.procPlan(RaceComparison.parse(new String[] {args}))
                .rowIds();
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
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("four");
        assertThatThrownBy(() -> rows("--faults=pause,melt"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("melt");
    }
}
