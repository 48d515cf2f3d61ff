package io.lockkit.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockkit.Backend;
import io.lockkit.Lease;
import io.lockkit.mem.MemBackend;
import io.lockkit.spi.ForwardingLease;
import io.lockkit.tck.harness.IntervalRecorder;
import io.lockkit.tck.harness.Race;
import io.lockkit.tck.harness.RaceResult;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The race machinery itself: nothing a worker does is lost, and nothing hangs. */
@DisplayName("TCK self-test: the race machinery")
class RaceMachineryTest {
    @Test
    @DisplayName("a race starts every worker and keeps the outcomes in worker order")
    void raceCollectsEveryOutcomeInOrder() throws Exception {
        RaceResult<Integer> race = Race.run(50, Duration.ofSeconds(30), i -> i * 2);
        assertThat(race.outcomes()).hasSize(50).startsWith(0, 2, 4).endsWith(98);
        assertThat(race.problems()).isEmpty();
    }

    @Test
    @DisplayName("exceptions thrown by workers are counted and the first traces kept")
    void raceCountsAndKeepsUncaughtExceptions() throws Exception {
        RaceResult<Integer> race = Race.run(10, Duration.ofSeconds(30), i -> {
            if (i % 2 == 0) {
                throw new IllegalStateException("worker " + i + " broke");
            }
            return i;
        });
        assertThat(race.uncaught()).isEqualTo(5);
        assertThat(race.outcomes()).containsExactly(1, 3, 5, 7, 9);
        assertThat(race.uncaughtTraces()).hasSize(RaceResult.KEPT_TRACES);
        assertThat(race.uncaughtTraces().get(0)).contains("IllegalStateException", "broke", "\tat ");
        assertThat(race.problems()).singleElement().asString().startsWith("L6: 5 of 10 workers threw");
    }

    @Test
    @DisplayName("a hung worker is reported at the guard deadline instead of hanging the race")
    void raceReportsHungWorkers() throws Exception {
        CountDownLatch never = new CountDownLatch(1);
        RaceResult<Integer> race = Race.run(3, Duration.ofMillis(300), i -> {
            if (i == 1) {
                never.await();
            }
            return i;
        });
        assertThat(race.hung()).isEqualTo(1);
        assertThat(race.outcomes()).containsExactly(0, 2);
        assertThat(race.problems()).singleElement().asString().contains("guard deadline");
    }

    @Test
    @DisplayName("the recorder finds overlapping sections of one key, and only of one key")
    void recorderFindsOverlapsWithinOneKey() {
        IntervalRecorder recorder = new IntervalRecorder();
        Duration lease = Duration.ofSeconds(30);
        IntervalRecorder.Section a = recorder.begin("k", System.nanoTime(), lease);
        IntervalRecorder.Section other = recorder.begin("other", System.nanoTime(), lease);
        IntervalRecorder.Section b = recorder.begin("k", System.nanoTime(), lease);
        a.released();
        b.released();
        other.released();
        IntervalRecorder.Section c = recorder.begin("k", System.nanoTime(), lease);
        c.released();
        assertThat(recorder.sections()).isEqualTo(4);
        assertThat(recorder.overlaps())
                .singleElement()
                .extracting(IntervalRecorder.Overlap::key)
                .isEqualTo("k");
    }

    @Test
    @DisplayName("a section ends at its deadline bound, so a successor after the deadline is no overlap")
    void recorderEndsSectionsAtTheDeadlineBound() {
        IntervalRecorder recorder = new IntervalRecorder();
        Duration lease = Duration.ofMillis(10);
        IntervalRecorder.Section expired = recorder.begin("k", System.nanoTime() - lease.toNanos() * 2, lease);
        IntervalRecorder.Section successor = recorder.begin("k", System.nanoTime(), Duration.ofSeconds(30));
        successor.released();
        expired.released(); // the zombie releases late: its section ended at the bound already
        assertThat(expired.endedByDeadline()).isTrue();
        assertThat(recorder.overlaps()).isEmpty();
        assertThat(recorder.endedByDeadline()).isEqualTo(1);
    }

