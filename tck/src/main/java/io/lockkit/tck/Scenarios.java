package io.lockkit.tck;

import java.util.List;
import java.util.NoSuchElementException;

/**
 * The race scenarios (CONTRACT.md), in order; scenario 2 runs twice (2a with the configured workers, 2b with
 * twice as many). Each is stateless and can be run against any number of targets.
 */
public final class Scenarios {
    private static final List<Scenario> ALL = List.of(
            new ExclusiveClaim(),
            new DoubleExecution("2a", 1),
            new DoubleExecution("2b", 2),
            new DoubleCompletion(),
            new ConflictingTransitions(),
            new LostUpdates(),
            new MonotonicProgress(),
            new SlowWriter(),
            new ZombieHolder(),
            new CrashRecovery(),
            new ConnectionLoss(),
            new Fuzz(),
            new BadInputAndUnavailable());

    private Scenarios() {}

    /** All scenarios, in the order of CONTRACT.md: 1, 2a, 2b, 3 … 12. */
    public static List<Scenario> all() {
        return ALL;
    }

    /**
     * The scenario with this id ({@code 1}, {@code 2a}, {@code 2b}, {@code 3} … {@code 12}); {@code
     * 2} means {@code 2a}.
     *
     * @throws NoSuchElementException naming the known ids
     */
    public static Scenario byId(String id) {
        String wanted = id.equals("2") ? "2a" : id;
        return ALL.stream()
                .filter(s -> s.id().equals(wanted))
                .findFirst()
                .orElseThrow(() -> new NoSuchElementException("no scenario '" + id + "'; known: "
                        + ALL.stream().map(Scenario::id).toList()));
    }
}
