package io.lockkit.peers;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockkit.tck.TckSettings;
import io.lockkit.tck.TckTarget;
import io.lockkit.tck.scenarios.ScenarioRow;
import io.lockkit.tck.scenarios.Scenarios;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Scenarios 1 and 8 of the race comparison against [naive/lock-table], asserting what the row
 * shows: the check-then-insert pattern breaks the exclusive claim under contention, and without a
 * token and with an unconditional release it cannot stop a zombie holder.
 */
class NaiveLockTableScenariosTest {
    private static final TckSettings SETTINGS = TckSettings.defaults()
            .withWorkers(50)
            .withClients(4)
            .withDeadline(Duration.ofSeconds(60))
            .withShortLease(Duration.ofMillis(500));

    private static TckTarget target;

    @BeforeAll
    static void open() {
        target = new PeerTargets.NaiveLockTable().open();
    }

    @AfterAll
    static void close() {
        target.close();
    }

    /**
     * Timed lease of 500 ms; A's lease passes its deadline, B acquires. A's "fenced" write carries a
     * local token that nothing checks, so it lands over B's data (V3); A's release is an
     * unconditional DELETE that frees B's lock (L3), and a third client then acquires it.
     */
    @Test
    void scenario8_zombieWriteLandsAndZombieReleaseFreesTheNextHolder() throws Exception {
        ScenarioRow row = Scenarios.byId("8").run(target, SETTINGS);
        System.out.println(row.describe());

        assertThat(row.verdict()).isEqualTo("FAIL");
        assertThat(row.winners()).as("B acquired after A's lease ended").isEqualTo(1);
        assertThat(row.uncaught()).isZero();
        assertThat(row.violations())
                .anyMatch(v -> v.startsWith("V3") && v.contains("the zombie overwrote B's data"))
                .anyMatch(v -> v.startsWith("L3") && v.contains("release() returned true"))
                .anyMatch(v -> v.startsWith("L3") && v.contains("a third client acquired the key while B held it"))
                .anyMatch(v -> v.startsWith("V3") && v.contains("B's data must be untouched"));
        assertThat(row.violations())
                .as("its token still increases (a local counter) and its extend is refused (it has none)")
                .noneMatch(v -> v.startsWith("L2"))
                .noneMatch(v -> v.contains("extend() returned true"));
    }
}
