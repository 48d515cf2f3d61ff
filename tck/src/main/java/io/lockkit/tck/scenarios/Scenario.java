package io.lockkit.tck.scenarios;

import io.lockkit.tck.Rule;
import io.lockkit.tck.TckSettings;
import io.lockkit.tck.TckTarget;
import java.util.List;

/**
 * One of the race scenarios (CONTRACT.md), runnable against any {@link TckTarget}, inside JUnit (the kits) or
 * outside it (the race comparison). A scenario MUST use keys no earlier run used, MUST close every
 * client it opens, and MUST return a skipped row with the reason, never a passing one, when the
 * backend lacks what it needs.
 */
public interface Scenario {
    /** The scenario number, such as {@code 1} or {@code 2b}. */
    String id();

    /** A short title, such as {@code Exclusive claim}. */
    String title();

    /** The contract rules it checks, the main one first. */
    List<Rule> rules();

    /**
     * Runs the scenario. Every broken rule becomes a sentence in {@link ScenarioRow#violations()};
     * an unexpected exception of the scenario's own steps becomes one too, so the row is always
     * produced.
     *
     * @throws InterruptedException when the calling thread is interrupted
     */
    ScenarioRow run(TckTarget target, TckSettings settings) throws Exception;
}