    @Test
    @DisplayName("a lease invalid as acquire returns is skipped unless it is timed and before its bound; a valid one"
            + " counts even past its bound")
    void recorderSkipsOnlyLeasesTheStoreMayHaveEnded() throws Exception {
        MemTarget target = new MemTarget(MemBackend.LeaseKind.TIMED);
        Duration lease = Duration.ofSeconds(30);
        long longAgo = System.nanoTime() - lease.toNanos() * 2; // a waiting acquire sent long ago
        try (Backend client = target.newClient()) {
            Lease real = client.jobLock().tryAcquire("k", lease).orElseThrow();
            Lease invalid = new Fixed(real, false);
            Lease valid = new Fixed(real, true);

            IntervalRecorder skipped = new IntervalRecorder();
            IntervalRecorder.Section held = skipped.begin("k", System.nanoTime(), lease);
            assertThat(skipped.beginIfValid("k", longAgo, lease, invalid, true)).isEmpty();
            assertThat(skipped.beginIfValid("k", System.nanoTime(), lease, invalid, false))
                    .isEmpty();
            held.released();
            assertThat(skipped.overlaps())
                    .as("past its bound, or a session lease: no section")
                    .isEmpty();
            assertThat(skipped.invalidOnReturn()).isEqualTo(2);
            assertThat(skipped.sections()).isEqualTo(1);

            IntervalRecorder timed = new IntervalRecorder();
            IntervalRecorder.Section first = timed.begin("k", System.nanoTime(), lease);
            assertThat(timed.beginIfValid("k", System.nanoTime(), lease, invalid, true))
                    .isEmpty();
            first.released();
            assertThat(timed.overlaps())
                    .as("an invalid timed lease before its bound is still the store's: granted twice")
                    .hasSize(1);
            assertThat(timed.sections()).as("sections acted on").isEqualTo(1);

            IntervalRecorder late = new IntervalRecorder();
            IntervalRecorder.Section a = late.begin("k", System.nanoTime(), lease);
            IntervalRecorder.Section b =
                    late.beginIfValid("k", longAgo, lease, valid, true).orElseThrow();
            b.released();
            a.released();
            assertThat(late.overlaps())
                    .as("a valid lease whose bound is before its start still overlaps")
                    .singleElement()
                    .extracting(IntervalRecorder.Overlap::key)
                    .isEqualTo("k");
            real.release();
        }
    }

    /** A lease whose {@code isValid()} is fixed, as a backend under test might report it. */
    private static final class Fixed extends ForwardingLease {
        private final boolean valid;

        Fixed(Lease delegate, boolean valid) {
            super(delegate);
            this.valid = valid;
        }

        @Override
        public boolean isValid() {
            return valid;
        }
    }

    @Test
    @DisplayName("settings come from lockkit.tck.* properties, and every bad one is named")
    void settingsReadPropertiesAndNameEveryBadOne() {
        Properties p = new Properties();
        p.setProperty(TckSettings.WORKERS, "8");
        p.setProperty(TckSettings.SHORT_LEASE_MILLIS, "250");
        TckSettings settings = TckSettings.fromProperties(p);
        assertThat(settings.workers()).isEqualTo(8);
        assertThat(settings.shortLease()).isEqualTo(Duration.ofMillis(250));
        assertThat(settings.clients()).isEqualTo(TckSettings.DEFAULT_CLIENTS);
        assertThat(settings.withWorkers(50).workers()).isEqualTo(50);

        p.setProperty(TckSettings.CLIENTS, "four");
        p.setProperty(TckSettings.FUZZ_MILLIS, "3s");
        assertThatThrownBy(() -> TckSettings.fromProperties(p))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("lockkit.tck.clients=four")
                .hasMessageContaining("lockkit.tck.fuzzMillis=3s");
        assertThatThrownBy(() -> TckSettings.defaults().withWorkers(1).withClients(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("workers must be ≥ 2, was 1");
    }
}
