package io.lockkit.peers;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockkit.tck.TckSettings;
import io.lockkit.tck.TckTarget;
import io.lockkit.tck.scenarios.ScenarioRow;
import io.lockkit.tck.scenarios.Scenarios;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * [shedlock/lockkit-pg] in the scenarios where ShedLock's own providers fail (the race table's
 * shedlock columns): ShedLock's API on lockkit's provider passes them, since the zombie's unlock and
 * extend are owner-checked and its write is fenced by the run's token. Also the exclusive claim and
 * double execution, which every ShedLock column passes, so that the column is checked whole where it
 * matters most.
 */
class ShedLockOnLockKitScenariosTest {
    private static final TckSettings SETTINGS = TckSettings.defaults()
            .withWorkers(50)
            .withClients(4)
            .withDeadline(Duration.ofSeconds(60))
            .withShortLease(Duration.ofMillis(500));

    private static TckTarget target;

    @BeforeAll
    static void open() {
        target = new PeerTargets.ShedLockOnLockKit().open();
    }

    @AfterAll
    static void close() {
        target.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"1", "2a", "8", "10", "11"})
    void passesWhereShedLocksOwnProvidersFail(String scenario) throws Exception {
        ScenarioRow row = Scenarios.byId(scenario).run(target, SETTINGS);
        System.out.println(row.describe());
        assertThat(row.skipReason()).isEmpty();
        assertThat(row.violations())
                .as("scenario %s on shedlock/lockkit-pg", scenario)
                .isEmpty();
        assertThat(row.uncaught()).isZero();
        assertThat(row.verdict()).isEqualTo("PASS");
    }
}
