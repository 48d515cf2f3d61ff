package io.lockkit.race;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockkit.Backend;
import io.lockkit.mem.MemBackend;
import io.lockkit.tck.MemTarget;
import io.lockkit.tck.StoreFaults;
import io.lockkit.tck.TckTarget;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("Handoff")
class HandoffTest {
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"timed", "session"})
    @DisplayName("measures N handoffs on mem, p50 ≤ p90 ≤ p99 ≤ max")
    void measuresMem(String kind) throws Exception {
        try (TckTarget target =
                kind.equals("timed") ? new MemTargets.Timed().open() : new MemTargets.Session().open()) {
            Handoff.Result r = Handoff.measure(target, 20, Duration.ofSeconds(30));

            assertThat(r.skipReason()).isEmpty();
            assertThat(r.count()).isEqualTo(20);
            assertThat(r.samplesMicros()).hasSize(20);
            assertThat(r.p50Micros()).isLessThanOrEqualTo(r.p90Micros());
            assertThat(r.p90Micros()).isLessThanOrEqualTo(r.p99Micros());
            assertThat(r.p99Micros()).isLessThanOrEqualTo(r.maxMicros());
            assertThat(r.summary()).contains("(n = 20)");
        }
    }

    @Test
    @DisplayName("skips with the reason when the store cannot be reached, never a latency")
    void unreachableStoreIsSkipped() throws Exception {
        MemTarget mem = new MemTarget(MemBackend.LeaseKind.TIMED);
        TckTarget unreachable = new TckTarget() {
            @Override
            public String name() {
                return "mem/unreachable";
            }

            @Override
            public Backend newClient() {
                return mem.faults().unreachableClient();
            }

            @Override
            public StoreFaults faults() {
                return mem.faults();
            }
        };

        Handoff.Result r = Handoff.measure(unreachable, 5, Duration.ofSeconds(10));

        assertThat(r.skipped()).isTrue();
        assertThat(r.count()).isZero();
        assertThat(r.skipReason().orElseThrow()).contains("after 0 rounds", "BackendUnavailableException");
        assertThat(r.summary()).startsWith("skipped: ");
    }

    @Test
    @DisplayName("nearest-rank percentiles")
    void percentiles() {
        Handoff.Result r = Handoff.Result.of(
                java.util.stream.LongStream.rangeClosed(1, 100).boxed().toList());

        assertThat(r.p50Micros()).isEqualTo(50);
        assertThat(r.p90Micros()).isEqualTo(90);
        assertThat(r.p99Micros()).isEqualTo(99);
        assertThat(r.maxMicros()).isEqualTo(100);
    }

    @Test
    @DisplayName("rejects a round count below 1 and a non-positive budget, naming the value")
    void badArguments() throws Exception {
        try (TckTarget target = new MemTargets.Timed().open()) {
            assertThatThrownBy(() -> Handoff.measure(target, 0, Duration.ofSeconds(1)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("was 0");
            assertThatThrownBy(() -> Handoff.measure(target, 1, Duration.ZERO))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("PT0S");
        }
    }
}
