package io.lockkit.race.proc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.lockkit.tck.scenarios.ScenarioRow;
import io.lockkit.testkit.zookeeper.ZooKeeperTestServer;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The soak across two child JVMs on a three-member ZooKeeper ensemble, each child through a proxy
 * per member, under the fault schedule: the history comes out clean, and no child outlives it.
 */
class SoakAcrossProcessesTest {
    @Test
    void aShortSoakOnAThreeMemberEnsembleComesOutClean() throws Exception {
        assumeTrue(ZooKeeperTestServer.shared().isEmbedded(), "an external ZooKeeper: no ensemble of our own");
        ScenarioRow row;
        try (Store store = Store.zookeeperEnsemble()) {
            assertThat(store.servers()).hasSize(3);
            store.client();
            row = Soak.processes(store, 2, 3, Duration.ofSeconds(10), System.err);
        }
        System.out.println(row.describe());
        assertThat(row.scenario()).isEqualTo("S2");
        assertThat(row.violations()).as(row.describe()).isEmpty();
        assertThat(row.uncaught()).as(row.describe()).isZero();
        assertThat(row.winners()).as("grants").isPositive();
        assertThat(row.notes()).anyMatch(n -> n.startsWith("fault schedule:") && n.contains("member"));
        assertThat(row.notes()).anyMatch(n -> n.matches("[0-9]+ faults injected: .*") && !n.startsWith("0 "));
        assertThat(ProcessHandle.current()
                        .children()
                        .filter(p -> p.info().commandLine().orElse("").contains(Worker.class.getName())))
                .as("no child JVM outlives the soak")
                .allMatch(p -> !p.isAlive() || waitFor(p));
    }

    private static boolean waitFor(ProcessHandle p) {
        try {
            p.onExit().get(10, java.util.concurrent.TimeUnit.SECONDS);
            return true;
        } catch (Exception e) {
            return false;
        }
    }
}
