package io.lockkit.race.proc;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockkit.tck.scenarios.ScenarioRow;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** F1 on the embedded Redis: a holder JVM resumed after SIGSTOP is fenced out and frees nothing. */
class FaultRowsTest {
    @Test
    void v3_pausedHolderIsFencedOutAfterSigcont() throws Exception {
        ScenarioRow row;
        try (Store store = Store.open("redis")) {
            store.client();
            try (FaultRows faults = new FaultRows(store, System.err, Duration.ofSeconds(90))) {
                faults.launch(true, false, false);
                row = faults.pause();
            }
        }
        System.out.println(row.describe());
        assertThat(row.scenario()).isEqualTo("F1");
        assertThat(row.violations()).as(row.describe()).isEmpty();
        assertThat(row.notes())
                .as("the resumed holder's fenced write was rejected and its release returned false")
                .anyMatch(n -> n.contains("write fenced, release false"));
        assertThat(row.overlaps()).isZero();
    }
}
