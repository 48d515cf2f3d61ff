package io.lockkit.tck.harness;

import io.lockkit.tck.TckSettings;
import io.lockkit.tck.internal.Traces;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * What a {@link Race} ended with. Immutable.
 *
 * @param workers how many workers were started
 * @param outcomes the outcome of every worker that returned, in worker order (without the others)
 * @param uncaught how many workers threw
 * @param uncaughtTraces the stack traces of the first few that threw
 * @param hung how many workers were still running at the guard deadline
 * @param elapsed from the start of the race until the last worker was collected
 * @param deadline the guard deadline the race ran under
 */
public record RaceResult<T>(
        int workers,
        List<T> outcomes,
        int uncaught,
        List<String> uncaughtTraces,
        int hung,
        Duration elapsed,
        Duration deadline) {
    /** How many stack traces are kept. */
    public static final int KEPT_TRACES = 3;

    public RaceResult {
        outcomes = List.copyOf(outcomes);
        uncaughtTraces = List.copyOf(uncaughtTraces);
    }

    static <T> RaceResult<T> of(
            int workers, List<T> outcomes, List<Throwable> uncaught, int hung, Duration elapsed, Duration deadline) {
        List<String> traces =
                uncaught.stream().limit(KEPT_TRACES).map(Traces::of).toList();
        return new RaceResult<>(workers, outcomes, uncaught.size(), traces, hung, elapsed, deadline);
    }

    /** How many outcomes match. */
    public long count(Predicate<? super T> which) {
        return outcomes.stream().filter(which).count();
    }

    /** The outcomes that match. */
    public List<T> filter(Predicate<? super T> which) {
        return outcomes.stream().filter(which).toList();
    }

    /**
     * The race's own failures as sentences: workers that threw (L6: losing a race is a value, never
     * an exception) and workers that hung. Empty when every worker returned.
     */
    public List<String> problems() {
        List<String> problems = new ArrayList<>();
        if (uncaught > 0) {
            problems.add("L6: " + uncaught + " of " + workers + " workers threw instead of returning an outcome"
                    + " (losing a race must be an empty Optional, never an exception); the first:"
                    + System.lineSeparator() + String.join(System.lineSeparator(), uncaughtTraces));
        }
        if (hung > 0) {
            problems.add(hung + " of " + workers + " workers were still running at the guard deadline " + deadline
                    + " (a hung call or a lost wake-up, L7); raise -D" + TckSettings.DEADLINE_SECONDS
                    + " only if the store is just slow");
        }
        return problems;
    }
}
