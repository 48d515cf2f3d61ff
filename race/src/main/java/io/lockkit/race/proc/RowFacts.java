package io.lockkit.race.proc;

import io.lockkit.tck.Rule;
import io.lockkit.tck.scenarios.ScenarioRow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Collects one multi-process row's counts, violations and notes, then builds the {@link ScenarioRow}. Not thread-safe. */
final class RowFacts {
    private final String id;
    private final String title;
    private final String backend;
    private final long started = System.nanoTime();
    private final List<String> violations = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    int workers;
    long winners;
    long sideEffects;
    long lostUpdates;
    long overlaps;
    long uncaught;

    RowFacts(String id, String title, String backend) {
        this.id = id;
        this.title = title;
        this.backend = backend;
    }

    /** Records a violation of {@code rule} unless {@code ok}; returns {@code ok}. */
    boolean require(boolean ok, Rule rule, String format, Object... args) {
        return require(ok, List.of(rule), format, args);
    }

    /**
     * Records a failure of the row itself, not of a rule (a child JVM that did not die, an exception of
     * the harness), as {@code row <id>: …}, unless {@code ok}; returns {@code ok}.
     */
    boolean requireOfRow(boolean ok, String format, Object... args) {
        if (!ok) {
            violations.add("row " + id + ": " + String.format(format, args));
        }
        return ok;
    }

    /** As {@link #require(boolean, Rule, String, Object...)}, for a check that guards two rules at once. */
    boolean require(boolean ok, List<Rule> rules, String format, Object... args) {
        if (!ok) {
            violation(rules, format, args);
        }
        return ok;
    }

    void violation(List<Rule> rules, String format, Object... args) {
        violations.add(String.join("/", rules.stream().map(Rule::name).toList()) + ": " + String.format(format, args));
    }

    void violation(Rule rule, String format, Object... args) {
        violation(List.of(rule), format, args);
    }

    void note(String format, Object... args) {
        notes.add(String.format(format, args));
    }

    ScenarioRow build() {
        return new ScenarioRow(
                id,
                title,
                backend,
                workers,
                winners,
                sideEffects,
                lostUpdates,
                overlaps,
                uncaught,
                Duration.ofNanos(System.nanoTime() - started),
                violations,
                notes,
                Optional.empty());
    }

    /** A row that did not run, with the reason. */
    static ScenarioRow skipped(String id, String title, String backend, String reason) {
        return new ScenarioRow(
                id, title, backend, 0, 0, 0, 0, 0, 0, Duration.ZERO, List.of(), List.of(), Optional.of(reason));
    }
}
