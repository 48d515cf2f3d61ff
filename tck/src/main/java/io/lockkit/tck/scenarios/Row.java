package io.lockkit.tck.scenarios;

import io.lockkit.tck.Rule;
import io.lockkit.tck.harness.IntervalRecorder;
import io.lockkit.tck.harness.RaceResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/** The mutable row a scenario fills in while it runs. Thread-safe. */
final class Row {
    private final Scenario scenario;
    private final String backend;
    private final long started = System.nanoTime();
    private final List<String> violations = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private int workers;
    private long winners;
    private long sideEffects;
    private long lostUpdates;
    private long overlaps;
    private long uncaught;
    private @Nullable String skipReason;

    Row(Scenario scenario, String backend) {
        this.scenario = scenario;
        this.backend = backend;
    }

    synchronized Row workers(int workers) {
        this.workers = workers;
        return this;
    }

    synchronized Row winners(long winners) {
        this.winners = winners;
        return this;
    }

    synchronized Row addWinners(long more) {
        this.winners += more;
        return this;
    }

    synchronized Row sideEffects(long sideEffects) {
        this.sideEffects = sideEffects;
        return this;
    }

    synchronized Row lostUpdates(long lostUpdates) {
        this.lostUpdates = lostUpdates;
        return this;
    }

    synchronized Row addUncaught(long uncaught) {
        this.uncaught += uncaught;
        return this;
    }

    synchronized void skip(String reason) {
        this.skipReason = reason;
    }

    /** Adds {@code rule: message} when {@code ok} is false; returns {@code ok}. */
    synchronized boolean require(boolean ok, Rule rule, String message, Object... args) {
        return require(ok, List.of(rule), message, args);
    }

    /** As {@link #require(boolean, Rule, String, Object...)}, for a check that guards two rules at once ({@code L1/V1}). */
    synchronized boolean require(boolean ok, List<Rule> rules, String message, Object... args) {
        if (!ok) {
            violations.add(
                    String.join("/", rules.stream().map(Rule::name).toList()) + ": " + String.format(message, args));
        }
        return ok;
    }

    synchronized void violation(Rule rule, String message, Object... args) {
        require(false, rule, message, args);
    }

    /** Adds a violation of the scenario as a whole (it could not run to the end). */
    synchronized void aborted(String message, Object... args) {
        violations.add("scenario " + scenario.id() + ": " + String.format(message, args));
    }

    /** Adds sentences that already name their rule. */
    synchronized void violations(Collection<String> sentences) {
        violations.addAll(sentences);
    }

    synchronized void note(String message, Object... args) {
        notes.add(String.format(message, args));
    }

    /** Takes the race's counts of uncaught and hung workers, and its problems as violations. */
    synchronized void race(RaceResult<?> race) {
        uncaught += race.uncaught();
        violations.addAll(race.problems());
    }

    /** Takes the recorder's overlaps as the overlap count and as L1 violations (the first few spelled out). */
    synchronized void overlaps(IntervalRecorder recorder) {
        List<IntervalRecorder.Overlap> found = recorder.overlaps();
        overlaps += found.size();
        if (!found.isEmpty()) {
            violation(
                    Rule.L1,
                    "%d critical section(s) began while another section of the same key was still before its"
                            + " deadline and not released; the first: %s",
                    found.size(),
                    String.join(
                            "; ",
                            found.stream()
                                    .limit(3)
                                    .map(IntervalRecorder.Overlap::describe)
                                    .toList()));
        }
    }

    synchronized ScenarioRow build() {
        if (skipReason != null) {
            return ScenarioRow.skipped(scenario, backend, skipReason);
        }
        return new ScenarioRow(
                scenario.id(),
                scenario.title(),
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
}
