package io.lockkit.tck.scenarios;

import io.lockkit.tck.internal.Traces;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One scenario's result against one backend: the numbers of the race scenarios' table (CONTRACT.md) and the rules it
 * broke. Immutable.
 *
 * @param scenario the scenario's id, such as {@code 1} or {@code 2b}
 * @param title what the scenario is, such as {@code Exclusive claim}
 * @param backend the target's name
 * @param workers concurrent workers (or actors) in the scenario
 * @param winners what "won": claims granted, transitions applied, increments acknowledged
 * @param sideEffects side effects executed (scenario 2: MUST be exactly 1)
 * @param lostUpdates acknowledged updates missing from the final value
 * @param overlaps critical sections of one key that overlapped (L1)
 * @param uncaught exceptions no one expected
 * @param duration how long the scenario ran
 * @param violations one sentence per broken rule, each starting with the rule; empty = passed
 * @param notes further facts worth printing (counts, seeds), never a failure
 * @param skipReason why the scenario did not run on this backend; empty when it ran
 */
public record ScenarioRow(
        String scenario,
        String title,
        String backend,
        int workers,
        long winners,
        long sideEffects,
        long lostUpdates,
        long overlaps,
        long uncaught,
        Duration duration,
        List<String> violations,
        List<String> notes,
        Optional<String> skipReason) {
    public ScenarioRow {
        violations = List.copyOf(violations);
        notes = List.copyOf(notes);
        Objects.requireNonNull(skipReason, "skipReason");
    }

    /** A row for a scenario the backend cannot run; the reason is printed, never a silent pass. */
    public static ScenarioRow skipped(Scenario scenario, String backend, String reason) {
        return new ScenarioRow(
                scenario.id(),
                scenario.title(),
                backend,
                0,
                0,
                0,
                0,
                0,
                0,
                Duration.ZERO,
                List.of(),
                List.of(),
                Optional.of(reason));
    }

    /**
     * A failed row for a scenario whose {@link Scenario#run} threw instead of returning a row (the
     * TCK's own scenarios never do; a caller running foreign ones may need this).
     */
    public static ScenarioRow crashed(Scenario scenario, String backend, Throwable thrown) {
        return new ScenarioRow(
                scenario.id(),
                scenario.title(),
                backend,
                0,
                0,
                0,
                0,
                0,
                1,
                Duration.ZERO,
                List.of("scenario " + scenario.id() + " threw instead of returning a row: " + Traces.of(thrown)),
                List.of(),
                Optional.empty());
    }

    /** Ran and broke no rule. */
    public boolean passed() {
        return skipReason.isEmpty() && violations.isEmpty();
    }

    /** Did not run: the backend lacks what the scenario needs ({@link #skipReason()} says what). */
    public boolean skipped() {
        return skipReason.isPresent();
    }

    /** PASS, FAIL or SKIP. */
    public String verdict() {
        return skipped() ? "SKIP" : passed() ? "PASS" : "FAIL";
    }

    /** The row and, below it, every violation, note and skip reason: what a test prints. */
    public String describe() {
        List<String> lines = new ArrayList<>();
        lines.add(String.format(
                "[%s] scenario %s %s on %s: workers=%d winners=%d sideEffects=%d lostUpdates=%d overlaps=%d"
                        + " uncaught=%d duration=%dms",
                verdict(),
                scenario,
                title,
                backend,
                workers,
                winners,
                sideEffects,
                lostUpdates,
                overlaps,
                uncaught,
                duration.toMillis()));
        skipReason.ifPresent(r -> lines.add("  skipped: " + r));
        violations.forEach(v -> lines.add("  VIOLATION " + v));
        notes.forEach(n -> lines.add("  note: " + n));
        return String.join(System.lineSeparator(), lines);
    }
}
