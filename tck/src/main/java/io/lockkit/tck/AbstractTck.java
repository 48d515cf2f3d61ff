package io.lockkit.tck;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockkit.Backend;
import io.lockkit.Capability;
import io.lockkit.Lease;
import io.lockkit.Versioned;
import io.lockkit.tck.harness.ClientPool;
import io.lockkit.tck.harness.Keys;
import io.lockkit.tck.scenarios.Scenario;
import io.lockkit.tck.scenarios.ScenarioRow;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * What both kits share: one {@link TckTarget} per test class (from {@link #createTarget()}, closed
 * after the last test), three fresh clients per test (closed after it), the settings, the fixture
 * test, and running a {@link Scenario} as a test. Not for direct use: subclass {@link JobLockTck}
 * and {@link VersionedUpdateTck}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Execution(ExecutionMode.SAME_THREAD) // clients are per test, and races need the machine to themselves
public abstract class AbstractTck implements FixtureRules {
    private @Nullable TckTarget target;
    private @Nullable ClientPool clients;

    /**
     * The store under test. Called once per test class; the kit closes it after the last test. The
     * target MUST hand out independent clients of one store and implement every {@link StoreFaults}
     * method.
     */
    protected abstract TckTarget createTarget();

    /** The settings; {@link TckSettings#fromSystemProperties()} unless overridden. */
    protected TckSettings settings() {
        return TckSettings.fromSystemProperties();
    }

    @BeforeAll
    final void createTargetOnce() {
        target = createTarget();
    }

    @AfterAll
    final void closeTarget() {
        if (target != null) {
            target.close();
        }
    }

    @BeforeEach
    final void openClients() {
        clients = ClientPool.open(target(), 3);
    }

    @AfterEach
    final void closeClients() {
        if (clients != null) {
            clients.close();
            clients = null;
        }
    }

    /** The target of this test class. */
    protected final TckTarget target() {
        if (target == null) {
            throw new IllegalStateException("createTarget() has not run");
        }
        return target;
    }

    /** Client A of this test (a fresh client of the target, closed after the test). */
    protected final Backend clientA() {
        return client(0);
    }

    /** Client B of this test, independent of A. */
    protected final Backend clientB() {
        return client(1);
    }

    /** Client C of this test, independent of A and B. */
    protected final Backend clientC() {
        return client(2);
    }

    private Backend client(int i) {
        if (clients == null) {
            throw new IllegalStateException("clients are opened per test, in @BeforeEach");
        }
        return clients.get(i);
    }

    @Override
    @Test
    @DisplayName("the fixture: the target opens independent clients of one store, declaring one lease kind")
    public final void fixture_targetOpensIndependentClientsOfOneStore() {
        assertThat(target().name())
                .as("TckTarget.name() is printed in every row; it must not be blank")
                .isNotBlank();
        assertThat(target().faults()).as("TckTarget.faults() must not be null").isNotNull();
        assertThat(clientA())
                .as("TckTarget.newClient() must return a new client each time")
                .isNotSameAs(clientB());
        List<Capability> kinds = clientA().capabilities().stream()
                .filter(c -> c == Capability.TIMED_LEASE || c == Capability.SESSION_LEASE)
                .toList();
        assertThat(kinds)
                .as("a backend declares exactly one lease kind, TIMED_LEASE or SESSION_LEASE, in capabilities()")
                .hasSize(1);

        String key = Keys.fresh("fixture");
        Optional<Lease> held = clientA().jobLock().tryAcquire(key, Duration.ofSeconds(30));
        assertThat(held).as("tryAcquire of a fresh key must succeed").isPresent();
        assertThat(clientB().jobLock().tryAcquire(key, Duration.ofSeconds(30)))
                .as("client B must see client A's lease: the target's clients must share one store")
                .isEmpty();
        assertThat(held.get().release())
                .as("release() of a current lease returns true")
                .isTrue();

        Optional<Versioned> created = clientA().versionedUpdate().create(key, Keys.utf8("fixture"));
        assertThat(created).as("create of a fresh key must succeed").isPresent();
        assertThat(clientB().versionedUpdate().read(key))
                .as("client B must read what client A created: the target's clients must share one store")
                .contains(created.get());
    }

    /**
     * Runs {@code scenario} against the target, prints its row, aborts the test (printing the reason)
     * when the scenario was skipped, and fails it with the row's violations.
     */
    protected final ScenarioRow runScenario(Scenario scenario) throws Exception {
        ScenarioRow row = scenario.run(target(), settings());
        System.out.println(row.describe());
        if (row.skipReason().isPresent()) {
            Assumptions.abort("scenario " + scenario.id() + " skipped on " + row.backend() + ": "
                    + row.skipReason().get());
        }
        assertThat(row.violations())
                .as(
                        "scenario %s (%s, checking %s) on %s broke these rules",
                        row.scenario(),
                        row.title(),
                        String.join(
                                ", ", scenario.rules().stream().map(Rule::label).toList()),
                        row.backend())
                .isEmpty();
        return row;
    }

    /** Skips the test, printing why, unless the target can inject {@code fault}. */
    protected final void assumeFault(StoreFaults.Fault fault, TestInfo test) {
        assumeThat(
                target().faults().supported().contains(fault),
                "the target cannot inject " + fault + " (StoreFaults.supported() does not list it)",
                test);
    }

    /** Skips the test, printing why, unless the backend declares {@code capability}. */
    protected final void assumeCapability(Capability capability, TestInfo test) {
        assumeThat(
                clientA().has(capability),
                "the backend does not declare " + capability + " (" + capability.description() + ")",
                test);
    }

    /** Skips the test, printing why, unless {@code condition} holds. */
    protected static void assumeThat(boolean condition, String reason, TestInfo test) {
        if (!condition) {
            System.out.println("[SKIP] " + test.getDisplayName() + ": " + reason);
        }
        Assumptions.assumeTrue(condition, reason);
    }
}
