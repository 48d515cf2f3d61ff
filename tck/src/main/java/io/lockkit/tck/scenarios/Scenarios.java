package io.lockkit.tck.scenarios;

import java.util.List;
import java.util.NoSuchElementException;

/**
 * The race scenarios (CONTRACT.md §8), each a constant, in order; scenario 2 runs twice (2a with the configured workers, 2b with
 * twice as many). Each is stateless and can be run against any number of targets.
 */
public final class Scenarios {
    /** 1: of N workers claiming one job at once, one wins and the others get empty (L1, L6). */
    public static final Scenario EXCLUSIVE_CLAIM = new ExclusiveClaim();
    /** 2a: losers retrying from stale copies never run the side effect twice (L1, L6, V1). */
    public static final Scenario DOUBLE_EXECUTION = new DoubleExecution("2a", 1);
    /** 2b: scenario 2a with twice the workers. */
    public static final Scenario DOUBLE_EXECUTION_TWICE_THE_WORKERS = new DoubleExecution("2b", 2);
    /** 3: of N workers completing one job through compare-and-set, one wins (V1, L6). */
    public static final Scenario DOUBLE_COMPLETION = new DoubleCompletion();
    /** 4: conflicting transitions leave the state of the one winner (V1). */
    public static final Scenario CONFLICTING_TRANSITIONS = new ConflictingTransitions();
    /** 5: a counter incremented through the retrying updater ends at the count of successes (V4, V1, L1). */
    public static final Scenario LOST_UPDATES = new LostUpdates();
    /** 6: progress reports never go backwards (V1, V4). */
    public static final Scenario MONOTONIC_PROGRESS = new MonotonicProgress();
    /** 7: an out-of-order slow writer with a stale version is refused (V1, V2). */
    public static final Scenario SLOW_WRITER = new SlowWriter();
    /** 8: a zombie holder is fenced out, and its release frees nothing (L2, L3, V3, L5). */
    public static final Scenario ZOMBIE_HOLDER = new ZombieHolder();
    /** 9: a crashed holder's key goes to a waiter by its deadline (L4, L7, L1). */
    public static final Scenario CRASH_RECOVERY = new CrashRecovery();
    /** 10: a dropped connection ends session leases and spares timed ones (L5, L4, L3). */
    public static final Scenario CONNECTION_LOSS = new ConnectionLoss();
    /** 11: random keys, leases and hold times never give two overlapping sections (L1, L3, L4). */
    public static final Scenario FUZZ = new Fuzz();
    /** 12: bad input fails fast and an unreachable store is an outage, never "held" (E1, E2). */
    public static final Scenario BAD_INPUT_AND_UNAVAILABLE = new BadInputAndUnavailable();

    private static final List<Scenario> ALL = List.of(
            EXCLUSIVE_CLAIM,
            DOUBLE_EXECUTION,
            DOUBLE_EXECUTION_TWICE_THE_WORKERS,
            DOUBLE_COMPLETION,
            CONFLICTING_TRANSITIONS,
            LOST_UPDATES,
            MONOTONIC_PROGRESS,
            SLOW_WRITER,
            ZOMBIE_HOLDER,
            CRASH_RECOVERY,
            CONNECTION_LOSS,
            FUZZ,
            BAD_INPUT_AND_UNAVAILABLE);

    private Scenarios() {}

    /** All scenarios, in the order of CONTRACT.md: 1, 2a, 2b, 3 … 12. */
    public static List<Scenario> all() {
        return ALL;
    }

    /**
     * The scenario with this id, for command lines and reports (kit code names the constant) ({@code 1}, {@code 2a}, {@code 2b}, {@code 3} … {@code 12}); {@code
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
